#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The real qnet binary with -netdev tap and -netdev bridge, in a private
network namespace: a fake VM on the NIC's attach= socket, the tap on a
bridge with a veth whose far end is a packet socket; frames both ways;
the bridge netdev creates and enslaves its tap; without CAP_NET_ADMIN the
tap falls back to user networking (or fails with fallback=off); -runas;
bad inputs. Nothing is left behind. Root only (exit 77 otherwise).
Usage: test_be_tap.py QNET"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "unit", "ctl-run"))
from qrun import (DATA_TYPE, Qmp, Qnet, Vm, check, finish, frame,  # noqa: E402
                  run, wait_link)

QNET = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else "qnet"
QEMU = shutil.which("qemu-system-x86_64")
BR, VA, VB = "qbe0", "qbeva", "qbevb"
TAP = f"qbt{os.getpid() % 10000}"
SIZES = [60, 64, 128, 512, 1000, 1514] * 4
SRC_VM = b"\x52\x54\x00\xbb\x00\x01"
SRC_FAR = b"\x52\x54\x00\xbb\x00\x02"
NOADMIN = ["setpriv", "--inh-caps=-all", "--bounding-set=-net_admin"]
ENV_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"   # no qnet-bridge-helper on it


def ip(*args, ok=True):
    r = subprocess.run(["ip", *args], capture_output=True, text=True)
    if ok and r.returncode:
        raise RuntimeError(f"ip {' '.join(args)}: {r.stderr.strip()}")
    return r.stdout


def links():
    """Interface names in this namespace."""
    return sorted(x["ifname"] for x in json.loads(ip("-j", "link", "show")))


def gone(name, secs=3):
    """Wait until interface @name no longer exists (a ring holding a tap
    fd lets go of it shortly after the process exits)."""
    end = time.time() + secs
    while time.time() < end:
        if name not in links():
            return True
        time.sleep(0.05)
    return False


class Far:
    """The far end: a packet socket on the veth outside the bridge."""

    def __init__(self):
        self.s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                               socket.htons(0x0003))
        self.s.bind((VB, 0))

    def send(self, f):
        self.s.send(f)

    def recv_data(self, timeout=3, src=None):
        end = time.time() + timeout
        while True:
            left = end - time.time()
            if left <= 0:
                return None
            self.s.settimeout(left)
            try:
                f = self.s.recv(65536)
            except socket.timeout:
                return None
            if f[12:14] == DATA_TYPE and (src is None or f[6:12] == src):
                return f

    def close(self):
        self.s.close()


def both_ways(name, vm, far):
    """Frames VM -> tap -> bridge -> veth and back, byte for byte."""
    # the tap's port is up only once the bridge forwards: probe first
    end = time.time() + 10
    up = False
    while time.time() < end and not up:
        vm.send(frame(60, 99999, SRC_VM))
        up = far.recv_data(0.2, SRC_VM) is not None
    check(up, f"{name}: frames from the fake VM reach the veth")
    if not up:
        return
    while far.recv_data(0.2, SRC_VM) is not None:
        pass
    sent = [frame(s, i, SRC_VM) for i, s in enumerate(SIZES)]
    for f in sent:
        vm.send(f)
    got = sum(1 for f in sent if far.recv_data(3, SRC_VM) == f)
    check(got == len(sent), f"{name}: {got}/{len(sent)} frames VM->veth byte-exact")
    sent = [frame(s, 100 + i, SRC_FAR) for i, s in enumerate(SIZES)]
    for f in sent:
        far.send(f)
    got = 0
    for f in sent:
        g = vm.recv_data(3, SRC_FAR)
        got += g == f
    check(got == len(sent), f"{name}: {got}/{len(sent)} frames veth->VM byte-exact")


def start(d, tag, netdev, prefix=(), extra=()):
    vm, qmp = os.path.join(d, tag + ".vm"), os.path.join(d, tag + ".qmp")
    q = Qnet(QNET, ["-nodefaults", "-netdev", netdev, "-device",
                    f"e1000,netdev={netdev.split('id=')[1].split(',')[0]},"
                    f"attach=stream:unix:{vm}",
                    "-qmp", f"unix:{qmp},server=on,wait=off", *extra],
             wait=[vm, qmp], prefix=prefix)
    q.vm_path, q.qmp_path = vm, qmp
    return q


