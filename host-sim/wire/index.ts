/**
 * The packet library: builders and parsers for Ethernet II, ARP, IPv4,
 * ICMP, UDP and TCP, and the Internet checksum, written from the RFCs and
 * independent of the AssemblyScript stack (assembly/) so that each can check
 * the other. Used by the demo, the trace, the tests and the benches; it
 * knows nothing of pcap or of the simulator.
 *
 * Builders take addresses as strings or numbers and return fresh byte
 * arrays without FCS; parsers never throw on wire data: they return null (or
 * "other"/"malformed") for what does not fit.
 */
export * from "./bytes.js";
export * from "./checksum.js";
export * from "./eth.js";
export * from "./arp.js";
export * from "./ipv4.js";
export * from "./icmp.js";
export * from "./udp.js";
export * from "./tcp.js";
