/**
 * The TAP helper: a few lines of Python 3 run with `python3 -c`, which open
 * /dev/net/tun, attach a TAP interface (IFF_TAP | IFF_NO_PI, so each read is
 * exactly one Ethernet frame without FCS), bring it up, and relay frames
 * between the interface and its stdin/stdout as 2-byte big-endian length +
 * frame. It says "ready NAME" on stderr once the device exists, reports a
 * vanished device in one line on stderr, and exits when stdin closes (the
 * TAP goes with it, as it is not made persistent).
 *
 * Why a helper and not socat's TUN address: socat would relay the frames
 * over a byte stream, which loses frame boundaries, or over a datagram
 * socket; a UDP socket inside a test's network namespace is not reachable
 * from the board's process in the root namespace, and Node has no Unix
 * datagram sockets. The helper keeps the boundaries on a plain pipe, needs
 * no port, and can be started inside a namespace with `ip netns exec`, so
 * the TAP is created there and all of its traffic stays there.
 */

export const TAP_HELPER_PY = String.raw`
import fcntl, os, select, socket, struct, sys
name = sys.argv[1]
try:
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, 0x400454ca, struct.pack("16sH", name.encode(), 0x0002 | 0x1000))
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    ifr = fcntl.ioctl(s, 0x8913, struct.pack("16sh14x", name.encode(), 0))
    flags = struct.unpack("16sh", ifr[:18])[1]
    fcntl.ioctl(s, 0x8914, struct.pack("16sh14x", name.encode(), flags | 1))
except OSError as e:
    sys.stderr.write("error cannot open TAP %s: %s\n" % (name, e.strerror)); sys.exit(3)
sys.stderr.write("ready %s\n" % name); sys.stderr.flush()
out = sys.stdout.buffer
buf = b""
while True:
    r, _, _ = select.select([fd, 0], [], [])
    if fd in r:
        try:
            f = os.read(fd, 65536)
        except OSError as e:
            sys.stderr.write("error TAP %s gone: %s\n" % (name, e.strerror)); sys.exit(4)
        try:
            out.write(struct.pack(">H", len(f)) + f); out.flush()
        except BrokenPipeError:
            sys.exit(0)
    if 0 in r:
        d = os.read(0, 262144)
        if not d:
            sys.exit(0)
        buf += d
        while len(buf) >= 2:
            n = struct.unpack(">H", buf[:2])[0]
            if len(buf) < 2 + n:
                break
            try:
                os.write(fd, buf[2:2 + n])
            except OSError as e:
                if e.errno in (19, 77):
                    sys.stderr.write("error TAP %s gone: %s\n" % (name, e.strerror)); sys.exit(4)
            buf = buf[2 + n:]
`;