def tap_frames(d):
    """(b) -netdev tap: the test bridges it with the veth."""
    down = os.path.join(d, "down.log")
    up_s, down_s = os.path.join(d, "ifup.sh"), os.path.join(d, "ifdown.sh")
    for p, log in ((up_s, "up.log"), (down_s, "down.log")):
        with open(p, "w") as f:
            f.write(f"#!/bin/sh\necho \"$1\" >> {os.path.join(d, log)}\n")
        os.chmod(p, 0o755)
    q = start(d, "tap", f"tap,id=t0,ifname={TAP},script={up_s},downscript={down_s}")
    try:
        if not check(q.ok, f"tap: qnet starts with tap {TAP}: {q.stderr_now().strip()!r}"):
            return
        check(open(os.path.join(d, "up.log")).read() == TAP + "\n",
              "tap: the ifup script ran with the interface name")
        ip("link", "set", TAP, "master", BR, "up")
        m = Qmp(q.qmp_path)
        info = m.hmp("info network")
        check(f"t0: index=0,type=tap,ifname={TAP},script={up_s},downscript={down_s}"
              in info, f"tap: info network: {info!r}")
        vm, far = Vm(q.vm_path), Far()
        both_ways("tap", vm, far)
        vm.close()
        far.close()
        t9 = TAP + "x"
        r = m.cmd("netdev_add", {"type": "tap", "id": "t9", "ifname": t9,
                                 "script": "no", "downscript": "no"})
        check(r == {"return": {}} and t9 in links(), f"tap: netdev_add creates {t9}: {r}")
        r = m.cmd("netdev_del", {"id": "t9"})
        check(r == {"return": {}} and gone(t9), f"tap: netdev_del removes {t9}: {r}")
        m.close()
    finally:
        rc = q.stop()
    check(rc == 0, f"tap: qnet exits 0 (rc={rc}) {q.err.strip()!r}")
    check(gone(TAP), f"tap: {TAP} is gone after qnet exits")
    check(os.path.exists(down) and open(down).read() == TAP + "\n",
          "tap: the ifdown script ran at exit with the interface name")
    check(not os.path.exists(q.vm_path), "tap: the VM socket is removed")


def bridge_frames(d):
    """(c) -netdev bridge: qnet creates the tap and enslaves it."""
    before = set(links())
    q = start(d, "br", f"bridge,id=b0,br={BR}")
    try:
        if not check(q.ok, f"bridge: qnet starts: {q.stderr_now().strip()!r}"):
            return
        new = [x for x in json.loads(ip("-j", "-d", "link", "show", "master", BR))
               if x["ifname"] not in before]
        check(len(new) == 1 and new[0]["ifname"].startswith("qtap") and
              "UP" in new[0]["flags"],
              f"bridge: one new qtapN on {BR}, up: {[x['ifname'] for x in new]}")
        vm, far = Vm(q.vm_path), Far()
        both_ways("bridge", vm, far)
        vm.close()
        far.close()
    finally:
        rc = q.stop()
    check(rc == 0, f"bridge: qnet exits 0 (rc={rc}) {q.err.strip()!r}")
    end = time.time() + 3
    while time.time() < end and set(links()) != before:
        time.sleep(0.05)
    check(set(links()) == before, f"bridge: its tap is gone, {BR} stays: {links()}")


