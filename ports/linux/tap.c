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
