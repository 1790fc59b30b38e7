"""Runs a command; writes its wall time and CPU time (user, system) in seconds to a file.

bench/startup.mjs times each run through this instead of /usr/bin/time, whose CPU figures come in
10 ms steps (a bare `node -e 0` is 6 of them). wait4 gives the child's own rusage to the
microsecond, and the wall time is taken around the child alone, not this wrapper's start-up.
usage: python3 bench/rusage.py <out-file> <command> [args...]
"""
import os
import sys
import time

out, cmd = sys.argv[1], sys.argv[2:]
t0 = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(cmd[0], cmd)
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - t0
with open(out, "w") as f:
    f.write(f"{wall:.6f} {usage.ru_utime:.6f} {usage.ru_stime:.6f}\n")
sys.exit(os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode") else status >> 8)
