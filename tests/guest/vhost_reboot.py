#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# vhost_reboot.py: host helpers of guest-vhost-reboot (vhost_test.sh reboot):
# an HTTP server that paces its first download and logs its progress, a
# vhost-user relay between QEMU and qnet that logs every message, a slow
# HTTP reader and a QMP client. Standard library only.
#
# Usage:
#   vhost_reboot.py http DIR LOG        serve DIR on 127.0.0.1 (port in LOG)
#   vhost_reboot.py relay LISTEN TARGET LOG
#                                       accept on LISTEN, connect to TARGET,
#                                       pass messages (and fds) both ways
#   vhost_reboot.py slowget PORT PATH LOG
#                                       GET 127.0.0.1:PORT PATH slowly
#   vhost_reboot.py qmp SOCK CMD [JSON] run one QMP command, print its return
import array
import json
import os
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# ---- http: the first GET of /big.bin is paced (32 KiB every 20 ms) so that
# the guest is still receiving it when the host resets the guest; later GETs
# go at full speed. Log lines: "port N", "get N PATH start SIZE",
# "get N sent BYTES" (every 256 KiB), "get N done BYTES" or
# "get N aborted BYTES".
PACE_CHUNK = 32 * 1024
PACE_SLEEP = 0.02


def http_main(root, logpath):
    log = open(logpath, "a", buffering=1)
    lock = threading.Lock()
    count = [0]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def log_message(self, fmt, *args):
            pass

        def do_GET(self):
            name = os.path.basename(self.path.split("?")[0])
            path = os.path.join(root, name)
            if not name or not os.path.isfile(path):
                self.send_error(404)
                return
            with lock:
                count[0] += 1
                n = count[0]
            data = open(path, "rb").read()
            paced = name == "big.bin" and n == 1
            log.write(f"get {n} /{name} start {len(data)} paced={int(paced)}\n")
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            sent, mark = 0, 0
            step = PACE_CHUNK if paced else 256 * 1024
            try:
                while sent < len(data):
                    self.wfile.write(data[sent:sent + step])
                    sent += min(step, len(data) - sent)
                    if sent - mark >= 256 * 1024:
                        mark = sent
                        log.write(f"get {n} sent {sent}\n")
                    if paced:
                        time.sleep(PACE_SLEEP)
                self.wfile.flush()
            except OSError:
                log.write(f"get {n} aborted {sent}\n")
                return
            log.write(f"get {n} done {sent}\n")

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    log.write(f"port {srv.server_address[1]}\n")
    srv.serve_forever()


# ---- relay: a transparent vhost-user hop that logs each message.
REQ = {1: "GET_FEATURES", 2: "SET_FEATURES", 3: "SET_OWNER",
       4: "RESET_OWNER", 5: "SET_MEM_TABLE", 6: "SET_LOG_BASE",
       7: "SET_LOG_FD", 8: "SET_VRING_NUM", 9: "SET_VRING_ADDR",
       10: "SET_VRING_BASE", 11: "GET_VRING_BASE", 12: "SET_VRING_KICK",
       13: "SET_VRING_CALL", 14: "SET_VRING_ERR",
       15: "GET_PROTOCOL_FEATURES", 16: "SET_PROTOCOL_FEATURES",
       17: "GET_QUEUE_NUM", 18: "SET_VRING_ENABLE", 19: "SEND_RARP",
       20: "NET_SET_MTU", 21: "SET_BACKEND_REQ_FD", 24: "GET_CONFIG",
       25: "SET_CONFIG", 34: "RESET_DEVICE", 36: "GET_MAX_MEM_SLOTS",
       37: "ADD_MEM_REG", 38: "REM_MEM_REG", 39: "SET_STATUS",
       40: "GET_STATUS"}
VRING_STATE = {8, 10, 11, 18}
VRING_FD = {12, 13, 14}
U64 = {1, 2, 6, 15, 16, 17}
FLAG_REPLY = 1 << 2


def recv_exact(s, n, fds):
    """Read exactly n bytes of s, adding passed fds to fds; None at EOF."""
    buf = b""
    while len(buf) < n:
        data, anc, _, _ = s.recvmsg(n - len(buf), socket.CMSG_SPACE(8 * 4))
        for level, kind, cdata in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                a = array.array("i")
                a.frombytes(cdata[:len(cdata) - len(cdata) % 4])
                fds.extend(a)
        if not data:
            return None
        buf += data
    return buf


def describe(req, flags, payload):
    """The interesting part of a message's payload, as key=value words."""
    if req in VRING_STATE and len(payload) >= 8:
        i, num = struct.unpack_from("<II", payload)
        return f"index={i} num={num}"
    if req in VRING_FD and len(payload) >= 8 and not flags & FLAG_REPLY:
        v = struct.unpack_from("<Q", payload)[0]
        return f"index={v & 0xff} nofd={(v >> 8) & 1}"
    if req in U64 and len(payload) >= 8:
        return "value=0x%x" % struct.unpack_from("<Q", payload)[0]
    if len(payload) == 8:
        return "value=0x%x" % struct.unpack_from("<Q", payload)[0]
    return ""


