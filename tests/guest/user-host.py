#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# user-host.py: host-side tools of the guest user-net suite: a tiny DNS server,
# HTTP/TCP/UDP clients through forwards, port holders, and frame injectors
# speaking QEMU's stream and dgram framing to qnet. One subcommand per tool;
# each prints what it saw and exits 0 on success, 1 on failure.
import argparse
import hashlib
import json
import os
import socket
import struct
import sys
import time
import urllib.request


def log(*a):
    print(*a, flush=True)


# ---------------------------------------------------------------- DNS server

def dns_name(pkt, off):
    """Return (name, offset after the name) of an uncompressed QNAME."""
    labels = []
    while True:
        n = pkt[off]
        off += 1
        if n == 0:
            return ".".join(labels), off
        if n & 0xC0:
            raise ValueError("compressed name in a query")
        labels.append(pkt[off:off + n].decode("ascii", "replace"))
        off += n


def dns_answer(pkt, table):
    """Build the reply to one query: A records from table, else NXDOMAIN."""
    qid, flags, qd = struct.unpack("!HHH", pkt[:6])
    name, off = dns_name(pkt, 12)
    qtype, qclass = struct.unpack("!HH", pkt[off:off + 4])
    question = pkt[12:off + 4]
    key = name.lower().rstrip(".")
    rcode, answers = 0, b""
    if key not in table:
        rcode = 3
    elif qtype == 1 and qclass == 1:
        addr = socket.inet_aton(table[key])
        answers = struct.pack("!HHHIH", 0xC00C, 1, 1, 60, 4) + addr
    hdr = struct.pack("!HHHHHH", qid, 0x8180 | (flags & 0x0100) | rcode, 1,
                      1 if answers else 0, 0, 0)
    return hdr + question + answers, name, qtype


def cmd_dns(a):
    """Answer A queries for --name NAME=ADDR (repeatable); log each query."""
    table = {}
    for kv in a.name:
        k, v = kv.split("=", 1)
        table[k.lower().rstrip(".")] = v
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((a.addr, a.port))
    log("dns listening %s:%d" % s.getsockname())
    while True:
        pkt, peer = s.recvfrom(4096)
        try:
            reply, name, qtype = dns_answer(pkt, table)
        except (ValueError, IndexError, struct.error) as e:
            log("dns bad query from %s: %s" % (peer, e))
            continue
        log("dns query name=%s type=%d from=%s:%d answered=%s" %
            (name, qtype, peer[0], peer[1], name.lower() in table))
        s.sendto(reply, peer)


# ------------------------------------------------------------------ clients

def retry(fn, tries, delay=0.2):
    err = None
    for _ in range(tries):
        try:
            return fn()
        except OSError as e:
            err = e
            time.sleep(delay)
    raise err


def cmd_http_get(a):
    def get():
        with urllib.request.urlopen(a.url, timeout=a.timeout) as r:
            return r.read()
    try:
        body = retry(get, a.tries)
    except OSError as e:
        log("http-get %s: error %s" % (a.url, e))
        return 1
    sha = hashlib.sha256(body).hexdigest()
    text = body[:80].decode("ascii", "replace").strip()
    log("http-get %s: bytes=%d sha256=%s%s" % (
        a.url, len(body), sha, (" text=%r" % text) if len(body) < 80 else ""))
    if a.sha and sha != a.sha:
        log("  expected sha256=%s" % a.sha)
        return 1
    if a.expect is not None and text != a.expect:
        log("  expected text %r" % a.expect)
        return 1
    return 0


def cmd_tcp_echo(a):
    msg = a.msg.encode() + b"\n"

    def once():
        with socket.create_connection((a.host, a.port), 10) as s:
            s.sendall(msg)
            s.shutdown(socket.SHUT_WR)
            data = b""
            while True:
                b = s.recv(4096)
                if not b:
                    break
                data += b
        if not data:
            raise ConnectionResetError("empty reply")
        return data
    try:
        data = retry(once, a.tries)
    except OSError as e:
        log("tcp-echo %s:%d: error %s" % (a.host, a.port, e))
        return 1
    log("tcp-echo %s:%d: got %r" % (a.host, a.port, data))
    return 0 if data == msg else 1


