#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Runs a command that writes a conformance report and checks the report.

Usage: conformance_check.py [--expect=RULE,...] -- COMMAND ARGS...
Every argument "@REPORT@" of COMMAND becomes --conformance=FILE (a fresh
temporary file).  The command must exit 0, FILE must be JSON in the
report's format (vmm/conformance.h, docs/device-answers.md) with at least
one run, and the rules it lists must be exactly those of --expect, or,
without --expect, only rules docs/realdriver.md explains for a real driver
(EXPLAINED below; none so far, so the list must be empty).
"""
import json
import os
import subprocess
import sys
import tempfile

# Rules a real driver was seen to break, each explained in
# docs/realdriver.md ("The conformance report").  Mesa 22.3 breaks none.
EXPLAINED = set()


def main():
    args = sys.argv[1:]
    expect = None
    while args and args[0] != "--":
        if args[0].startswith("--expect="):
            expect = set(args[0][len("--expect="):].split(","))
        args = args[1:]
    cmd = args[1:]
    fd, path = tempfile.mkstemp(suffix=".json")
    os.close(fd)
    try:
        cmd = ["--conformance=" + path if a == "@REPORT@" else a for a in cmd]
        status = subprocess.run(cmd, stdout=subprocess.DEVNULL).returncode
        with open(path) as f:
            report = json.load(f)
    finally:
        os.unlink(path)
    runs = report["runs"]
    seen = {v["rule"] for run in runs for v in run["violations"]}
    for run in runs:
        for v in run["violations"]:
            for key in ("section", "level", "command", "fields", "text",
                        "first_command", "count", "guest_ioctl"):
                if key not in v:
                    print("violation %s lacks %s" % (v["rule"], key))
                    return 1
    bad = seen - EXPLAINED if expect is None else seen ^ expect
    print("%d run(s), exit status %d, rules %s, unexpected or missing: %s"
          % (len(runs), status, sorted(seen), sorted(bad) or "none"))
    if report["format"] != "virtgpu-sim conformance 1" or not runs:
        print("not a report of this format, or no run in it")
        return 1
    return 1 if bad or status != 0 else 0


if __name__ == "__main__":
    sys.exit(main())
