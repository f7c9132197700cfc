// The AssemblyScript entry for firmware that compiles embertcp into its own
// module (source-level linking, docs/EMBEDDING.md):
//
//   import { netInit, netPoll, tcpListen, tcpAccept, tcpRecv, tcpSend } from "embertcp/assembly/api";
//
// Every function here is the exported ABI of assembly/index.ts under a
// camelCase name, with the same argument checks and the same results
// (docs/ABI.md); nothing is reimplemented. The firmware's own entry file
// decides what its module exports: importing this file exports nothing.
// Build the firmware with `--runtime stub` and
// `--use abort=~lib/embertcp/assembly/hal/halAbort` so that the module's
// imports stay the five `hal` functions (plus whatever the firmware adds).

export {
  net_init as netInit,
  net_poll as netPoll,
  net_input as netInput,
  net_scratch as netScratch,
  net_scratch_size as netScratchSize,
  net_config as netConfig,
  net_stats as netStats,
  tcp_listen as tcpListen,
  tcp_accept as tcpAccept,
  tcp_connect as tcpConnect,
  tcp_send as tcpSend,
  tcp_recv as tcpRecv,
  tcp_close as tcpClose,
  tcp_abort as tcpAbort,
  tcp_poll as tcpPoll,
  tcp_state as tcpState,
  tcp_status as tcpStatus,
  tcp_list as tcpList,
  udp_bind as udpBind,
  udp_sendto as udpSendto,
  udp_recvfrom as udpRecvfrom,
  udp_close as udpClose,
  udp_port as udpPort,
  net_addr as netAddr,
  net_hostname as netHostname,
  dns_server as dnsServer,
  dns_query as dnsQuery,
  dns_result as dnsResult,
  tcp_option as tcpOption,
} from "./index";

// Error codes (negative results), docs/ABI.md "Errors".
export {
  EINVAL, ENOMEM, EAGAIN, ENOTCONN, ECONNRESET, ECONNREFUSED, ETIMEDOUT, EADDRINUSE, ECLOSED, ENODEV,
  EMSGSIZE, ENOTFOUND, ENETUNREACH,
} from "./errors";

// net_init links, tcp_poll flags, tcp_state numbers, record layouts.
export { LinkKind } from "./link";
export { DhcpState } from "./dhcp/client";
export { PollFlag, State, StatusField, ListField, TcpOption, STATUS_BYTES, LIST_ENTRY_BYTES } from "./tcp/abi";

// The compile-time limits this build was made with (assembly/config.ts).
export {
  TCB_COUNT, TCP_TX_BUF, TCP_RX_BUF, LISTENER_COUNT, SYN_QUEUE, ARP_ENTRIES, SCRATCH_SIZE,
  UDP, DHCP, DNS, UDP_SOCKETS, UDP_RX_BUF, DNS_CACHE, DNS_QUERIES,
} from "./config";
