/**
 * The soak's network: a learning switch in virtual time, an echo server
 * board and two client boards (each the ENC28J60 model behind the module),
 * every board's cable through a seeded fault injector, and one plain port
 * from which SYN floods come.
 */
import { Board } from "../board.js";
import { VirtualClock } from "../clock.js";
import { EchoServer } from "../apps/index.js";
import { type FaultyLink, LearningSwitch, type LinkEnd, withFaults } from "../links/index.js";
import { EchoLoad } from "./load.js";

export const SERVER_IP = "10.0.0.2";

export interface SoakNet {
  clock: VirtualClock;
  sw: LearningSwitch;
  server: Board;
  clients: Board[];
  loads: EchoLoad[];
  cables: FaultyLink[];
  /** The port floods are sent from (frames with FCS). */
  flooder: LinkEnd;
}

/** Per-frame fault rates on every cable: rare enough that TCP recovers, common enough to matter over a day. */
export const CABLE_FAULTS = { drop: 0.003, duplicate: 0.001, reorder: 0.002, delay: 0.002, corrupt: 0.001, delayMs: [1, 40] as [number, number] };

export function buildNet(seed: number): SoakNet {
  const clock = new VirtualClock();
  const sw = new LearningSwitch({ clock });
  const cables: FaultyLink[] = [];
  const board = (name: string, n: number): Board => {
    const cable = withFaults(sw.connect(clock, { checkFcs: true }), clock, { seed: (seed * 31 + n) >>> 0, ...CABLE_FAULTS });
    cables.push(cable);
    return new Board({ name, link: cable, clock, mac: `02:00:00:00:00:0${n}`, ip: `10.0.0.${n}`, seed: (seed * 17 + n) >>> 0 });
  };
  const server = board("S", 2).start([new EchoServer()]);
  const loads = [new EchoLoad(SERVER_IP), new EchoLoad(SERVER_IP)];
  const clients = [board("C1", 3).start([loads[0]]), board("C2", 4).start([loads[1]])];
  return { clock, sw, server, clients, loads, cables, flooder: sw.connect(clock) };
}

/** Every board of the network. */
export function boards(n: SoakNet): Board[] { return [n.server, ...n.clients]; }
