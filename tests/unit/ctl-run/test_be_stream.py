#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Two real qnet processes linked by -netdev stream, dgram and socket, each
with a fake VM on its NIC's attach= socket: frames cross byte-exact both
ways; QMP NETDEV_STREAM_CONNECTED/DISCONNECTED reach the monitor; bad
inputs fail with exit 1, QEMU's texts (QEMU 7.2 is asked when installed)
and nothing left behind. Unprivileged. Usage: test_be_stream.py QNET"""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qrun import (Qmp, Qnet, Vm, check, exchange, finish, free_port,  # noqa: E402
                  run, wait_link)

QNET = sys.argv[1] if len(sys.argv) > 1 else "/work/main/build-integbe/qnet"
QEMU = shutil.which("qemu-system-x86_64")
SRC_A = b"\x52\x54\x00\xaa\x00\x01"
SRC_B = b"\x52\x54\x00\xaa\x00\x02"
STREAM_SIZES = [14, 60, 64, 1514, 4000, 9014, 65535] + [60 + 37 * i for i in range(40)]
DGRAM_SIZES = [14, 60, 64, 1514, 4000, 9014] + [60 + 37 * i for i in range(40)]


def start(d, tag, netdev, extra=()):
    """qnet with one netdev n0, an e1000 a fake VM attaches to, and QMP."""
    vm, qmp = os.path.join(d, tag + ".vm"), os.path.join(d, tag + ".qmp")
    q = Qnet(QNET, ["-nodefaults", "-netdev", netdev,
                    "-device", "e1000,netdev=n0,attach=stream:unix:" + vm,
                    "-qmp", f"unix:{qmp},server=on,wait=off", *extra],
             wait=[vm, qmp])
    q.vm_path, q.qmp_path = vm, qmp
    return q


def paced(tx, rx, sizes, seq0, src, group):
    """exchange() in groups of @group frames, each received before the next."""
    n = got = 0
    for i in range(0, len(sizes), group):
        gn, gg = exchange(tx, rx, sizes[i:i + group], seq0 + i, src)
        n, got = n + gn, got + gg
        if gg != gn:
            break
    return n, got


def both_ways(name, a, b, sizes, group=0, burst=0):
    """Fake VMs on both qnets; frames A->B and B->A, every byte checked
    (with @group: at most that many in flight; with @burst: then that many
    frames at once, for a unix datagram peer whose queue holds 10: the
    sender must wait for room, lose nothing and send no empty datagram)."""
    va, vb = Vm(a.vm_path), Vm(b.vm_path)
    try:
        up = wait_link(va, vb) and wait_link(vb, va)
        check(up, f"{name}: the path between the two fake VMs comes up")
        if not up:
            return
        n, got = paced(va, vb, sizes, 0, SRC_A, group or len(sizes))
        check(got == n, f"{name}: {got}/{n} frames A->B byte-exact, in order")
        n, got = paced(vb, va, sizes, 1000, SRC_B, group or len(sizes))
        check(got == n, f"{name}: {got}/{n} frames B->A byte-exact, in order")
        if burst:
            sz = [(60, 1514, 600, 18)[i % 4] for i in range(burst)]
            n, got = exchange(va, vb, sz, 2000, SRC_A)
            check(got == n, f"{name}: a burst of {n} frames into a 10-deep "
                  f"unix queue: {got} byte-exact, in order")
            n, got = exchange(vb, va, sz, 3000, SRC_B)
            check(got == n, f"{name}: a burst of {n} frames back: {got} "
                  "byte-exact, in order")
    finally:
        va.close()
        vb.close()


def stop_clean(name, procs, paths):
    """Stop every qnet: exit 0, and the given paths are gone."""
    for q in procs:
        rc = q.stop()
        check(rc == 0, f"{name}: qnet exits 0 on SIGTERM (rc={rc}) {q.err.strip()!r}")
    left = [p for p in paths if os.path.exists(p)]
    check(not left, f"{name}: qnet removed its socket files {left}")


def pair(d, name, netdev_a, netdev_b, sizes, paths=(), group=0, burst=0):
    a = start(d, name + "-a", netdev_a)
    b = start(d, name + "-b", netdev_b) if a.ok else None
    try:
        ok = a.ok and b.ok
        check(ok, f"{name}: both qnets start")
        if ok:
            both_ways(name, a, b, sizes, group, burst)
    finally:
        stop_clean(name, [a] + ([b] if b else []),
                   [a.vm_path, a.qmp_path] + ([b.vm_path, b.qmp_path] if b else []) +
                   list(paths))


def stream_events(d):
    """A stream server's QMP hears the client connect and go."""
    p = free_port()
    a = start(d, "ev-a", "stream,id=n0,server=on,addr.type=inet,"
              f"addr.host=127.0.0.1,addr.port={p}")
    if not check(a.ok, "events: server qnet starts"):
        a.stop()
        return
    q = Qmp(a.qmp_path)
    b = start(d, "ev-b", f"stream,id=n0,addr.type=inet,addr.host=127.0.0.1,addr.port={p}")
    e = q.event("NETDEV_STREAM_CONNECTED")
    data = (e or {}).get("data", {})
    addr = data.get("addr", {})
    check(data.get("netdev-id") == "n0" and addr.get("type") == "inet" and
          addr.get("host") == "127.0.0.1" and addr.get("ipv4") is True and
          addr.get("port", "").isdigit(),
          f"events: NETDEV_STREAM_CONNECTED with the client's address: {e}")
    info = q.hmp("info network")
    check(re.search(r" \\ n0: index=0,type=stream,tcp:127\.0\.0\.1:\d+\r?\n", info)
          is not None, f"events: the server's info network shows its client: {info!r}")
    if b.ok:
        qb = Qmp(b.qmp_path)
        info = qb.hmp("info network")
        check(f" \\ n0: index=0,type=stream,tcp:127.0.0.1:{p}\n" in
              info.replace("\r\n", "\n"),
              f"events: the client's info network shows its server: {info!r}")
        qb.close()
    b.stop()
    e = q.event("NETDEV_STREAM_DISCONNECTED")
    check(e is not None and e.get("data") == {"netdev-id": "n0"},
          f"events: NETDEV_STREAM_DISCONNECTED when the client goes: {e}")
    # the monitor path: netdev_add with a refused connection, then a good one
    c = free_port()
    r = q.cmd("netdev_add", {"type": "stream", "id": "x0", "addr":
                             {"type": "inet", "host": "127.0.0.1", "port": str(c)}})
    check((r or {}).get("error", {}).get("desc") ==
          f"Failed to connect to '127.0.0.1:{c}': Connection refused",
          f"events: QMP netdev_add to a closed port fails with the text: {r}")
    s = os.path.join(d, "ev-x1.sock")
    r = q.cmd("netdev_add", {"type": "dgram", "id": "x1", "local":
                             {"type": "unix", "path": s}, "remote":
                             {"type": "unix", "path": s + ".peer"}})
    check(r == {"return": {}} and os.path.exists(s),
          f"events: QMP netdev_add dgram opens its socket: {r}")
    r = q.cmd("netdev_del", {"id": "x1"})
    check(r == {"return": {}} and not os.path.exists(s),
          f"events: netdev_del removes the dgram socket file: {r}")
    q.close()
    stop_clean("events", [a], [a.vm_path, a.qmp_path])


