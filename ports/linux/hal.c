/* hal.c - the module's imports on Linux: frames go to the TAP, entropy
 * comes from getrandom(2), log lines are events; there is no SPI. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "embertcp.h"
#include "embertcp-rt.h"
#include "port.h"

void hal_spi_select(int32_t active) { (void)active; }
void hal_spi_transfer(uint32_t ptr, int32_t len) { (void)ptr; (void)len; }

void hal_frame_out(uint32_t ptr, int32_t len) {
  const uint8_t* f = embertcp_mem(ptr, (uint32_t)len);
  if (!f || len <= 0 || port.tap < 0) { port.drop_tx++; return; }
  /* A full TAP queue (EAGAIN) drops the frame, as a busy wire would; TCP retransmits. */
  if (write(port.tap, f, (size_t)len) != len) port.drop_tx++;
  else port.frames_out++;
}

uint32_t hal_entropy(void) {
  if (port.entropy_left < 4) {
    ssize_t n = getrandom(port.entropy, sizeof port.entropy, 0);
    port.entropy_left = n > 0 ? (uint32_t)n : 0;
    if (port.entropy_left < 4) {  /* not expected after boot; never block the loop for it */
      port_event(0, "error", "getrandom failed; using the clock");
      return port_now() * 2654435761u;
    }
  }
  uint32_t v;
  port.entropy_left -= 4;
  memcpy(&v, port.entropy + port.entropy_left, 4);
  return v;
}

void hal_log(int32_t level, uint32_t ptr, int32_t len) {
  const uint8_t* s = embertcp_mem(ptr, len > 0 ? (uint32_t)len : 0);
  if (!s) return;
  char line[256];
  int n = snprintf(line, sizeof line, "%.*s", len > 200 ? 200 : (int)len, (const char*)s);
  (void)n;
  port_event(0, level >= 2 ? "error" : "log", line);
}
