# SPDX-License-Identifier: GPL-2.0-or-later
"""qrun: helpers for tests that run the real qnet binary: processes, a fake
VM speaking QEMU's stream framing on a NIC's attach= socket, a raw QMP
client, and frame exchanges that check every byte."""
import json
import os
import random
import signal
import socket
import struct
import subprocess
import time

FAILS = []
PROBE_TYPE = b"\x88\xb5"          # IEEE local experimental ethertype
DATA_TYPE = b"\x88\xb6"


def check(cond, what):
    """Record and print one assertion."""
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        FAILS.append(what)
    return cond


def finish():
    """Print the verdict; return the exit status."""
    print(f"{'FAILED' if FAILS else 'PASSED'}: {len(FAILS)} failure(s)")
    return 1 if FAILS else 0


def free_port(kind=socket.SOCK_STREAM):
    """A port on 127.0.0.1 nothing listens on right now."""
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_path(path, proc, secs=10):
    """Wait until @path exists (or the process ended)."""
    end = time.time() + secs
    while time.time() < end:
        if os.path.exists(path):
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.02)
    return False


def no_notice(text):
    """@text without the epoll fallback's one-line notice (QNET_URING=epoll
    or io_uring unavailable): the cases check qnet's own messages."""
    return "".join(ln for ln in text.splitlines(True)
                   if not ln.startswith(("qnet: QNET_URING=epoll:",
                                         "qnet: io_uring is unavailable")))


class Qnet:
    """One qnet process serving until stop()."""

    def __init__(self, qnet, args, wait=(), prefix=()):
        self.args = list(prefix) + [qnet] + list(args)
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.ok = all(wait_path(p, self.proc) for p in wait)
        self.rc = None
        self.out = self.err = ""

    def stop(self, sig=signal.SIGTERM):
        """Signal qnet, wait for it; return its exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            self.out, self.err = self.proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.out, self.err = self.proc.communicate()
        self.err = no_notice(self.err)
        self.rc = self.proc.returncode
        return self.rc

    def stderr_now(self, secs=0.5):
        """Read what qnet printed on stderr so far (non-blocking-ish)."""
        import select
        buf = ""
        end = time.time() + secs
        fd = self.proc.stderr.fileno()
        while time.time() < end:
            r, _, _ = select.select([fd], [], [], max(0, end - time.time()))
            if not r:
                break
            d = os.read(fd, 65536).decode(errors="replace")
            if not d:
                break
            buf += d
        self.err = no_notice(self.err + buf)
        return self.err


def run(qnet, args, prefix=(), timeout=20):
    """Run qnet to completion (an error case); return (rc, stdout, stderr)."""
    try:
        r = subprocess.run(list(prefix) + [qnet] + list(args),
                           capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        return None, e.stdout or "", no_notice(e.stderr or "")
    return r.returncode, r.stdout, no_notice(r.stderr)


class Vm:
    """A VMM's NIC on qnet's attach= socket: 4-byte big-endian length +
    frame, as QEMU's -netdev stream sends them."""

    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.settimeout(5)
        self.s.connect(path)
        self.buf = b""

    def send(self, frame):
        self.s.sendall(struct.pack("!I", len(frame)) + frame)

    def recv(self, timeout=3):
        """The next frame, or None after @timeout seconds."""
        end = time.time() + timeout
        while True:
            if len(self.buf) >= 4:
                n = struct.unpack("!I", self.buf[:4])[0]
                if len(self.buf) >= 4 + n:
                    f, self.buf = self.buf[4:4 + n], self.buf[4 + n:]
                    return f
            left = end - time.time()
            if left <= 0:
                return None
            self.s.settimeout(left)
            try:
                d = self.s.recv(1 << 20)
            except socket.timeout:
                return None
            if not d:
                return None
            self.buf += d

    def recv_data(self, timeout=3, src=None):
        """The next test frame (probes, other traffic and, with @src,
        frames from other senders skipped)."""
        end = time.time() + timeout
        while True:
            f = self.recv(max(0.0, end - time.time()))
            if f is None or (f[12:14] == DATA_TYPE and
                             (src is None or f[6:12] == src)):
                return f

    def close(self):
        self.s.close()


def frame(size, seq, src=b"\x52\x54\x00\xaa\x00\x01"):
    """A test frame of @size bytes: broadcast, DATA_TYPE, seq, random body."""
    rnd = random.Random(seq * 7919 + size)
    head = b"\xff" * 6 + src + DATA_TYPE + struct.pack("!I", seq)
    return head + bytes(rnd.getrandbits(8) for _ in range(size - len(head)))


def wait_link(tx, rx, secs=10):
    """Send probes from @tx until @rx sees one: the path is up."""
    end = time.time() + secs
    n = 0
    while time.time() < end:
        n += 1
        tx.send(b"\xff" * 6 + b"\x52\x54\x00\xaa\x00\x09" + PROBE_TYPE +
                struct.pack("!I", n) + bytes(46))
        f = rx.recv(0.2)
        while f is not None:
            if f[12:14] == PROBE_TYPE:
                return True
            f = rx.recv(0.05)
    return False


def exchange(tx, rx, sizes, seq0=0, src=b"\x52\x54\x00\xaa\x00\x01"):
    """Send one frame of each size from @tx (source MAC @src); @rx must
    get them all, in order, byte for byte. Return (sent, received-equal)."""
    sent = [frame(s, seq0 + i, src) for i, s in enumerate(sizes)]
    for f in sent:
        tx.send(f)
    got = 0
    for f in sent:
        g = rx.recv_data(5, src)
        if g != f:
            break
        got += 1
    return len(sent), got


class Qmp:
    """A raw QMP client on a unix socket; keeps the events it reads."""

    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.settimeout(10)
        self.s.connect(path)
        self.buf = b""
        self.events = []
        self.greeting = self.read()
        self.cmd("qmp_capabilities")

    def read(self, timeout=10):
        dec = json.JSONDecoder()
        end = time.time() + timeout
        while True:
            text = self.buf.decode(errors="replace").lstrip()
            if text:
                try:
                    obj, n = dec.raw_decode(text)
                    self.buf = text[n:].encode()
                    return obj
                except ValueError:
                    pass
            left = end - time.time()
            if left <= 0:
                return None
            self.s.settimeout(left)
            try:
                data = self.s.recv(65536)
            except socket.timeout:
                return None
            if not data:
                return None
            self.buf += data

    def cmd(self, name, args=None):
        msg = {"execute": name}
        if args is not None:
            msg["arguments"] = args
        self.s.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            r = self.read()
            if r is None or "event" not in r:
                return r
            self.events.append(r)

    def event(self, name, timeout=5):
        """The first event called @name (already read or arriving)."""
        end = time.time() + timeout
        while True:
            for e in self.events:
                if e.get("event") == name:
                    self.events.remove(e)
                    return e
            left = end - time.time()
            if left <= 0:
                return None
            r = self.read(left)
            if r is None:
                return None
            if "event" in r:
                self.events.append(r)

    def hmp(self, line):
        r = self.cmd("human-monitor-command", {"command-line": line})
        return (r or {}).get("return", "").replace("\r\n", "\n")

    def close(self):
        self.s.close()
