#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Differential test: run network option lines through QEMU and qnet --dry-run and compare.

For each case of cases.txt, QEMU (the oracle, run in every test run) is
started paused with a QMP monitor on stdio, asked for `info network` and told
to quit; qnet is run as `qnet --dry-run OPTIONS`.  The two are compared on
exit status, warning/error lines on stderr (QEMU's program name replaced by
"qnet") and stdout (QEMU's `info network` text, or the raw text QEMU printed
when it exited before starting the monitor, as `-netdev help` does), with
generated netdev ids (#netNNN) renumbered in order of appearance.

Usage:
  run_diff.py [options] QNET        compare qnet against QEMU
  run_diff.py --qemu-only [options] print what QEMU answers for each case

Exit status: 0 all cases pass, 1 a case failed (or the oracle misbehaved),
77 QEMU 7.2 is not available (skip).
"""

import argparse
import concurrent.futures
import difflib
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CASES = os.path.join(HERE, "cases.txt")
NO_OPTIONS = "(no options)"
QEMU_BASE = ["-M", "pc", "-accel", "tcg", "-S", "-display", "none",
             "-qmp", "stdio"]
QMP_INPUT = "".join(json.dumps(c) + "\n" for c in (
    {"execute": "qmp_capabilities"},
    {"execute": "human-monitor-command", "id": "info",
     "arguments": {"command-line": "info network"}},
    {"execute": "quit"},
))
# QEMU stderr lines that have nothing to do with networking.  Keep this list
# short and explicit: every entry hides output from the comparison.
QEMU_NOISE = [
    re.compile(r"^ALSA lib "),                    # audio probing, if built in
    re.compile(r"^audio: "),                      # "audio: Could not init ..."
]
GENERATED_ID = re.compile(r"#net\d+")


def load_cases(path):
    """Return the list of cases in PATH as (number, text, argv) tuples."""
    cases = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            try:
                argv = [] if text == NO_OPTIONS else shlex.split(text)
            except ValueError as e:
                sys.exit(f"{path}:{lineno}: bad quoting: {e}")
            cases.append((len(cases) + 1, text, argv))
    return cases


def run(argv, stdin_text, timeout):
    """Run ARGV in a fresh temporary directory (removed afterwards).

    Return (returncode, stdout, stderr); returncode is None on timeout.
    """
    with tempfile.TemporaryDirectory(prefix="qnet-diff-") as cwd:
        proc = subprocess.Popen(
            argv, cwd=cwd, start_new_session=True, text=True,
            stdin=subprocess.PIPE if stdin_text is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=dict(os.environ, LC_ALL="C"))
        try:
            out, err = proc.communicate(stdin_text, timeout=timeout)
            return proc.returncode, out, err
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
            return None, out, err


def qmp_stdout(out):
    """Reduce QEMU's QMP stdout to what qnet prints on stdout.

    Return (text, problem): the `info network` answer (preceded by any
    non-JSON text QEMU printed, e.g. help output), and a description of a
    QMP-level problem or None.  QEMU greets before it creates devices, so a
    greeting without an answer is normal when it then fails (the caller
    ignores the problem when QEMU exits with status 1).
    """
    raw, info, greeted = [], None, False
    for line in out.splitlines(keepends=True):
        try:
            msg = json.loads(line)
        except ValueError:
            raw.append(line)
            continue
        if not isinstance(msg, dict):
            raw.append(line)
        elif "QMP" in msg:
            greeted = True
        elif msg.get("id") == "info":
            if "return" in msg:
                info = msg["return"]
            else:
                return "".join(raw), f"info network failed: {msg}"
    if greeted and info is None and not raw:
        return "", "QEMU greeted but never answered info network"
    return "".join(raw) + (info or ""), None


def normalise(rc, err, out, prog):
    """Return one comparable transcript of exit status, stderr and stdout.

    PROG (QEMU's program name) is replaced by "qnet" at the start of stderr
    lines, QEMU_NOISE lines are dropped when PROG is set, CRLF becomes LF,
    and generated ids are renumbered #net0, #net1... in order of appearance
    (stderr first, then stdout).
    """
    lines = []
    for line in err.replace("\r\n", "\n").splitlines():
        if prog:
            if any(p.search(line) for p in QEMU_NOISE):
                continue
            if line.startswith(prog + ":"):
                line = "qnet:" + line[len(prog) + 1:]
        lines.append(line)
    text = ("exit status: %s\n--- stderr\n%s--- stdout\n%s" % (
        "timeout" if rc is None else rc,
        "".join(l + "\n" for l in lines),
        out.replace("\r\n", "\n")))
    ids = {}

    def renumber(m):
        return ids.setdefault(m.group(0), "#net%d" % len(ids))
    return GENERATED_ID.sub(renumber, text)


# Netdev types qnet knows that QEMU 7.2 does not (af-xdp arrived in QEMU
# 8.2). `-netdev help` lists them in qnet; only those lines are set aside
# before comparing, and only in help listings.
QNET_ONLY_TYPES = ("af-xdp",)


def drop_qnet_only_types(out):
    """Return qnet's help text without the lines naming QNET_ONLY_TYPES."""
    return "".join(l for l in out.splitlines(keepends=True)
                   if l.strip() not in QNET_ONLY_TYPES)


def run_case(case, args):
    """Run one case through QEMU (and qnet unless --qemu-only).

    Return (ok, report): report is the text to print for the case.
    """
    num, text, argv = case
    rc, out, err = run([args.qemu] + QEMU_BASE + argv, QMP_INPUT, args.timeout)
    stdout, problem = qmp_stdout(out)
    prog = os.path.basename(args.qemu)
    expect = normalise(rc, err, stdout, prog)
    if rc == 1:
        problem = None
    elif rc != 0:
        problem = ("QEMU timed out" if rc is None
                   else f"QEMU exited with status {rc}")
    head = f"{num:3d} {text}"
    if problem:
        return False, f"ORACLE {head}\n  {problem}\n" + indent(expect)
    if args.qemu_only:
        return True, f"QEMU {head}\n" + indent(expect)
    rc2, out2, err2 = run([args.qnet, "--dry-run"] + argv, None, args.timeout)
    if "help" in text or "'?'" in text:
        out2 = drop_qnet_only_types(out2)
    got = normalise(rc2, err2, out2, None)
    if got == expect:
        return True, f"PASS {head}"
    diff = difflib.unified_diff(expect.splitlines(), got.splitlines(),
                                "qemu", "qnet", lineterm="")
    return False, f"FAIL {head}\n" + indent("\n".join(diff) + "\n")


def indent(text):
    """Return TEXT with every line indented by four spaces."""
    return "".join("    " + l + "\n" for l in text.splitlines())


def qemu_version(qemu):
    """Return QEMU's "major.minor" version string, or None if it won't run."""
    try:
        out = subprocess.run([qemu, "--version"], capture_output=True,
                             text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r"version (\d+)\.(\d+)", out)
    return f"{m.group(1)}.{m.group(2)}" if m else None


def select(cases, numbers, keywords):
    """Return the cases whose number is in NUMBERS or text contains a keyword.

    With neither filter given, return all cases.
    """
    if not numbers and not keywords:
        return cases
    return [c for c in cases
            if c[0] in numbers or any(k in c[1] for k in keywords)]


def parse_args():
    """Return the parsed command line."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("qnet", nargs="?", help="path to the qnet binary")
    p.add_argument("--qemu-only", action="store_true",
                   help="only print QEMU's normalised answers")
    p.add_argument("--case", action="append", default=[], metavar="N",
                   help="run case N (repeatable, or N,M,...)")
    p.add_argument("-k", action="append", default=[], metavar="SUBSTRING",
                   help="run cases whose options contain SUBSTRING")
    p.add_argument("--cases", default=DEFAULT_CASES, help="case list file")
    p.add_argument("--qemu", default=os.environ.get("QEMU",
                                                    "qemu-system-x86_64"),
                   help="QEMU binary (default: $QEMU or qemu-system-x86_64)")
    p.add_argument("--any-qemu", action="store_true",
                   help="do not insist on QEMU 7.2")
    p.add_argument("-j", "--jobs", type=int, default=2)
    p.add_argument("--timeout", type=float, default=30.0,
                   help="seconds per process")
    args = p.parse_args()
    if not args.qemu_only and not args.qnet:
        p.error("the qnet binary is required (or use --qemu-only)")
    try:
        args.case = {int(n) for v in args.case for n in v.split(",")}
    except ValueError:
        p.error("--case takes case numbers")
    return args


def main():
    """Run the selected cases and print one line per case and a summary.

    Return: the process exit status (0, 1, or 77 for skip).
    """
    args = parse_args()
    qemu = shutil.which(args.qemu)
    if not qemu:
        print(f"SKIP: {args.qemu} not found (apt-get install qemu-system-x86)")
        return 77
    args.qemu = qemu
    version = qemu_version(qemu)
    if version != "7.2" and not args.any_qemu:
        print(f"SKIP: the oracle must be QEMU 7.2 (Debian bookworm); "
              f"{qemu} is {version}")
        return 77
    if args.qnet and not args.qemu_only:
        args.qnet = os.path.abspath(args.qnet)
        if not os.access(args.qnet, os.X_OK):
            print(f"ERROR: {args.qnet} is not an executable")
            return 1
    cases = select(load_cases(args.cases), args.case, args.k)
    if not cases:
        print("ERROR: no case selected")
        return 1
    print(f"oracle: {qemu} (QEMU {version}); {len(cases)} cases")
    failed = []
    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
        for case, (ok, report) in zip(cases, pool.map(
                lambda c: run_case(c, args), cases)):
            print(report, end="" if report.endswith("\n") else "\n",
                  flush=True)
            if not ok:
                failed.append(case[0])
    verb = "answered" if args.qemu_only else "passed"
    print(f"summary: {len(cases) - len(failed)} {verb}, {len(failed)} failed"
          f" of {len(cases)}")
    if failed:
        print("failed cases: --case " + ",".join(map(str, failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