def reconnect(d):
    """A client with reconnect= starts before its server and links later."""
    p = free_port()
    b = start(d, "rc-b", f"stream,id=n0,addr.type=inet,addr.host=127.0.0.1,"
              f"addr.port={p},reconnect=1")
    check(b.ok, "reconnect: a client with reconnect=1 starts with no server")
    a = start(d, "rc-a", "stream,id=n0,server=on,addr.type=inet,"
              f"addr.host=127.0.0.1,addr.port={p}")
    try:
        if check(a.ok and b.ok, "reconnect: the server starts"):
            both_ways("reconnect", a, b, [60, 1514])
    finally:
        stop_clean("reconnect", [a, b], [a.vm_path, b.vm_path])


def mcast(d):
    """socket mcast=: both qnets join one group (skipped without a route)."""
    p = free_port(socket.SOCK_DGRAM)
    nd = f"socket,id=n0,mcast=230.0.0.1:{p},localaddr=127.0.0.1"
    a = start(d, "mc-a", nd)
    if not a.ok:
        a.stop()
        print(f"skip socket mcast: {a.err.strip()}")
        return
    b = start(d, "mc-b", nd)
    try:
        if check(b.ok, "socket mcast: the second member starts"):
            both_ways("socket mcast", a, b, [60, 1514])
    finally:
        stop_clean("socket mcast", [a, b], [a.vm_path, b.vm_path])


