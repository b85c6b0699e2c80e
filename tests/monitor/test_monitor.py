#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Monitor test: qnet with -qmp and -monitor; a fake VM on the NIC's stream
socket; netdev_add/del, set_link and the counters, through qnetctl and raw
QMP JSON. Usage: test_monitor.py QNET QNETCTL"""
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

# check(), wait_path() and the stream-framed VM NIC come from the ctl-run
# helpers, so the framing lives in one place.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "unit", "ctl-run"))
from qrun import FAILS, Vm as StreamVm, check, wait_path  # noqa: E402

QNET, QNETCTL = sys.argv[1], sys.argv[2]
GUEST_MAC = bytes.fromhex("525400123456")


def ctl(sock, *cmd):
    r = subprocess.run([QNETCTL, "-s", sock, *cmd], capture_output=True,
                       text=True, timeout=20)
    return r.returncode, r.stdout


class Qmp:
    """A raw QMP client: JSON objects over the unix socket."""

    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.settimeout(10)
        self.s.connect(path)
        self.buf = b""
        self.greeting = self.read()

    def read(self):
        dec = json.JSONDecoder()
        while True:
            text = self.buf.decode(errors="replace").lstrip()
            if text:
                try:
                    obj, end = dec.raw_decode(text)
                    self.buf = text[end:].encode()
                    return obj
                except ValueError:
                    pass
            data = self.s.recv(65536)
            if not data:
                raise EOFError("QMP closed")
            self.buf += data

    def cmd(self, name, args=None, raw=None):
        msg = raw if raw is not None else json.dumps(
            {"execute": name, **({"arguments": args} if args else {})})
        self.s.sendall(msg.encode() + b"\n")
        while True:
            r = self.read()
            if "event" not in r:
                return r


def arp_request(src_mac, src_ip, dst_ip):
    eth = b"\xff" * 6 + src_mac + b"\x08\x06"
    arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, src_mac,
                      socket.inet_aton(src_ip), b"\0" * 6,
                      socket.inet_aton(dst_ip))
    return eth + arp


class Vm(StreamVm):
    """Plays the VMM's NIC (QEMU's stream framing) and waits for ARP."""

    def arp_reply(self, timeout=3):
        end = time.time() + timeout
        while time.time() < end:
            f = self.recv(max(0.1, end - time.time()))
            if f is None:
                return None
            if len(f) >= 42 and f[12:14] == b"\x08\x06" and f[20:22] == b"\x00\x02":
                return f
        return None


def netstats(qmp, name):
    r = qmp.cmd("query-netstats")
    for p in r.get("return", {}).get("ports", []):
        if p.get("name") == name:
            return p
    return None


def main():
    d = tempfile.mkdtemp(prefix="qnet-mon-")
    hmp, qmps, vms = (os.path.join(d, n) for n in ("hmp.sock", "qmp.sock", "vm.sock"))
    proc = subprocess.Popen(
        [QNET, "-nodefaults", "-netdev", "user,id=u0",
         "-device", "e1000,netdev=u0,attach=stream:unix:" + vms,
         "-qmp", f"unix:{qmps},server=on,wait=off",
         "-monitor", f"unix:{hmp},server=on,wait=off"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        ok = all(wait_path(p, proc) for p in (hmp, qmps, vms))
        check(ok, "qnet starts and creates the monitor and VM sockets")
        if not ok:
            return
        rc, out = ctl(hmp, "info", "network")
        check(rc == 0 and out ==
              "e1000.0: index=0,type=nic,model=e1000,macaddr=52:54:00:12:34:56\n"
              " \\ u0: index=0,type=user,net=10.0.2.0,restrict=off\n",
              "HMP info network via qnetctl matches QEMU's text: " + repr(out))

        q = Qmp(qmps)
        check("QMP" in q.greeting, "QMP greeting")
        r = q.cmd("query-netstats")
        check(r.get("error", {}).get("class") == "CommandNotFound",
              "commands refused before qmp_capabilities")
        check(q.cmd("qmp_capabilities") == {"return": {}}, "qmp_capabilities")

        vm = Vm(vms)
        vm.send(arp_request(GUEST_MAC, "10.0.2.15", "10.0.2.2"))
        rep = vm.arp_reply()
        check(rep is not None and rep[28:32] == socket.inet_aton("10.0.2.2"),
              "fake VM's ARP for 10.0.2.2 answered through qnet's slirp")

        nic = netstats(q, "e1000.0")
        usr = netstats(q, "u0")
        check(nic is not None and nic["tx_packets"] >= 1 and nic["rx_packets"] >= 1,
              f"query-netstats counts the NIC's frames both ways: {nic}")
        check(usr is not None and usr["rx_packets"] >= 1 and usr["tx_packets"] >= 1,
              f"query-netstats counts the user netdev's frames: {usr}")
        rc, out = ctl(hmp, "info", "netstats")
        check(rc == 0 and "e1000.0" in out and "u0" in out and "rx_packets" in out,
              "HMP info netstats lists both ports")

        # link down: the ARP goes unanswered and is counted as link_down
        r = q.cmd("set_link", {"name": "e1000.0", "up": False})
        check(r == {"return": {}}, "QMP set_link off")
        before = netstats(q, "e1000.0")["drops"].get("link_down", 0)
        vm.send(arp_request(GUEST_MAC, "10.0.2.15", "10.0.2.2"))
        check(vm.arp_reply(1.0) is None, "no ARP reply while the link is down")
        after = netstats(q, "e1000.0")["drops"].get("link_down", 0)
        check(after == before + 1, f"link_down drop counted ({before} -> {after})")
        rc, out = ctl(qmps, "set_link", "e1000.0", "on")
        check(rc == 0 and out == "", "set_link on through qnetctl (QMP socket)")
        vm.send(arp_request(GUEST_MAC, "10.0.2.15", "10.0.2.2"))
        check(vm.arp_reply() is not None, "ARP answered again after link up")
        r = q.cmd("set_link", {"name": "nope", "up": True})
        check(r.get("error", {}).get("class") == "DeviceNotFound" and
              r["error"]["desc"] == "Device 'nope' not found",
              "set_link on an unknown name: QEMU's DeviceNotFound")

        # netdev_add / netdev_del, HMP and QMP
        rc, out = ctl(hmp, "netdev_add", "user,id=u1,net=10.9.0.0/24")
        check(rc == 0 and out == "", "HMP netdev_add user,id=u1")
        rc, out = ctl(hmp, "info", "network")
        check(" u1: index=0,type=user,net=10.9.0.0,restrict=off" in out or
              "u1: index=0,type=user,net=10.9.0.0,restrict=off" in out,
              "u1 listed by info network: " + repr(out))
        rc, out = ctl(hmp, "netdev_add", "user,id=u1")
        check(rc == 1 and out.startswith("Error: Duplicate ID 'u1'"),
              "duplicate netdev_add refused: " + repr(out))
        rc, out = ctl(hmp, "netdev_add", "user,id=u9,foo=bar")
        check(rc == 1 and out == "Error: Invalid parameter 'foo'\n",
              "netdev_add with a bad key gives QEMU's error: " + repr(out))
        r = q.cmd("netdev_add", {"type": "user", "id": "j0",
                                 "hostfwd": [{"str": "tcp:127.0.0.1:0-:22"}]})
        check(r == {"return": {}}, f"QMP netdev_add JSON: {r}")
        r = q.cmd("netdev_del", {"id": "j0"})
        check(r == {"return": {}}, "QMP netdev_del j0")
        r = q.cmd("netdev_del", {"id": "j0"})
        check(r.get("error", {}).get("class") == "DeviceNotFound",
              "netdev_del twice: DeviceNotFound")
        rc, out = ctl(hmp, "netdev_del", "u1")
        check(rc == 0, "HMP netdev_del u1")
        rc, out = ctl(hmp, "info", "network")
        check("u1" not in out and "j0" not in out, "deleted netdevs are gone")

        r = q.cmd(None, raw='{"execute": "human-monitor-command", '
                  '"arguments": {"command-line": "info network"}, "id": 7}')
        check(r.get("id") == 7 and "e1000.0" in r.get("return", ""),
              "human-monitor-command with an id, raw JSON")
        r = q.cmd(None, raw='{"execute": }')
        check("error" in r, "malformed JSON gets an error, connection lives")
        check(q.cmd("query-netstats").get("return") is not None,
              "still serving after malformed JSON")

        r = q.cmd("quit")
        check(r == {"return": {}}, "QMP quit")
        try:
            rc = proc.wait(10)
        except subprocess.TimeoutExpired:
            rc = None
        check(rc == 0, f"qnet exits 0 after quit (rc={rc})")
        check(not any(os.path.exists(p) for p in (hmp, qmps, vms)),
              "qnet removed its sockets")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        err = proc.stderr.read() if proc.stderr else ""
        if FAILS and err:
            print("qnet stderr:\n" + err)
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
    print(f"{'FAILED' if FAILS else 'PASSED'}: {len(FAILS)} failure(s)")
    sys.exit(1 if FAILS else 0)
