// asc transform: leaves out the exports of a part built with EMBER_UDP=0,
// EMBER_DHCP=0 or EMBER_DNS=0 (assembly/config.ts). AssemblyScript cannot
// make an export conditional, so the exports are removed from the compiled
// module before optimisation; the optimiser then drops the code only they
// reached (the stack's own calls into the parts are folded away by the
// same constants). `npm run build` and host-sim/asc.ts pass it with --transform.

/** The exports each part adds (docs/ABI.md "UDP, DHCP and DNS"). */
export const PART_EXPORTS = {
  UDP: ["udp_bind", "udp_sendto", "udp_recvfrom", "udp_close", "udp_port"],
  DHCP: ["net_addr", "net_hostname"],
  DNS: ["dns_server", "dns_query", "dns_result"],
};

export default class FeatureExports {
  // The program comes as an argument here: `this.program` lives on the
  // class prototype, shared by concurrent in-process compilations.
  afterInitialize(program) {
    this.aliases = program.options.globalAliases;
  }

  afterCompile(module) {
    const aliases = this.aliases;
    const off = (name) => aliases != null && aliases.has(`EMBER_${name}`) && Number(aliases.get(`EMBER_${name}`)) === 0;
    // DHCP and DNS run over UDP: without it they are out too.
    const absent = { UDP: off("UDP"), DHCP: off("UDP") || off("DHCP"), DNS: off("UDP") || off("DNS") };
    for (const [part, names] of Object.entries(PART_EXPORTS)) {
      if (!absent[part]) continue;
      for (const name of names) if (module.getExport(name)) module.removeExport(name);
    }
  }
}