def qemu_error(netdev):
    """QEMU 7.2's error line for -netdev @netdev (None when it starts)."""
    try:
        r = subprocess.run([QEMU, "-M", "none", "-S", "-display", "none",
                            "-nodefaults", "-netdev", netdev],
                           capture_output=True, text=True, timeout=3)
    except subprocess.TimeoutExpired:
        return None
    lines = [ln for ln in r.stderr.splitlines() if "warning" not in ln]
    return lines[-1].replace("qemu-system-x86_64: ", "qnet: ", 1) if lines else None


def bad_inputs(d):
    closed = free_port()
    sub = os.path.join(d, "bad")
    os.mkdir(sub)
    miss = os.path.join(sub, "missing.sock")
    # (netdev option, expected text after "qnet: OPTION: ", QEMU says the same)
    cases = [
        (f"stream,id=n0,addr.type=inet,addr.host=127.0.0.1,addr.port={closed}",
         f"Failed to connect to '127.0.0.1:{closed}': Connection refused", False),
        (f"stream,id=n0,addr.type=unix,addr.path={miss}",
         f"Failed to connect to '{miss}': No such file or directory", False),
        ("stream,id=n0,addr.type=inet,addr.host=bogus.invalid,addr.port=1",
         re.compile(r"address resolution failed for bogus\.invalid:1: .+"), False),
        ("stream,id=n0,server=on,addr.type=inet,addr.host=192.0.2.1,addr.port=5555",
         "Failed to bind socket: Cannot assign requested address", False),
        ("stream,id=n0,server=on,addr.type=unix,addr.path=/nonexistent/x.sock",
         "Failed to bind socket to /nonexistent/x.sock: No such file or directory",
         False),
        ("stream,id=n0,addr.type=inet,addr.host=127.0.0.1,addr.port=99999",
         "port number '99999' is invalid", False),
        ("stream,id=n0,server=on,addr.type=inet,addr.host=127.0.0.1,addr.port=1,"
         "reconnect=1", "'reconnect' and 'reconnect-ms' options are incompatible "
         "with socket in server mode", False),
        ("stream,id=n0,addr.type=fd,addr.str=99",
         "File descriptor '99' is not a socket", False),
        ("stream,id=n0,addr.type=vsock,addr.cid=3,addr.port=5",
         "addr.type=vsock is not supported by qnet", False),
        (f"socket,id=n0,connect=127.0.0.1:{closed}",
         "can't connect socket: Connection refused", False),
        ("socket,id=n0,listen=192.0.2.1:5555",
         "can't bind ip=192.0.2.1 to socket: Cannot assign requested address", True),
        ("socket,id=n0,mcast=127.0.0.1:5555", "specified mcastaddr 127.0.0.1 "
         "(0x7f000001) does not contain a multicast address", True),
        ("socket,id=n0,mcast=230.0.0.1:5555,localaddr=bogus.invalid",
         "localaddr 'bogus.invalid' is not a valid IPv4 address", True),
        ("socket,id=n0,udp=bogus.invalid:6,localaddr=127.0.0.1:7",
         "can't resolve host address 'bogus.invalid'", True),
        ("socket,id=n0,udp=127.0.0.1:6,localaddr=192.0.2.1:7",
         "can't bind ip=192.0.2.1 to socket: Cannot assign requested address", True),
        ("socket,id=n0,fd=99", "n0: Can't use file descriptor 99: Bad file descriptor",
         True),
        ("socket,id=n0,fd=1", "can't get socket option SO_TYPE", True),
        ("dgram,id=n0,local.type=inet,local.host=192.0.2.1,local.port=5,"
         "remote.type=inet,remote.host=127.0.0.1,remote.port=6",
         "can't bind ip=192.0.2.1 to socket: Cannot assign requested address", True),
        ("dgram,id=n0,local.type=inet,local.host=127.0.0.1,local.port=5,"
         "remote.type=inet,remote.host=bogus.invalid,remote.port=6",
         "can't resolve host address 'bogus.invalid'", True),
        ("dgram,id=n0,local.type=unix,local.path=/nonexistent/x,"
         "remote.type=unix,remote.path=/tmp/y",
         "can't bind unix=/nonexistent/x to socket: No such file or directory", True),
        ("dgram,id=n0,local.type=inet,local.host=127.0.0.1,local.port=abc,"
         "remote.type=inet,remote.host=127.0.0.1,remote.port=6",
         "port number 'abc' is invalid", True),
        ("dgram,id=n0,local.type=fd,local.str=99",
         "n0: Can't use file descriptor 99: Bad file descriptor", True),
        ("dgram,id=n0,local.type=fd,local.str=1",
         "Unable to query local socket address: Socket operation on non-socket", True),
        ("dgram,id=n0,local.type=inet,local.host=127.0.0.1,local.port=5,"
         "remote.type=unix,remote.path=/tmp/y",
         "remote and local types must be the same", True),
    ]
    vm = os.path.join(sub, "vm.sock")
    for nd, want, oracle in cases:
        rc, out, err = run(QNET, ["-nodefaults", "-netdev", nd, "-device",
                                  "e1000,netdev=n0,attach=stream:unix:" + vm])
        prefix = f"qnet: -netdev {nd}: "
        line = err.strip()
        text = line[len(prefix):] if line.startswith(prefix) else None
        good = (want.fullmatch(text or "") is not None if hasattr(want, "fullmatch")
                else text == want)
        check(rc == 1 and good and "\n" not in line,
              f"bad input exits 1 naming the option: {nd} -> rc={rc} {line!r}")
        check(os.listdir(sub) == [], f"bad input leaves nothing behind: {os.listdir(sub)}")
        if oracle and QEMU:
            q = qemu_error(nd)
            check(q == line, f"  same text as QEMU 7.2: {q!r}")


