/* options.h - the command line of embertcp-tap. */
#ifndef EMBERTCP_LINUX_OPTIONS_H
#define EMBERTCP_LINUX_OPTIONS_H

#include <stdint.h>

#define USAGE "usage: embertcp-tap --tap NAME --ip A.B.C.D/NN [--gw A.B.C.D] [--mac MAC] [--apps echo,discard,chargen,http] [--syncookies 0|1|2]"

struct options {
  const char* tap;
  uint32_t ip, netmask, gateway, prefix;
  uint8_t mac[6];
  uint32_t apps;         /* enum app_id bits */
  int32_t syncookies;    /* -1: the module's default */
};

/* Fills `o`. Returns 0, 1 for --help, or -1 with a one-line reason in `why`. */
int options_parse(int argc, char** argv, struct options* o, char* why, uint32_t why_len);

#endif