def fallback(d):
    """(d) no CAP_NET_ADMIN: user networking stands in, or fallback=off fails."""
    nd = f"tap,id=t0,ifname={TAP},script=no,downscript=no"
    q = start(d, "fb", nd, prefix=NOADMIN)
    try:
        if not check(q.ok, "fallback: qnet without CAP_NET_ADMIN starts"):
            return
        m = Qmp(q.qmp_path)
        info = m.hmp("info network")
        err = q.stderr_now()
        want = (f"qnet: -netdev {nd}: cannot open tap '{TAP}': Operation not "
                "permitted (needs CAP_NET_ADMIN); falling back to user networking")
        check(want in err.splitlines(), f"fallback: the warning: {err!r}")
        check(TAP not in links(), "fallback: no tap was created")
        check(" \\ t0: index=0,type=user,net=10.0.2.0,restrict=off,"
              "fallback-from=tap" in info, f"fallback: info network shows it: {info!r}")
        check(m.hmp("info usernet").startswith("Hub -1 (t0):"),
              "fallback: info usernet lists t0 as user networking")
        vm = Vm(q.vm_path)
        arp = (b"\xff" * 6 + SRC_VM + b"\x08\x06" + bytes.fromhex(
            "0001080006040001") + SRC_VM + socket.inet_aton("10.0.2.15") +
            bytes(6) + socket.inet_aton("10.0.2.2"))
        vm.send(arp)
        rep = None
        end = time.time() + 3
        while time.time() < end and rep is None:
            f = vm.recv(0.5)
            if f and f[12:14] == b"\x08\x06" and f[28:32] == socket.inet_aton("10.0.2.2"):
                rep = f
        check(rep is not None, "fallback: the guest's ARP for 10.0.2.2 is answered by slirp")
        vm.close()
        m.close()
    finally:
        rc = q.stop()
    check(rc == 0, f"fallback: qnet exits 0 (rc={rc})")
    nd_off = nd + ",fallback=off"
    rc, out, err = run(QNET, ["-nodefaults", "-netdev", nd_off, "-device",
                              "e1000,netdev=t0"], prefix=NOADMIN)
    check(rc == 1 and err.strip() == f"qnet: -netdev {nd_off}: cannot open tap "
          f"'{TAP}': Operation not permitted (needs CAP_NET_ADMIN)",
          f"fallback=off: exit 1 and the error: rc={rc} {err.strip()!r}")
    check(TAP not in links(), "fallback=off: no tap left behind")
    nd = f"bridge,id=b0,br={BR}"
    q = start(d, "fbb", nd, prefix=["env", "PATH=" + ENV_PATH] + NOADMIN)
    err = q.stderr_now() if q.ok else ""
    q.stop()
    check(f"qnet: -netdev {nd}: cannot create a tap for bridge '{BR}': Operation "
          "not permitted (needs CAP_NET_ADMIN); falling back to user networking"
          in (err + q.err).splitlines(), f"fallback: bridge warns and falls back: {q.err!r}")


def runas(d):
    """-runas nobody: every thread drops to nobody once the tap exists."""
    nd = f"tap,id=t0,ifname={TAP},script=no,downscript=no"
    q = start(d, "ra", nd, extra=["-runas", "nobody"])
    try:
        if not check(q.ok, f"runas: qnet starts: {q.stderr_now().strip()!r}"):
            return
        time.sleep(0.2)
        tids = os.listdir(f"/proc/{q.proc.pid}/task")
        st = [open(f"/proc/{q.proc.pid}/task/{t}/status").read() for t in tids]
        uid = [ln.split()[1] for s in st for ln in s.splitlines() if ln.startswith("Uid:")]
        eff = [ln.split()[1] for s in st for ln in s.splitlines() if ln.startswith("CapEff:")]
        check(len(tids) >= 2 and all(u == "65534" for u in uid) and
              all(int(e, 16) == 0 for e in eff),
              f"runas: {len(tids)} threads run as nobody with no capability: {uid} {eff}")
        ip("link", "set", TAP, "master", BR, "up")
        vm, far = Vm(q.vm_path), Far()
        both_ways("runas", vm, far)
        vm.close()
        far.close()
    finally:
        rc = q.stop()
    check(rc == 0, f"runas: qnet exits 0 (rc={rc}) {q.err.strip()!r}")
    check(gone(TAP), "runas: the tap is gone after qnet exits")


def vhost(d):
    nd = f"tap,id=t0,ifname={TAP},script=no,downscript=no,vhost=on"
    q = start(d, "vh", nd)
    err = q.stderr_now() if q.ok else ""
    rc = q.stop()
    check(rc == 0 and f"qnet: -netdev {nd}: warning: vhost-net is not used by qnet; "
          "this netdev runs on qnet's io_uring data path" in (err + q.err).splitlines(),
          f"vhost=on: warning, and qnet runs: rc={rc} {q.err!r}")
    check(gone(TAP), "vhost=on: the tap is gone after qnet exits")


