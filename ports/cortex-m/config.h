/*
 * config.h - the board's settings as a block in flash that the host
 * patches into a copy of the image before booting it (`embertcp qemu`
 * does, see host-sim/qemu.ts): QEMU's -append reaches only Linux kernels,
 * and a block needs no parser on the board.
 *
 * Layout (little-endian, 64 bytes, found by its 16-byte magic, which
 * appears once in the image):
 *
 *   0  magic "embertcp-config1"
 *  16  ip       u32  \
 *  20  netmask  u32   > big-endian numbers: 10.0.0.2 = 0x0A000002
 *  24  gateway  u32  /
 *  28  mac      6 bytes, then 2 bytes of padding
 *  36  baud     u32  line rate: UART0's divider and, with pace, its pacing
 *  40  pace     u32  1: send each byte no faster than a real line would
 *  44  apps     u32  bit 0 echo, 1 discard, 2 chargen, 3 http
 *  48  seed     4 x u32 from the host's random generator, fresh per boot
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <stdint.h>

#define PORT_CONFIG_MAGIC "embertcp-config1"

struct port_config {
  char magic[16];
  uint32_t ip, netmask, gateway;
  uint8_t mac[6];
  uint8_t pad[2];
  uint32_t baud;
  uint32_t pace;
  uint32_t apps;
  uint32_t seed[4];
};

_Static_assert(sizeof(struct port_config) == 64, "the host patches this layout");

/* volatile: the compiler must read the patched flash, not fold the defaults. */
extern const volatile struct port_config port_config;

#endif /* CONFIG_H */
