/*
 * embertcp-tap-relay: moves Ethernet frames between a Linux TAP device and
 * the simulator (its stdin/stdout), in batches.
 *
 *   embertcp-tap-relay NAME
 *
 * Opens /dev/net/tun, attaches TAP NAME (IFF_TAP | IFF_NO_PI: one read is
 * one frame without FCS, see Documentation/networking/tuntap.rst), brings it
 * up and says "ready NAME" on stderr. Then, until stdin closes:
 *
 *   TAP -> stdout: read frames until the device is empty (EAGAIN) or a batch
 *   is full, append each as a record (2-byte big-endian length + frame) to
 *   the out buffer, and write the buffer with as few write()s as the pipe
 *   takes. A frame that finds the out buffer full is DROPPED HERE and
 *   counted: this is the one place the relay drops (the simulator is not
 *   reading fast enough). The TAP is always drained, so frames never pile
 *   up in the kernel's queue where nobody would count them. The running
 *   drop total goes to the simulator as a control record: length 0, then a
 *   4-byte big-endian count.
 *
 *   stdin -> TAP, on a second thread: read as much as the pipe holds, write
 *   each complete record to the TAP with one write() (a TAP takes one frame
 *   per write).
 *
 * Errors are one line on stderr starting with "error ": the device cannot be
 * opened (exit 3) or vanished (exit 4). SIGPIPE is ignored so a gone
 * simulator ends the relay through EPIPE (exit 0).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define OUT_CAP (4u << 20)   /* bytes queued towards the simulator: about 70,000 small frames, 150 ms of an hping3 flood */
#define IN_CAP (1u << 18)    /* bytes read from the simulator at once */
#define FRAME_MAX 65535u     /* one TAP read; longer frames cannot be framed */
#define BATCH_FRAMES 1024    /* TAP reads per turn, so the batch goes to the pipe before the buffer fills */
#define PIPE_BYTES (1 << 20) /* asked for on both pipes (F_SETPIPE_SZ) */
#define TAP_QUEUE 8192       /* frames the kernel queues towards the relay */

struct relay {
    const char *name;
    int tap;
    uint8_t out[OUT_CAP];
    size_t outLen;
    uint8_t in[IN_CAP];
    size_t inLen;
    uint32_t dropped;
    uint32_t droppedSent;
    uint8_t frame[FRAME_MAX];
};

static struct relay r;

/* One line "error <what> NAME[ gone]: <reason>", then exit. */
static void fail(int code, const char *what) {
    fprintf(stderr, "error %s %s%s: %s\n", what, r.name, code == 4 ? " gone" : "", strerror(errno));
    exit(code);
}

static int tapGone(int e) { return e == ENODEV || e == EBADFD || e == EIO || e == ENXIO; }

static void openTap(void) {
    struct ifreq ifr;
    if (strlen(r.name) >= IFNAMSIZ) { errno = ENAMETOOLONG; fail(3, "cannot open TAP"); }
    r.tap = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (r.tap < 0) fail(3, "cannot open TAP");
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    strncpy(ifr.ifr_name, r.name, IFNAMSIZ - 1);
    if (ioctl(r.tap, TUNSETIFF, &ifr) < 0) fail(3, "cannot open TAP");
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0) fail(3, "cannot open TAP");
    ifr.ifr_flags |= IFF_UP;
    if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) fail(3, "cannot open TAP");
    /* A deeper queue in front of the relay (tun's default is 500 frames):
     * the kernel drops there only while the relay gets no CPU at all. */
    ifr.ifr_qlen = TAP_QUEUE;
    ioctl(s, SIOCSIFTXQLEN, &ifr);
    close(s);
}

/* Queue one record; a full buffer drops the frame (the documented place). */
static void queueFrame(const uint8_t *f, size_t n) {
    if (r.outLen + 2 + n > OUT_CAP) { r.dropped++; return; }
    r.out[r.outLen] = (uint8_t)(n >> 8);
    r.out[r.outLen + 1] = (uint8_t)n;
    memcpy(r.out + r.outLen + 2, f, n);
    r.outLen += 2 + n;
}

