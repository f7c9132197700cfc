/*
 * apps.h - the four servers every embertcp host runs, in portable C11
 * against include/embertcp.h (the same apps as the simulator's
 * host-sim/apps): echo (RFC 862, port 7), discard (RFC 863, port 9,
 * closing after the peer's FIN), chargen (RFC 864, port 19) and an HTTP
 * status page (port 80: the counters and the connection table).
 *
 * No OS calls and no allocation: all state is in one `struct apps` the
 * port owns. The port calls apps_service() after every net_poll or batch
 * of frames, and wakes for apps_wake() (idle and linger deadlines). Events
 * ("echo 10.0.0.1:40000 accepted", ...) go to the port's callback.
 *
 * Limits (define on the compiler command line):
 *   EMBERTCP_APP_CONNS  connections served at once, all apps (default 16)
 *   EMBERTCP_APP_BUF    bytes a connection holds between recv and send
 *                       (default 1536: one full segment)
 *   EMBERTCP_HTTP_SLOTS HTTP answers being sent at once (default 2)
 *   EMBERTCP_HTTP_PAGE  bytes of one HTTP answer (default 16384); rows of
 *                       the connection table that do not fit are counted
 */
#ifndef EMBERTCP_APPS_H
#define EMBERTCP_APPS_H

#include <stdint.h>

#ifndef EMBERTCP_APP_CONNS
#define EMBERTCP_APP_CONNS 16
#endif
#ifndef EMBERTCP_APP_BUF
#define EMBERTCP_APP_BUF 1536
#endif
#ifndef EMBERTCP_HTTP_SLOTS
#define EMBERTCP_HTTP_SLOTS 2
#endif
#ifndef EMBERTCP_HTTP_PAGE
#define EMBERTCP_HTTP_PAGE 16384
#endif

enum app_id { APP_ECHO, APP_DISCARD, APP_CHARGEN, APP_HTTP, APP_COUNT };
#define APPS_ALL ((1u << APP_COUNT) - 1u)

/* Per-connection HTTP request state: the request line and the end-of-header scan. */
struct http_req {
  char line[128];
  uint16_t line_len;
  uint8_t line_done, eoh;  /* eoh: how much of CR LF CR LF (or LF LF) was seen */
  uint8_t answered;
  int8_t slot;             /* the answer buffer in use, -1 none */
  uint32_t header_bytes, linger_until;
};

struct app_conn {
  int32_t handle;          /* 0: slot free */
  uint8_t app;             /* enum app_id */
  uint8_t peer_closed, close_when_drained, closed;
  uint32_t peer_ip, peer_port;
  uint32_t bytes_in, bytes_out, last_active;
  const uint8_t* out;      /* bytes waiting for tcp_send: out[out_off..out_len) */
  uint32_t out_len, out_off;
  uint32_t chargen_line;
  struct http_req http;
  uint8_t buf[EMBERTCP_APP_BUF];
};

typedef void apps_event_fn(void* ctx, const char* kind, const char* text);

struct apps {
  uint32_t enabled;        /* bit per enum app_id */
  int32_t listener[APP_COUNT];
  uint32_t ip, started_ms, now;
  apps_event_fn* event;
  void* ctx;
  uint32_t accepted[APP_COUNT], finished[APP_COUNT], failed[APP_COUNT];
  uint32_t discarded;
  struct app_conn conns[EMBERTCP_APP_CONNS];
  uint8_t http_busy[EMBERTCP_HTTP_SLOTS];
  uint8_t http_page[EMBERTCP_HTTP_SLOTS][EMBERTCP_HTTP_PAGE];
};

/* The app names, by enum app_id: "echo", "discard", "chargen", "http". */
extern const char* const apps_names[APP_COUNT];

/* "echo,http" -> a mask of enum app_id bits. Returns 0, or -1 with *bad
 * pointing at the unknown name (not NUL-terminated: it ends at ',' or NUL). */
int apps_parse(const char* list, uint32_t* mask, const char** bad);

/* Listen on the enabled apps' ports (a failure is an "error" event). */
void apps_start(struct apps* a, uint32_t mask, uint32_t ip, uint32_t now_ms, apps_event_fn* event, void* ctx);
/* Accept, read, answer and close; returns 1 when anything happened. */
int apps_service(struct apps* a, uint32_t now_ms);
/* The accept queue each listener asks for: the deepest the ABI allows. */
#define APPS_BACKLOG 16
/* Accept only: take what waits in the accept queues while app slots are
 * free. A port that hands the stack more than APPS_BACKLOG frames between
 * apps_service() calls calls this at least every APPS_BACKLOG frames: a
 * frame completes at most one handshake, so a burst then cannot overflow
 * a queue the apps simply had no turn to drain (the stack drops the SYN
 * or the handshake's ACK of a full queue, and the client waits out its
 * retransmission, 1 s for a SYN: RFC 6298 §2.1). Returns 1 when it took
 * any. */
int apps_accept(struct apps* a, uint32_t now_ms);
/* ms from now_ms until the next app deadline (idle, linger), or -1. */
int32_t apps_wake(const struct apps* a, uint32_t now_ms);
/* Abort every connection and close the listeners. */
void apps_stop(struct apps* a);

#endif