def relay_pipe(src, dst, tag, conn, log, lock):
    """Pass messages from src to dst until EOF; log one line each."""
    try:
        while True:
            fds = []
            hdr = recv_exact(src, 12, fds)
            if hdr is None:
                break
            req, flags, size = struct.unpack("<III", hdr)
            payload = recv_exact(src, size, fds) if size else b""
            if payload is None:
                break
            anc = []
            if fds:
                anc = [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                        array.array("i", fds))]
            # logged before it is passed on, so that a request's line
            # comes before its reply's
            with lock:
                log.write("t=%.3f conn=%d %s %s flags=0x%x size=%d fds=%d %s\n"
                          % (time.time(), conn, tag,
                             REQ.get(req, str(req)), flags, size, len(fds),
                             describe(req, flags, payload)))
            dst.sendmsg([hdr + payload], anc)
            for fd in fds:
                os.close(fd)
    except OSError as e:
        with lock:
            log.write(f"t={time.time():.3f} conn={conn} {tag} error {e}\n")
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def relay_main(listen, target, logpath):
    log = open(logpath, "a", buffering=1)
    lock = threading.Lock()
    ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    if os.path.exists(listen):
        os.unlink(listen)
    ls.bind(listen)
    ls.listen(4)
    log.write("listening\n")
    conn = 0
    while True:
        fe, _ = ls.accept()
        conn += 1
        be = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        be.connect(target)
        log.write(f"t={time.time():.3f} conn={conn} connect\n")
        ts = [threading.Thread(target=relay_pipe, daemon=True,
                               args=(fe, be, "Q>", conn, log, lock)),
              threading.Thread(target=relay_pipe, daemon=True,
                               args=(be, fe, "<B", conn, log, lock))]
        for t in ts:
            t.start()

        def closer(ts=ts, fe=fe, be=be, conn=conn):
            for t in ts:
                t.join()
            fe.close()
            be.close()
            with lock:
                log.write(f"t={time.time():.3f} conn={conn} closed\n")
        threading.Thread(target=closer, daemon=True).start()


# ---- slowget: GET http://127.0.0.1:PORT/PATH through a socket with a small
# receive buffer, read slowly (16 KiB every 40 ms), so that the guest is
# still sending when the host resets the guest. Log lines: "read BYTES"
# (every 64 KiB), then "end BYTES" or "error BYTES TEXT".
def slowget_main(port, path, logpath):
    log = open(logpath, "a", buffering=1)
    got, mark = 0, 0
    try:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32 * 1024)
        s.settimeout(60)
        s.connect(("127.0.0.1", int(port)))
        s.sendall(f"GET {path} HTTP/1.0\r\n\r\n".encode())
        while True:
            b = s.recv(16 * 1024)
            if not b:
                break
            got += len(b)
            if got - mark >= 64 * 1024:
                mark = got
                log.write(f"read {got}\n")
            time.sleep(0.04)
    except OSError as e:
        log.write(f"error {got} {e}\n")
        return 1
    log.write(f"end {got}\n")
    return 0


# ---- qmp: one command.
def qmp_main(path, cmd, args):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(30)
    for _ in range(100):
        try:
            s.connect(path)
            break
        except OSError:
            time.sleep(0.1)
    else:
        s.connect(path)
    f = s.makefile("rwb")

    def reply():
        while True:
            line = f.readline()
            if not line:
                raise OSError("QMP closed")
            m = json.loads(line)
            if "return" in m or "error" in m:
                return m

    f.readline()        # greeting
    f.write(b'{"execute":"qmp_capabilities"}\n')
    f.flush()
    reply()
    msg = {"execute": cmd}
    if args:
        msg["arguments"] = json.loads(args)
    f.write(json.dumps(msg).encode() + b"\n")
    f.flush()
    m = reply()
    if "error" in m:
        print(json.dumps(m["error"]))
        return 1
    print(json.dumps(m["return"]))
    return 0


def main():
    a = sys.argv[1:]
    if len(a) == 3 and a[0] == "http":
        http_main(a[1], a[2])
    elif len(a) == 4 and a[0] == "relay":
        relay_main(a[1], a[2], a[3])
    elif len(a) == 4 and a[0] == "slowget":
        return slowget_main(a[1], a[2], a[3])
    elif len(a) in (3, 4) and a[0] == "qmp":
        return qmp_main(a[1], a[2], a[3] if len(a) == 4 else None)
    else:
        print(__doc__ or "usage: see the head of vhost_reboot.py")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
