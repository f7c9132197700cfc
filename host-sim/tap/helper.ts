/**
 * The TAP relays: a child process that opens /dev/net/tun, attaches a TAP
 * interface (IFF_TAP | IFF_NO_PI, so each read is exactly one Ethernet frame
 * without FCS), brings it up, and moves frames between the interface and
 * its stdin/stdout as records: 2-byte big-endian length + frame. A record
 * of length 0 is followed by 4 bytes, the running total of frames the relay
 * dropped because the simulator did not read fast enough (the relay's out
 * buffer was full): the one place frames from Linux are dropped before the
 * simulator sees them. It says "ready NAME" on stderr once the device
 * exists, reports a vanished device in one line starting with "error ", and
 * exits when stdin closes (the TAP goes with it, as it is not persistent).
 *
 * Two implementations speak this protocol:
 * - relay.c, built by `npm run build` into build/embertcp-tap-relay with the
 *   system C compiler: reads the TAP until it is empty, writes the batch to
 *   the pipe at once, and writes each record from the pipe to the TAP; it
 *   moves several hundred thousand small frames a second each way.
 * - TAP_HELPER_PY below, the same loop in Python 3 for machines without a C
 *   compiler; the interpreter's per-frame cost limits it to a few tens of
 *   thousands of frames a second.
 *
 * Why a helper and not socat's TUN address: socat would relay the frames
 * over a byte stream, which loses frame boundaries, or over a datagram
 * socket; a UDP socket inside a test's network namespace is not reachable
 * from the board's process in the root namespace, and Node has no Unix
 * datagram sockets. The helper keeps the boundaries on a plain pipe, needs
 * no port, and can be started inside a namespace with `ip netns exec`, so
 * the TAP is created there and all of its traffic stays there.
 */

import { existsSync } from "node:fs";
import { buildPath } from "../paths.js";

/** The compiled relay, if `npm run build` could build it. */
export function compiledRelay(): string | null {
  const p = buildPath("embertcp-tap-relay");
  return existsSync(p) ? p : null;
}

export const TAP_HELPER_PY = String.raw`
import errno, fcntl, os, select, socket, struct, sys
name = sys.argv[1]
OUT_CAP = 1 << 20
try:
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, 0x400454ca, struct.pack("16sH", name.encode(), 0x0002 | 0x1000))
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    ifr = fcntl.ioctl(s, 0x8913, struct.pack("16sh14x", name.encode(), 0))
    flags = struct.unpack("16sh", ifr[:18])[1]
    fcntl.ioctl(s, 0x8914, struct.pack("16sh14x", name.encode(), flags | 1))
except OSError as e:
    sys.stderr.write("error cannot open TAP %s: %s\n" % (name, e.strerror)); sys.exit(3)
for f in (0, 1):
    fcntl.fcntl(f, fcntl.F_SETFL, fcntl.fcntl(f, fcntl.F_GETFL) | os.O_NONBLOCK)
sys.stderr.write("ready %s\n" % name); sys.stderr.flush()
GONE = (errno.ENODEV, errno.EBADFD, errno.EIO, errno.ENXIO)
def gone(e):
    sys.stderr.write("error TAP %s gone: %s\n" % (name, e.strerror)); sys.exit(4)
out = bytearray(); inb = b""; dropped = 0; sent = 0
while True:
    r, w, _ = select.select([fd, 0], [1] if out else [], [])
    if fd in r:
        for _ in range(1024):
            try:
                f = os.read(fd, 65535)
            except BlockingIOError:
                break
            except OSError as e:
                if e.errno in GONE: gone(e)
                break
            if len(out) + 2 + len(f) > OUT_CAP: dropped += 1
            else: out += struct.pack(">H", len(f)) + f
        if dropped != sent and len(out) + 6 <= OUT_CAP:
            out += struct.pack(">HI", 0, dropped); sent = dropped
    if out:
        try:
            n = os.write(1, out); del out[:n]
        except BlockingIOError:
            pass
        except OSError:
            sys.exit(0)
    if 0 in r:
        try:
            d = os.read(0, 262144)
        except BlockingIOError:
            d = None
        if d == b"":
            sys.exit(0)
        if d:
            inb += d; o = 0
            while len(inb) - o >= 2:
                n = (inb[o] << 8) | inb[o + 1]
                if len(inb) - o < 2 + n: break
                try:
                    os.write(fd, inb[o + 2:o + 2 + n])
                except OSError as e:
                    if e.errno in GONE: gone(e)
                o += 2 + n
            inb = inb[o:]
`;
