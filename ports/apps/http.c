/*
 * http.c - the HTTP/1.0 and 1.1 status server (port 80), the C
 * counterpart of host-sim/apps/http.ts: `/` (or /index.html) an HTML page
 * with the connection table (tcp_list) and the non-zero counters
 * (net_stats), `/status.json` the same as JSON. One request per
 * connection: the answer carries Content-Length and `Connection: close`
 * (RFC 9112 §9.6), then the server waits up to 2 s for the client's FIN
 * so the client holds TIME-WAIT. Anything but GET/HEAD gets 405, a bad
 * request line 400, an unknown path 404, over 8 KiB of header 431.
 */
#include <string.h>

#include "embertcp.h"
#include "embertcp-rt.h"
#include "embertcp_stats.h"
#include "app.h"
#include "text.h"

#define MAX_HEADER 8192
#define LINGER_MS 2000
#define HEAD_ROOM 256  /* the status line and headers go in front of the body */

static const char* const stat_names[EMBERTCP_STAT_COUNT] = {EMBERTCP_STAT_NAMES};

static void summary(const struct apps* a, struct text* t) {
  text_str(t, "up ");
  uint32_t up = a->now - a->started_ms;
  text_u32(t, up / 1000);
  text_str(t, ".");
  text_u32(t, (up % 1000) / 100);
  text_str(t, " s, apps ");
  const char* sep = "";
  for (uint32_t i = 0; i < APP_COUNT; i++)
    if (a->enabled & (1u << i)) { text_str(t, sep); text_str(t, apps_names[i]); sep = ", "; }
}

/* The connection rows: as many as fit the page, leaving `keep` bytes; the rest are counted. */
static void rows(struct text* t, uint32_t keep, int json) {
  uint32_t sp = net_scratch(), max = (uint32_t)net_scratch_size() / sizeof(embertcp_list_entry);
  int32_t n = tcp_list(sp, (int32_t)max);
  const embertcp_list_entry* e = (const embertcp_list_entry*)(const void*)embertcp_mem(sp, max * sizeof *e);
  uint32_t shown = 0;
  for (int32_t i = 0; e && i < n; i++, shown++) {
    if (t->len + keep + 200 > t->cap) break;
    text_str(t, json ? (i ? ",{\"local\":\"" : "{\"local\":\"") : "<tr><td>tcp</td><td>");
    text_endpoint(t, e[i].local_ip, e[i].local_port);
    text_str(t, json ? "\",\"remote\":\"" : "</td><td>");
    if (e[i].state == EMBERTCP_LISTEN) text_str(t, "*:*"); else text_endpoint(t, e[i].remote_ip, e[i].remote_port);
    text_str(t, json ? "\",\"state\":\"" : "</td><td class=\"state\">");
    text_str(t, text_state_name(e[i].state));
    text_str(t, json ? "\",\"handle\":" : "</td><td>");
    if (e[i].handle < 0) text_str(t, json ? "-1" : "SYN queue"); else text_u32(t, (uint32_t)e[i].handle);
    text_str(t, json ? "}" : "</td></tr>\n");
  }
  if (!json && e && (int32_t)shown < n) {
    text_str(t, "<tr><td colspan=\"5\">");
    text_u32(t, (uint32_t)n - shown);
    text_str(t, " more not shown</td></tr>\n");
  }
}

static void counters(struct text* t, int json) {
  uint32_t sp = net_scratch();
  int32_t n = net_stats(sp);
  const uint32_t* v = (const uint32_t*)(const void*)embertcp_mem(sp, EMBERTCP_STAT_COUNT * 4u);
  const char* sep = "";
  for (int32_t i = 0; v && i < n && i < EMBERTCP_STAT_COUNT; i++) {
    if (v[i] == 0) continue;
    text_str(t, json ? sep : "<tr><td>");
    text_str(t, json ? "\"" : "");
    text_str(t, stat_names[i]);
    text_str(t, json ? "\":" : "</td><td>");
    text_u32(t, v[i]);
    text_str(t, json ? "" : "</td></tr>\n");
    sep = ",";
  }
}

static void page_html(const struct apps* a, struct text* t) {
  text_str(t, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>embertcp ");
  text_ip(t, a->ip);
  text_str(t, "</title>\n<style>body{font:14px system-ui,sans-serif;margin:1.5em}table{border-collapse:collapse;"
              "margin:.5em 0 1.5em}td,th{border:1px solid #bbb;padding:2px 8px;text-align:left}th{background:#eee}"
              ".state{font-family:monospace}</style>\n</head><body>\n<h1>embertcp board ");
  text_ip(t, a->ip);
  text_str(t, "</h1>\n<p id=\"summary\">link up, ");
  summary(a, t);
  text_str(t, "</p>\n<h2>Connections</h2>\n<table id=\"connections\"><thead><tr><th>Proto</th><th>Local</th>"
              "<th>Remote</th><th>State</th><th>Handle</th></tr></thead>\n<tbody>\n");
  rows(t, 4096, 0);
  text_str(t, "</tbody></table>\n<h2>Counters</h2>\n<table id=\"counters\"><thead><tr><th>Counter</th>"
              "<th>Value</th></tr></thead>\n<tbody>\n");
  counters(t, 0);
  text_str(t, "</tbody></table>\n</body></html>\n");
}

static void page_json(const struct apps* a, struct text* t) {
  text_str(t, "{\"ip\":\"");
  text_ip(t, a->ip);
  text_str(t, "\",\"uptimeMs\":");
  text_u32(t, a->now - a->started_ms);
  text_str(t, ",\"connections\":[");
  rows(t, 4096, 1);
  text_str(t, "],\"stats\":{");
  counters(t, 1);
  text_str(t, "}}\n");
}

static int take_slot(struct apps* a) {
  for (int i = 0; i < EMBERTCP_HTTP_SLOTS; i++)
    if (!a->http_busy[i]) { a->http_busy[i] = 1; return i; }
  return -1;
}

static const char* reason(uint32_t code) {
  switch (code) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    default: return "Request Header Fields Too Large";
  }
}

