/*
 * config.c - the defaults of the patched settings block (config.h): the
 * simulator's default board address, 115200 baud unpaced, every app.
 */
#include "config.h"

__attribute__((section(".port_config"), used)) const volatile struct port_config port_config = {
  .magic = PORT_CONFIG_MAGIC,
  .ip = 0x0A000002u,
  .netmask = 0xFFFFFF00u,
  .gateway = 0,
  .mac = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02},
  .baud = 115200u,
  .pace = 0,
  .apps = 0xFu,
  .seed = {0, 0, 0, 0},
};
