/* tap.c - opening a TAP device (Documentation/networking/tuntap.rst). */
#include <fcntl.h>
#include <stdio.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tap.h"

/* Frames the kernel may queue towards us (tun's default is 500). At the
 * 400,000 frames a second of an hping3 flood, 500 frames last 1.2 ms, less
 * than a scheduler time slice of the hping3 process or the Linux client
 * sharing our core: the queue overflowed while we were off the CPU, not
 * because the loop was too slow, and dropped legitimate SYNs with the
 * flood's. 8192 frames last about 20 ms. */
#define TAP_QUEUE 8192

/* Bring the device up with a deeper queue; a failure to deepen it is not
 * fatal (the device works with the default). */
static int bring_up(const char* name) {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) return -1;
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
  int r = ioctl(s, SIOCGIFFLAGS, &ifr);
  if (r == 0) {
    ifr.ifr_flags |= IFF_UP;
    r = ioctl(s, SIOCSIFFLAGS, &ifr);
  }
  if (r == 0) {
    ifr.ifr_qlen = TAP_QUEUE;
    (void)ioctl(s, SIOCSIFTXQLEN, &ifr);
  }
  close(s);
  return r;
}

int tap_open(const char* name) {
  int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return -1;
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI;  /* raw Ethernet frames, no packet-info header */
  strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
  if (ioctl(fd, TUNSETIFF, &ifr) < 0 || bring_up(name) < 0) {
    close(fd);
    return -1;
  }
  return fd;
}

uint64_t tap_queue_drops(const char* name) {
  char path[96];
  snprintf(path, sizeof path, "/sys/class/net/%s/statistics/tx_dropped", name);
  FILE* f = fopen(path, "r");
  unsigned long long n = 0;
  if (f) {
    if (fscanf(f, "%llu", &n) != 1) n = 0;
    fclose(f);
  }
  return n;
}
