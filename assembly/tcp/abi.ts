// Record layouts the TCP exports write into host memory (docs/ABI.md).
// Every field is a little-endian u32 (addresses as numbers, 10.0.0.2 =
// 0x0A000002).

/** tcp_status record: field indexes (× 4 = byte offset). */
export const enum StatusField {
  STATE = 0,     // tcp_state number (0 CLOSED … 10 TIME-WAIT)
  LOCAL_IP,      // our address
  LOCAL_PORT,    // our port
  REMOTE_IP,     // the peer's address
  REMOTE_PORT,   // the peer's port
  ISS,           // initial send sequence number (RFC 6528)
  IRS,           // initial receive sequence number
  SND_UNA,       // oldest unacknowledged sequence number
  SND_NXT,       // next sequence number to send
  SND_WND,       // the peer's window
  RCV_NXT,       // next sequence number expected
  RCV_WND,       // the window last advertised
  RTO_MS,        // current retransmission timeout (RFC 6298)
  SEND_QUEUED,   // bytes in the send ring (unsent and unacknowledged)
  RECV_QUEUED,   // bytes in the receive ring ready for tcp_recv
  SND_UP,        // send urgent pointer (= SND_UNA: tcp_send sends no urgent data)
  RCV_UP,        // receive urgent pointer
  SND_WL1,       // SEG.SEQ of the last window update
  SND_WL2,       // SEG.ACK of the last window update
  CWND,          // congestion window, bytes (RFC 5681)
  SSTHRESH,      // slow-start threshold, bytes
  SRTT_MS,       // smoothed round-trip time
  RETRIES,       // retransmissions in a row of the oldest segment
  SND_MSS,       // largest segment we send (the peer's MSS, bounded by ours)
  COUNT
}
// @ts-ignore: decorator
@inline export const STATUS_BYTES: i32 = <i32>StatusField.COUNT * 4;

/** tcp_list entry: field indexes. HANDLE is -1 for half-open SYN-queue entries and connections the user has closed. */
export const enum ListField {
  HANDLE = 0, STATE, LOCAL_IP, LOCAL_PORT, REMOTE_IP, REMOTE_PORT,
  COUNT
}
// @ts-ignore: decorator
@inline export const LIST_ENTRY_BYTES: i32 = <i32>ListField.COUNT * 4;

/** tcp_poll flags. */
export const enum PollFlag {
  READABLE = 1,      // tcp_recv would return data, 0 (end of stream) or an error; a listener has a connection to accept
  WRITABLE = 2,      // tcp_send would accept at least one byte
  PEER_CLOSED = 4,   // the peer's FIN has arrived (its stream has ended)
  ERROR = 8,         // reset, refused or timed out: the next call returns the error
  ESTABLISHED = 16,  // the handshake has completed
}

/** RFC 9293 states as tcp_state numbers them. */
export const enum State {
  CLOSED = 0, LISTEN, SYN_SENT, SYN_RECEIVED, ESTABLISHED,
  FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT,
}

/** tcp_option keys (value >= 0 sets, < 0 reads; tcp/options.ts holds the ranges). */
export const enum TcpOption {
  NODELAY = 0,       // 1: Nagle off for this connection (RFC 9293 §3.7.4); 0 (default): as net_config nagle says
  KEEPALIVE,         // 1: send keep-alive probes when idle (RFC 1122 §4.2.3.6); 0 (default): never
  KEEPIDLE_MS,       // idle time before the first probe: 1..32767000, default 7200000 (two hours)
  KEEPINTVL_MS,      // time between unanswered probes: 1..32767000, default 75000
  KEEPCNT,           // unanswered probes before the connection fails with ETIMEDOUT: 1..127, default 9
  USER_TIMEOUT_MS,   // RFC 5482: fail with ETIMEDOUT when sent data stays unacknowledged this long; 0 (default): after tcp_max_retries timeouts
  COUNT
}