/* The answer goes into slot `s`: body first (after HEAD_ROOM), then the headers just before it. */
static void answer(struct apps* a, struct app_conn* c, int s, uint32_t code, int what, int head_only) {
  uint8_t* page = a->http_page[s];
  struct text body, head;
  text_init(&body, (char*)page + HEAD_ROOM, EMBERTCP_HTTP_PAGE - HEAD_ROOM);
  const char* type = "text/plain";
  if (what == 1) { page_html(a, &body); type = "text/html; charset=utf-8"; }
  else if (what == 2) { page_json(a, &body); type = "application/json"; }
  else if (code == 404) text_str(&body, "no such page\n");
  else if (code == 405) text_str(&body, "only GET and HEAD\n");
  else if (code == 400) text_str(&body, "bad request line\n");
  else text_str(&body, "request header too large\n");
  char h[HEAD_ROOM];
  text_init(&head, h, sizeof h);
  text_str(&head, "HTTP/1.1 ");
  text_u32(&head, code);
  text_str(&head, " ");
  text_str(&head, reason(code));
  text_str(&head, "\r\nServer: embertcp\r\nContent-Type: ");
  text_str(&head, type);
  text_str(&head, "\r\nContent-Length: ");
  text_u32(&head, body.len);
  text_str(&head, "\r\nCache-Control: no-store\r\nConnection: close\r\n");
  if (code == 405) text_str(&head, "Allow: GET, HEAD\r\n");
  text_str(&head, "\r\n");
  memcpy(page + HEAD_ROOM - head.len, h, head.len);
  app_queue(c, page + HEAD_ROOM - head.len, head.len + (head_only ? 0 : body.len));
  c->http.slot = (int8_t)s;
  c->http.answered = 1;
  c->http.linger_until = a->now + LINGER_MS;
}

/* METHOD SP TARGET SP HTTP/1.x: 0 bad line, else 1 GET, 2 HEAD, 3 other; the path (before '?') in *path. */
static int request_line(char* line, const char** path) {
  char* sp1 = strchr(line, ' ');
  if (!sp1 || sp1 == line) return 0;
  for (char* p = line; p < sp1; p++) if (*p < 'A' || *p > 'Z') return 0;
  char* target = sp1 + 1;
  char* sp2 = strchr(target, ' ');
  if (!sp2 || sp2 == target) return 0;
  if (strcmp(sp2 + 1, "HTTP/1.0") != 0 && strcmp(sp2 + 1, "HTTP/1.1") != 0) return 0;
  *sp2 = 0;
  char* q = strchr(target, '?');
  if (q) *q = 0;
  *path = target;
  *sp1 = 0;
  return strcmp(line, "GET") == 0 ? 1 : strcmp(line, "HEAD") == 0 ? 2 : 3;
}

/* Answer once the header is complete and an answer buffer is free (else try again on refill). */
static void respond(struct apps* a, struct app_conn* c) {
  if (c->http.answered || c->http.eoh != 2) return;
  int s = take_slot(a);
  if (s < 0) return;
  const char* path = "";
  int m = c->http.header_bytes > MAX_HEADER ? -1 : request_line(c->http.line, &path);
  if (m < 0) answer(a, c, s, 431, 0, 0);
  else if (m == 0) answer(a, c, s, 400, 0, 0);
  else if (m == 3) answer(a, c, s, 405, 0, 0);
  else if (strcmp(path, "/") == 0 || strcmp(path, "/index.html") == 0) answer(a, c, s, 200, 1, m == 2);
  else if (strcmp(path, "/status.json") == 0) answer(a, c, s, 200, 2, m == 2);
  else answer(a, c, s, 404, 0, m == 2);
}

static void http_data(struct apps* a, struct app_conn* c, const uint8_t* data, uint32_t n) {
  struct http_req* r = &c->http;
  for (uint32_t i = 0; i < n && r->eoh != 2; i++) {
    uint8_t b = data[i];
    r->header_bytes++;
    if (!r->line_done) {
      if (b == '\n') r->line_done = 1;
      else if (b != '\r' && r->line_len + 1u < sizeof r->line) r->line[r->line_len++] = (char)b;
      r->line[r->line_len] = 0;
    }
    /* eoh: 1 at the start of a line, 2 after an empty line (CR LF CR LF or LF LF). */
    if (b == '\n') r->eoh = r->eoh == 1 ? 2 : 1;
    else if (b != '\r') r->eoh = 0;
    if (r->header_bytes > MAX_HEADER) r->eoh = 2;
  }
  respond(a, c);
}

static void http_refill(struct apps* a, struct app_conn* c) {
  respond(a, c);
  if (!app_drained(c) || !c->http.answered) return;
  if (c->http.slot >= 0) { a->http_busy[c->http.slot] = 0; c->http.slot = -1; }
  /* Answer sent: close once the client has closed, or when the linger time is up. */
  if ((int32_t)(a->now - c->http.linger_until) >= 0) c->close_when_drained = 1;
}

static void http_free(struct apps* a, struct app_conn* c) {
  if (c->http.slot >= 0) a->http_busy[c->http.slot] = 0;
  c->http.slot = -1;
}

const struct app_kind app_http = {"http", 80, 10000, 0, http_data, http_refill, 0, http_free};