def main():
    d = tempfile.mkdtemp(prefix="qnet-be-")
    try:
        p = free_port()
        pair(d, "stream inet",
             f"stream,id=n0,server=on,addr.type=inet,addr.host=127.0.0.1,addr.port={p}",
             f"stream,id=n0,server=off,addr.type=inet,addr.host=127.0.0.1,addr.port={p}",
             STREAM_SIZES)
        s = os.path.join(d, "srv.sock")
        pair(d, "stream unix", f"stream,id=n0,server=on,addr.type=unix,addr.path={s}",
             f"stream,id=n0,addr.type=unix,addr.path={s}", STREAM_SIZES, [s])
        pa, pb = free_port(socket.SOCK_DGRAM), free_port(socket.SOCK_DGRAM)
        ia = f"inet,local.host=127.0.0.1,local.port={pa}"
        ib = f"inet,local.host=127.0.0.1,local.port={pb}"
        pair(d, "dgram inet",
             f"dgram,id=n0,local.type={ia},remote.type=inet,remote.host=127.0.0.1,"
             f"remote.port={pb}",
             f"dgram,id=n0,local.type={ib},remote.type=inet,remote.host=127.0.0.1,"
             f"remote.port={pa}", DGRAM_SIZES)
        ua, ub = os.path.join(d, "da.sock"), os.path.join(d, "db.sock")
        pair(d, "dgram unix",
             f"dgram,id=n0,local.type=unix,local.path={ua},remote.type=unix,remote.path={ub}",
             f"dgram,id=n0,local.type=unix,local.path={ub},remote.type=unix,remote.path={ua}",
             DGRAM_SIZES, [ua, ub], burst=100)
        p = free_port()
        pair(d, "socket listen+connect", f"socket,id=n0,listen=127.0.0.1:{p}",
             f"socket,id=n0,connect=127.0.0.1:{p}", STREAM_SIZES)
        pa, pb = free_port(socket.SOCK_DGRAM), free_port(socket.SOCK_DGRAM)
        pair(d, "socket udp", f"socket,id=n0,udp=127.0.0.1:{pb},localaddr=127.0.0.1:{pa}",
             f"socket,id=n0,udp=127.0.0.1:{pa},localaddr=127.0.0.1:{pb}", DGRAM_SIZES)
        mcast(d)
        reconnect(d)
        stream_events(d)
        bad_inputs(d)
        time.sleep(0.1)
        left = [f for f in os.listdir(d) if f != "bad"]
        check(not left, f"nothing left in the test directory: {left}")
    finally:
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
    sys.exit(finish())