def cmd_udp_echo(a):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.settimeout(1)
    msg = a.msg.encode()
    for _ in range(a.tries):
        u.sendto(msg, (a.host, a.port))
        try:
            data = u.recv(4096)
        except socket.timeout:
            continue
        log("udp-echo %s:%d: got %r" % (a.host, a.port, data))
        return 0 if data == msg else 1
    log("udp-echo %s:%d: no reply in %d s" % (a.host, a.port, a.tries))
    return 1


def cmd_tcp_refused(a):
    """Succeed when nothing accepts on HOST:PORT (connection refused)."""
    try:
        with socket.create_connection((a.host, a.port), 5):
            log("tcp-refused %s:%d: connection accepted" % (a.host, a.port))
            return 1
    except ConnectionRefusedError:
        log("tcp-refused %s:%d: refused" % (a.host, a.port))
        return 0
    except OSError as e:
        log("tcp-refused %s:%d: %s" % (a.host, a.port, e))
        return 1


def cmd_hold(a):
    """Bind 127.0.0.1:PORT (tcp: listening) and hold it until killed."""
    kind = socket.SOCK_DGRAM if a.proto == "udp" else socket.SOCK_STREAM
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", a.port))
    if kind == socket.SOCK_STREAM:
        s.listen(1)
    log("hold %s:%d" % (a.proto, s.getsockname()[1]))
    while True:
        time.sleep(3600)


def cmd_stale_unix(a):
    """Leave a unix socket file nobody listens on."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(a.path)
    s.close()
    return 0


# ---------------------------------------------------------------- injectors

INJ_MAC = bytes.fromhex("525400aabbcc")


def arp_request(ip_from="10.0.2.16", ip_to="10.0.2.2"):
    """An ARP who-has for ip_to from INJ_MAC (42 bytes, unpadded)."""
    eth = b"\xff" * 6 + INJ_MAC + b"\x08\x06"
    arp = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + INJ_MAC + \
        socket.inet_aton(ip_from) + b"\x00" * 6 + socket.inet_aton(ip_to)
    return eth + arp


def is_arp_reply(frame, ip="10.0.2.2"):
    return (len(frame) >= 42 and frame[0:6] == INJ_MAC and
            frame[12:14] == b"\x08\x06" and frame[20:22] == b"\x00\x02" and
            frame[28:32] == socket.inet_aton(ip))


def ip_csum(hdr):
    s = sum(struct.unpack("!%dH" % (len(hdr) // 2), hdr))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def udp_frame(dport, payload, src="10.0.2.16", dst="10.0.2.2"):
    """An Ethernet/IPv4/UDP frame from INJ_MAC to libslirp (no UDP csum)."""
    udp = struct.pack("!HHHH", 40000, dport, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17,
                     0, socket.inet_aton(src), socket.inet_aton(dst))
    ip = ip[:10] + struct.pack("!H", ip_csum(ip)) + ip[12:]
    return bytes.fromhex("52550a000202") + INJ_MAC + b"\x08\x00" + ip + udp


def junk_frames(rng, n):
    """Frames the backend must drop or survive: random bytes and lying IPv4."""
    out = []
    for i in range(n):
        size = 14 + rng[i % len(rng)] % 1501
        out.append(os.urandom(size))
    ip = b"\x45\x00\xff\xff" + b"\x00" * 16          # total length > frame
    out.append(b"\xff" * 6 + INJ_MAC + b"\x08\x00" + ip)
    ip = b"\x42" + b"\x00" * 19                      # IHL 2
    out.append(b"\xff" * 6 + INJ_MAC + b"\x08\x00" + ip)
    out.append(b"\xff" * 6 + INJ_MAC + b"\x08\x06" + b"\x00" * 5)  # short ARP
    return out


def cmd_inject_dgram(a):
    """Runts, giants and junk as datagrams to qnet; then ARP must work."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    if os.path.exists(a.mine):
        os.unlink(a.mine)
    s.bind(a.mine)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
    s.settimeout(0.2)
    ok = True

    def arp_works(what):
        for _ in range(10):
            s.sendto(arp_request(), a.qnet)
            end = time.time() + 1
            while time.time() < end:
                try:
                    f = s.recv(70000)
                except socket.timeout:
                    continue
                if is_arp_reply(f):
                    log("dgram: ARP answered %s" % what)
                    return True
        log("dgram: no ARP reply %s" % what)
        return False
    ok &= arp_works("before the bad input")
    runts = list(range(0, 14))
    for n in runts:
        s.sendto(b"\xff" * n, a.qnet)
    giants = [65551, 65552, 70000]
    for n in giants:
        s.sendto(b"\xff" * 12 + b"\x08\x00" + b"\x00" * (n - 14), a.qnet)
    junk = junk_frames(os.urandom(200), 200)
    for f in junk:
        s.sendto(f, a.qnet)
    log("dgram: sent %d runts (0..13 bytes), %d giants (%s bytes), "
        "%d junk frames" % (len(runts), len(giants),
                            ",".join(map(str, giants)), len(junk)))
    ok &= arp_works("after the bad input")
    s.close()
    os.unlink(a.mine)
    return 0 if ok else 1


