#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the fixed piglit selection (tests/piglit/piglit-tests.txt).

Run once by hand when the selection should change; the suite itself reads
only the file.  From Debian's piglit profiles quick_gl and quick_shader
(the ones Mesa CI's piglit jobs run), sorted by name: every 40th
concurrent quick_gl test and every 100th quick_shader test, so the
selection spreads over every area of both without hand-picking.  Tests
piglit marks run_concurrent=False (exclusive resources, timing) are left
out: the suite runs tests in parallel.  So are tests whose program
Debian's package does not ship (wgl-*).

Usage: select-tests.py [PIGLIT_DIR] > tests/piglit/piglit-tests.txt
"""
import ast
import gzip
import os
import shlex
import sys
import xml.etree.ElementTree as ET

GL_STEP = 40
SHADER_STEP = 100


def profile(root, name):
    with gzip.open(f"{root}/tests/{name}.xml.gz") as f:
        tree = ET.parse(f)
    for test in tree.getroot():
        opts = {o.get("name"): o.get("value") for o in test}
        if opts.get("run_concurrent") != "True":
            continue
        cmd = ast.literal_eval(opts["command"])
        # profiles list tests of every platform (wgl-*); keep what Debian
        # built
        if os.path.exists(f"{root}/bin/{cmd[0]}"):
            yield test.get("name"), cmd


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else \
        "/usr/lib/x86_64-linux-gnu/piglit"
    print("# The fixed piglit selection of `meson test --suite piglit`:")
    print("# NAME<TAB>COMMAND (shell words; the program is in the piglit")
    print("# directory's bin/, paths are relative to the piglit directory).")
    print("# Written by tests/piglit/select-tests.py; do not edit.")
    for name, step in (("quick_gl", GL_STEP), ("quick_shader", SHADER_STEP)):
        tests = sorted(profile(root, name))
        for test, cmd in tests[::step]:
            print(f"{test}\t{shlex.join(cmd)}")


if __name__ == "__main__":
    main()