def qemu_error(netdev):
    try:
        r = subprocess.run([QEMU, "-M", "none", "-S", "-display", "none",
                            "-nodefaults", "-netdev", netdev],
                           capture_output=True, text=True, timeout=3)
    except subprocess.TimeoutExpired:
        return None
    lines = [ln for ln in r.stderr.splitlines() if "warning" not in ln]
    return lines[-1].replace("qemu-system-x86_64: ", "qnet: ", 1) if lines else None


def bad_inputs(d):
    """(e) clear errors naming the option, exit 1, nothing left behind."""
    cases = [
        (f"bridge,id=n0,br=nosuchbr", "cannot add a tap to bridge 'nosuchbr': "
         "No such device", False),
        (f"bridge,id=n0,br={VA}", f"cannot add a tap to bridge '{VA}': not a bridge",
         False),
        (f"tap,id=n0,ifname={TAP},script=no,downscript=no,br=nosuchbr",
         f"cannot add tap '{TAP}' to bridge 'nosuchbr': No such device", False),
        (f"tap,id=n0,ifname={TAP},script=/bin/false,downscript=no",
         "network script /bin/false failed with status 256", True),
        ("tap,id=n0,ifname=lo,script=no,downscript=no",
         "could not configure /dev/net/tun (lo): Invalid argument", True),
        ("tap,id=n0,fd=1", "Unable to query TUNGETIFF on FD 1: Inappropriate ioctl "
         "for device", True),
        ("tap,id=n0,fd=99", "Unable to query TUNGETIFF on FD 99: Bad file descriptor",
         False),
        ("bridge,id=n0,br=nosuchbr,helper=/bin/false", "bridge helper failed", True),
    ]
    before = links()
    for nd, want, oracle in cases:
        rc, out, err = run(QNET, ["-nodefaults", "-netdev", nd, "-device",
                                  "e1000,netdev=n0,attach=stream:unix:" +
                                  os.path.join(d, "bad.vm")])
        line = err.strip()
        check(rc == 1 and line == f"qnet: -netdev {nd}: {want}",
              f"bad input: {nd} -> rc={rc} {line!r}")
        end = time.time() + 3
        while time.time() < end and links() != before:
            time.sleep(0.05)
        check(links() == before and not os.path.exists(os.path.join(d, "bad.vm")),
              f"bad input leaves nothing behind: {links()}")
        if oracle and QEMU:
            qe = qemu_error(nd)
            check(qe == line, f"  same text as QEMU 7.2: {qe!r}")


def main():
    if os.geteuid() != 0 or not os.path.exists("/dev/net/tun"):
        print("SKIP: needs root and /dev/net/tun")
        return 77
    for tool in ("ip", "unshare", "setpriv"):
        if not shutil.which(tool):
            print(f"SKIP: needs {tool}")
            return 77
    if os.environ.get("QNET_BE_NETNS") != "1":
        os.environ["QNET_BE_NETNS"] = "1"
        r = subprocess.run(["unshare", "-n", sys.executable, os.path.abspath(__file__),
                            QNET])
        return r.returncode
    with open("/proc/sys/net/ipv6/conf/default/disable_ipv6", "w") as f:
        f.write("1")
    ip("link", "set", "lo", "up")
    ip("link", "add", BR, "type", "bridge")
    ip("link", "add", VA, "type", "veth", "peer", "name", VB)
    ip("link", "set", VA, "master", BR)
    for n in (BR, VA, VB):
        ip("link", "set", n, "up")
    d = tempfile.mkdtemp(prefix="qnet-betap-")
    os.chmod(d, 0o755)
    try:
        tap_frames(d)
        bridge_frames(d)
        vhost(d)
        fallback(d)
        runas(d)
        bad_inputs(d)
    finally:
        shutil.rmtree(d, ignore_errors=True)
        for n in (VA, BR):
            ip("link", "del", n, ok=False)
    check(links() == ["lo"], f"the namespace is back to lo only: {links()}")
    return finish()


if __name__ == "__main__":
    sys.exit(main())