def stream_conn(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(3)
    s.connect(path)
    return s


def stream_closed(s, secs=3):
    """True when the peer closes (EOF or reset) within secs; drains frames."""
    s.settimeout(secs)
    end = time.time() + secs
    try:
        while time.time() < end:
            if not s.recv(65536):
                return True
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False
    return False


def stream_arp(s, secs=3):
    """Send an ARP request over a stream and wait for the reply frame."""
    s.sendall(struct.pack("!I", 42) + arp_request())
    buf = b""
    end = time.time() + secs
    s.settimeout(0.5)
    while time.time() < end:
        try:
            b = s.recv(65536)
        except socket.timeout:
            continue
        if not b:
            return False
        buf += b
        while len(buf) >= 4:
            n = struct.unpack("!I", buf[:4])[0]
            if len(buf) < 4 + n:
                break
            f, buf = buf[4:4 + n], buf[4 + n:]
            if is_arp_reply(f):
                return True
    return False


def stream_udp(s, trailer):
    """Send a UDP frame to 10.0.2.2:P (then trailer) over a stream; True if
    it reached the host socket on 127.0.0.1:P."""
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    u.settimeout(3)
    f = udp_frame(u.getsockname()[1], b"qnet-stream-udp")
    s.sendall(struct.pack("!I", len(f)) + f + (trailer or b""))
    try:
        got = u.recv(4096) == b"qnet-stream-udp"
    except socket.timeout:
        got = False
    u.close()
    return got


def cmd_inject_stream(a):
    """Bogus length prefixes, each on its own connection; the link recovers."""
    ok = True
    cases = [("0", struct.pack("!I", 0)),
             ("13", struct.pack("!I", 13) + b"\xff" * 13),
             ("65551", struct.pack("!I", 65551) + b"\x00" * 1000),
             ("2^32-1", struct.pack("!I", 0xFFFFFFFF)),
             ("first byte 0xff only", b"\xff")]
    if a.arp:
        s = stream_conn(a.path)
        r = stream_arp(s)
        log("stream: ARP %s before the bad input" %
            ("answered" if r else "NOT answered"))
        ok &= r
        r = stream_udp(s, None)
        log("stream: UDP to 10.0.2.2 %s (control)" %
            ("delivered" if r else "NOT delivered"))
        ok &= r
        s.close()
    for name, data in cases:
        s = stream_conn(a.path)
        s.sendall(data)
        closed = stream_closed(s)
        log("stream: length prefix %s: connection %s" %
            (name, "reset" if closed else "NOT reset within 3 s"))
        ok &= closed
        s.close()
    if a.arp:
        # A good frame, then a bogus prefix in the same write: the frame is
        # still delivered, then the connection is reset.
        s = stream_conn(a.path)
        got = stream_udp(s, struct.pack("!I", 0xFFFFFFFF))
        closed = stream_closed(s)
        log("stream: good frame then 2^32-1 in one write: frame %s, "
            "connection %s" % ("delivered" if got else "NOT delivered",
                               "reset" if closed else "NOT reset"))
        ok &= got and closed
        s.close()
        s = stream_conn(a.path)
        r = stream_arp(s)
        log("stream: ARP %s after the bad input" %
            ("answered" if r else "NOT answered"))
        ok &= r
        s.close()
    return 0 if ok else 1


def cmd_second_conn(a):
    """A second VMM connecting while one is attached must be closed at once."""
    try:
        s = stream_conn(a.path)
    except OSError as e:
        log("second connection: connect failed: %s" % e)
        return 0
    closed = stream_closed(s, 3)
    log("second connection: %s" %
        ("closed by qnet" if closed else "NOT closed within 3 s"))
    s.close()
    return 0 if closed else 1


# --------------------------------------------------------------------- QMP

def cmd_qmp_events(a):
    """Stay connected to a QMP socket and print every event, one a line."""
    s = None
    for _ in range(50):
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(a.path)
            break
        except OSError:
            s.close()
            s = None
            time.sleep(0.1)
    if s is None:
        log("qmp-events: cannot connect to %s" % a.path)
        return 1
    f = s.makefile("rwb", buffering=0)
    f.readline()                                     # greeting
    f.write(b'{"execute":"qmp_capabilities"}\n')
    while True:
        line = f.readline()
        if not line:
            return 0
        try:
            msg = json.loads(line)
        except ValueError:
            continue
        if "event" in msg:
            log(json.dumps(msg, sort_keys=True))
        elif "return" in msg:
            log("qmp-events: ready")


# ---------------------------------------------------------------- netstats

def cmd_drops(a):
    """Sum drop counters by reason from a query-netstats reply on stdin
    (over the ports named in --ports, else over all)."""
    data = json.load(sys.stdin)
    ret = data.get("return", data)
    tot = {}
    want = a.ports.split(",") if a.ports else None
    for p in ret.get("ports", []):
        if want and p.get("name") not in want:
            continue
        for k, v in p.get("drops", {}).items():
            tot[k] = tot.get(k, 0) + v
        if a.verbose:
            drops = " ".join("%s=%d" % kv for kv in p.get("drops", {}).items()
                             if kv[1])
            log("  %s (%s) link=%s rx=%d tx=%d %s" % (
                p.get("name"), p.get("kind"), p.get("link"),
                p.get("rx_packets", 0), p.get("tx_packets", 0), drops))
    log(" ".join("%s=%d" % kv for kv in sorted(tot.items())))
    return 0


def cmd_port(a):
    """Print rx_packets tx_packets rx_bytes tx_bytes of port NAME from a
    query-netstats reply."""
    data = json.load(sys.stdin)
    for p in data.get("return", data).get("ports", []):
        if p.get("name") == a.name:
            log("%d %d %d %d" % (p.get("rx_packets", 0), p.get("tx_packets", 0),
                                 p.get("rx_bytes", 0), p.get("tx_bytes", 0)))
            return 0
    return 1


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("dns")
    p.add_argument("--addr", default="127.0.0.1")
    p.add_argument("--port", type=int, default=53)
    p.add_argument("--name", action="append", default=[])
    p = sub.add_parser("http-get")
    p.add_argument("url")
    p.add_argument("--sha")
    p.add_argument("--expect")
    p.add_argument("--tries", type=int, default=50)
    p.add_argument("--timeout", type=float, default=30)
    for n in ("tcp-echo", "udp-echo"):
        p = sub.add_parser(n)
        p.add_argument("host")
        p.add_argument("port", type=int)
        p.add_argument("msg")
        p.add_argument("--tries", type=int, default=20)
    p = sub.add_parser("tcp-refused")
    p.add_argument("host")
    p.add_argument("port", type=int)
    p = sub.add_parser("hold")
    p.add_argument("proto", choices=["tcp", "udp"])
    p.add_argument("port", type=int)
    p = sub.add_parser("stale-unix")
    p.add_argument("path")
    p = sub.add_parser("inject-dgram")
    p.add_argument("qnet")
    p.add_argument("mine")
    p = sub.add_parser("inject-stream")
    p.add_argument("path")
    p.add_argument("--arp", action="store_true")
    p = sub.add_parser("second-conn")
    p.add_argument("path")
    p = sub.add_parser("drops")
    p.add_argument("-v", "--verbose", action="store_true")
    p.add_argument("--ports")
    p = sub.add_parser("qmp-events")
    p.add_argument("path")
    p = sub.add_parser("port")
    p.add_argument("name")
    a = ap.parse_args()
    fn = globals()["cmd_" + a.cmd.replace("-", "_")]
    try:
        return fn(a) or 0
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
