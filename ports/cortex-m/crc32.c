/*
 * crc32.c - the Ethernet FCS (IEEE 802.3 §3.2.9): CRC-32, reflected
 * polynomial 0xEDB88320, initial value and final XOR 0xFFFFFFFF. A
 * 16-entry table, two lookups a byte: 64 bytes of flash instead of 1 KiB
 * for a table per byte value.
 */
#include "slip.h"

static const uint32_t crc_nibble[16] = {
  0x00000000u, 0x1DB71064u, 0x3B6E20C8u, 0x26D930ACu, 0x76DC4190u, 0x6B6B51F4u, 0x4DB26158u, 0x5005713Cu,
  0xEDB88320u, 0xF00F9344u, 0xD6D6A3E8u, 0xCB61B38Cu, 0x9B64C2B0u, 0x86D3D2D4u, 0xA00AE278u, 0xBDBDF21Cu,
};

uint32_t crc32(const uint8_t *p, uint32_t len) {
  uint32_t c = 0xFFFFFFFFu;
  for (uint32_t i = 0; i < len; i++) {
    c ^= p[i];
    c = (c >> 4) ^ crc_nibble[c & 15u];
    c = (c >> 4) ^ crc_nibble[c & 15u];
  }
  return c ^ 0xFFFFFFFFu;
}
