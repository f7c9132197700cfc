// Record layouts the TCP exports write into host memory (docs/ABI.md).
// Every field is a little-endian u32 (addresses as numbers, 10.0.0.2 =
// 0x0A000002).

/** tcp_status record: field indexes (× 4 = byte offset). */
export const enum StatusField {
  STATE = 0, LOCAL_IP, LOCAL_PORT, REMOTE_IP, REMOTE_PORT,
  ISS, IRS, SND_UNA, SND_NXT, SND_WND, RCV_NXT, RCV_WND,
  RTO_MS, SEND_QUEUED, RECV_QUEUED,
  SND_UP, RCV_UP, SND_WL1, SND_WL2, CWND, SSTHRESH, SRTT_MS, RETRIES, SND_MSS,
  COUNT
}
// @ts-ignore: decorator
@inline export const STATUS_BYTES: i32 = <i32>StatusField.COUNT * 4;

/** tcp_list entry: field indexes. HANDLE is -1 for half-open SYN-queue entries. */
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
