#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Run the fixed piglit selection and compare with the expectations.

`meson test --suite piglit` runs this in exec mode: every test of
tests/piglit/piglit-tests.txt in its own process on its own simulated
machine, `virtgpu-sim exec -- TEST ARGS -auto -fbo` with
PIGLIT_PLATFORM=surfaceless_egl, N at a time.  The expected result of
each test is in piglit-fails.txt (Mesa CI's "name,Result" lines; a test
not listed must pass or skip) and piglit-skips.txt (tests not run, one
regular expression per line with its reason after "#").  There is no
flakes list.  Output is TAP: one line per test, and every unexpected
result comes with the test's command line.

The other modes run the same selection elsewhere, for the comparison in
docs/realdriver.md: native (llvmpipe in the test's own process) and vtest
(Mesa's virpipe driver talking to a virgl_test_server of its own, in a
private mount namespace so /tmp/.virgl_test is the test's own; root).
--results=FILE writes "name,Result" for every test run.
"""
import argparse
import concurrent.futures
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PIGLIT = "/usr/lib/x86_64-linux-gnu/piglit"

# piglit's own names for results, as Mesa CI's expectation files spell them
RESULTS = {"pass": "Pass", "fail": "Fail", "skip": "Skip", "warn": "Warn",
           "crash": "Crash", "timeout": "Timeout"}

VTEST_WRAPPER = r"""
mount -t tmpfs virtgpu-sim-vtest /tmp || exit 90
virgl_test_server --use-egl-surfaceless >/dev/null 2>&1 &
server=$!
i=0
while [ ! -S /tmp/.virgl_test ] && [ $i -lt 500 ]; do sleep 0.01; i=$((i+1)); done
GALLIUM_DRIVER=virpipe "$@"
status=$?
kill $server 2>/dev/null
wait $server 2>/dev/null
exit $status
"""


def read_list(path):
    tests = []
    with open(path) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            name, cmd = line.rstrip("\n").split("\t", 1)
            tests.append((name, shlex.split(cmd)))
    return tests


def read_fails(path):
    fails = {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            name, _, result = line.rpartition(",")
            if result not in RESULTS.values():
                sys.exit(f"{path}:{n}: unknown result '{result}'")
            fails[name] = result
    return fails


def read_skips(path):
    skips = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if line.startswith("#") or not line.strip():
                continue
            regex, _, reason = line.partition("#")
            if not reason.strip():
                sys.exit(f"{path}:{n}: a skip needs its reason after '#'")
            skips.append(re.compile(regex.strip()))
    return skips


def command(args, cmd):
    prog = os.path.join(args.piglit, "bin", cmd[0])
    test = [prog] + cmd[1:] + ["-auto", "-fbo"]
    if args.mode == "exec":
        return [args.sim, "exec", "--"] + test
    if args.mode == "vtest":
        return ["unshare", "-m", "sh", "-c", VTEST_WRAPPER, "sh"] + test
    return test


def result_of(proc_status, out):
    """piglit's verdict: the last "PIGLIT: {...}" line, else a crash."""
    result = None
    for line in out.splitlines():
        if line.startswith("PIGLIT: {"):
            try:
                result = json.loads(line[len("PIGLIT: "):]).get("result")
            except ValueError:
                pass
    if proc_status < 0 or proc_status > 128 or result not in RESULTS:
        return "Crash"
    return RESULTS[result]


def run_one(args, cmd):
    env = dict(os.environ, PIGLIT_PLATFORM="surfaceless_egl",
               PIGLIT_SOURCE_DIR=args.piglit,
               MESA_SHADER_CACHE_DISABLE="true")
    full = command(args, cmd)
    start = time.monotonic()
    # Its own session, so a timeout ends the test and everything it
    # started (the simulator's render server, a vtest server).
    proc = subprocess.Popen(full, cwd=args.piglit, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, text=True,
                            errors="replace", start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=args.timeout)
        result = result_of(proc.returncode, out)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        result = "Timeout"
    return result, time.monotonic() - start, full, out


def verdict(expected, result):
    if result == expected:
        return True
    return expected == "Pass" and result == "Skip"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--mode", choices=["exec", "native", "vtest"],
                   default="exec")
    p.add_argument("--sim", help="the virtgpu-sim command (exec mode)")
    p.add_argument("--piglit", default=PIGLIT)
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    p.add_argument("--timeout", type=float, default=60)
    p.add_argument("--list", default=os.path.join(HERE, "piglit-tests.txt"))
    p.add_argument("--fails", default=os.path.join(HERE, "piglit-fails.txt"))
    p.add_argument("--skips", default=os.path.join(HERE, "piglit-skips.txt"))
    p.add_argument("--results", help="write name,Result for every test")
    p.add_argument("--no-expectations", action="store_true",
                   help="report results only (native and vtest runs)")
    args = p.parse_args()
    if args.mode == "exec" and not args.sim:
        p.error("--mode=exec needs --sim")
    if not os.path.isdir(os.path.join(args.piglit, "bin")):
        print(f"Bail out! piglit is not installed in {args.piglit} "
              "(apt-get install piglit)")
        return 1

    tests = read_list(args.list)
    fails = {} if args.no_expectations else read_fails(args.fails)
    skips = read_skips(args.skips)
    unknown = set(fails) - {name for name, _ in tests}
    if unknown:
        print(f"Bail out! {args.fails} names tests not in the selection: "
              + ", ".join(sorted(unknown)))
        return 1

    print(f"1..{len(tests)}", flush=True)
    counts, bad, results = {}, 0, []
    start = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        jobs = [None if any(r.search(name) for r in skips)
                else pool.submit(run_one, args, cmd) for name, cmd in tests]
        for n, ((name, cmd), job) in enumerate(zip(tests, jobs), 1):
            if job is None:
                print(f"ok {n} - {name} # SKIP piglit-skips.txt", flush=True)
                counts["Skipped"] = counts.get("Skipped", 0) + 1
                continue
            result, secs, full, out = job.result()
            results.append(f"{name},{result}")
            counts[result] = counts.get(result, 0) + 1
            expected = fails.get(name, "Pass")
            if args.no_expectations or verdict(expected, result):
                print(f"ok {n} - {name} # {result} {secs:.1f}s", flush=True)
                continue
            bad += 1
            print(f"not ok {n} - {name}: {result}, expected {expected}")
            print(f"# command: cd {shlex.quote(args.piglit)} && "
                  f"PIGLIT_PLATFORM=surfaceless_egl {shlex.join(full)}")
            for line in out.splitlines()[-15:]:
                print(f"#   {line}")
            sys.stdout.flush()
    wall = time.monotonic() - start
    summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    print(f"# {args.mode}: {summary}; {bad} unexpected; "
          f"{wall:.0f} s wall with {args.jobs} jobs")
    if args.results:
        with open(args.results, "w") as f:
            f.write("\n".join(results) + "\n")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