/* The drop total, once it changed and there is room for it. */
static void queueDropCount(void) {
    if (r.dropped == r.droppedSent || r.outLen + 6 > OUT_CAP) return;
    uint8_t rec[6] = {0, 0, (uint8_t)(r.dropped >> 24), (uint8_t)(r.dropped >> 16), (uint8_t)(r.dropped >> 8), (uint8_t)r.dropped};
    memcpy(r.out + r.outLen, rec, 6);
    r.outLen += 6;
    r.droppedSent = r.dropped;
}

/* Drain the TAP (up to a batch); exits if the device vanished. */
static void readTap(void) {
    for (int i = 0; i < BATCH_FRAMES; i++) {
        ssize_t n = read(r.tap, r.frame, FRAME_MAX);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) break;
            if (tapGone(errno)) fail(4, "TAP");
            break;
        }
        if (n == 0) break;
        queueFrame(r.frame, (size_t)n);
    }
    queueDropCount();
}

/* Write what the pipe takes now. */
static void flushOut(void) {
    size_t off = 0;
    while (off < r.outLen) {
        ssize_t n = write(1, r.out + off, r.outLen - off);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) break;
            exit(0); /* EPIPE: the simulator is gone */
        }
        off += (size_t)n;
    }
    memmove(r.out, r.out + off, r.outLen - off);
    r.outLen -= off;
}

/* Read from the simulator and write every complete record to the TAP. */
static void readStdin(void) {
    ssize_t n = read(0, r.in + r.inLen, IN_CAP - r.inLen);
    if (n == 0) exit(0);
    if (n < 0) { if (errno == EAGAIN || errno == EINTR) return; exit(0); }
    r.inLen += (size_t)n;
    size_t off = 0;
    while (r.inLen - off >= 2) {
        size_t len = ((size_t)r.in[off] << 8) | r.in[off + 1];
        if (r.inLen - off < 2 + len) break;
        if (write(r.tap, r.in + off + 2, len) < 0 && tapGone(errno)) fail(4, "TAP");
        off += 2 + len;
    }
    memmove(r.in, r.in + off, r.inLen - off);
    r.inLen -= off;
}

/* stdin -> TAP, on a thread of its own: writing a frame into the TAP runs
 * Linux's receive path for it, so a flood's thousands of SYN-ACKs in one
 * read from the simulator take milliseconds to write. Done between TAP reads
 * on one thread, that let the TAP's queue overflow meanwhile; the two
 * directions share nothing but the device. */
static void *towardsTap(void *unused) {
    (void)unused;
    for (;;) {
        struct pollfd p = {0, POLLIN, 0};
        if (poll(&p, 1, -1) < 0 && errno != EINTR) exit(0);
        if (p.revents & (POLLIN | POLLHUP | POLLERR)) readStdin();
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "error usage: embertcp-tap-relay NAME\n"); return 2; }
    r.name = argv[1];
    signal(SIGPIPE, SIG_IGN);
    openTap();
    fcntl(0, F_SETPIPE_SZ, PIPE_BYTES);
    fcntl(1, F_SETPIPE_SZ, PIPE_BYTES);
    fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
    fcntl(1, F_SETFL, fcntl(1, F_GETFL) | O_NONBLOCK);
    pthread_t writer;
    if (pthread_create(&writer, 0, towardsTap, 0) != 0) fail(3, "cannot start the writer for TAP");
    fprintf(stderr, "ready %s\n", r.name);
    /* TAP -> stdout on the main thread. */
    for (;;) {
        struct pollfd p[2] = {{r.tap, POLLIN, 0}, {1, r.outLen ? POLLOUT : 0, 0}};
        if (poll(p, 2, -1) < 0 && errno != EINTR) fail(4, "TAP");
        if (p[0].revents & (POLLERR | POLLHUP | POLLNVAL)) { errno = ENODEV; fail(4, "TAP"); }
        if (p[0].revents & POLLIN) readTap();
        if (r.outLen) flushOut();
        if (p[1].revents & POLLERR) return 0;
    }
}
