#!/usr/bin/env python3
"""Builds of `profile` (or one build with and without an environment switch), in turns, on one row.

Like `ab_builds.py`, but on `profile` (one row, one runtime per process, no criterion): each
round runs, for every side in turn (the order reversed every other round), `BIN ROW runtime
ITERS` under `perf stat -e task-clock` and then `BIN ROW tokio ITERS`, and keeps runtime's time
per iteration, its ratio to Tokio's (same binary, back to back: the ratio cancels most of this
2-core machine's load) and the runtime run's CPU time. Prints per side the medians and the
ratio's range.

Usage:

  cp target/release/profile /tmp/profile-before   # ... change, rebuild ...
  python3 benches/scripts/profile_ab.py ping_pong_1w 3000 8 \\
      /tmp/profile-before target/release/profile \\
      target/release/profile@BENCH_RUNTIME_NO_WATCHDOG=1

A side is `BIN` or `BIN@VAR=VALUE` (that variable set for its runs). The reference is Tokio
unless `PROFILE_AB_REFERENCE` names another runtime of `profile` (`smol`). With
`PROFILE_AB_RAW=FILE` every round's samples are also written to FILE as JSON (side -> list of
[runtime µs, ratio, CPU ms]), for a confidence interval of the difference (`ab_ci.py`). Needs
`perf`.
"""

import json
import os
import re
import statistics
import subprocess
import sys

# The time units and the VAR=VALUE parsing are ab_builds.py's (this script's directory is on
# the import path when it runs).
from ab_builds import UNITS, parse_env


def run(binary, row, runtime, iters, env_extra):
    """`(µs per iteration, task-clock ms)` of one `profile` run."""
    env = dict(os.environ)
    env.update(env_extra)
    out = subprocess.run(
        ['perf', 'stat', '-x,', '-e', 'task-clock', binary, row, runtime, iters],
        env=env, capture_output=True, text=True, check=True)
    m = re.search(r'([0-9.]+)(ns|µs|ms|s) per iteration', out.stdout)
    if not m:
        sys.exit(f'{binary}: no time in {out.stdout!r}')
    cpu = next(float(line.split(',')[0]) for line in out.stderr.splitlines()
               if 'task-clock' in line)
    return float(m.group(1)) * UNITS[m.group(2)], cpu


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    row, iters, rounds, sides = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
    reference = os.environ.get('PROFILE_AB_REFERENCE', 'tokio')
    results = {side: [] for side in sides}
    for r in range(rounds):
        for side in (sides if r % 2 == 0 else sides[::-1]):
            binary, _, assignment = side.partition('@')
            env = parse_env([assignment] if assignment else [])
            ours, cpu = run(binary, row, 'runtime', iters, env)
            theirs, _ = run(binary, row, reference, iters, env)
            results[side].append((ours, ours / theirs, cpu))
    raw = os.environ.get('PROFILE_AB_RAW')
    if raw:
        with open(raw, 'w') as f:
            json.dump({'row': row, 'reference': reference, 'samples': results}, f)
    for side, samples in results.items():
        ratios = [s[1] for s in samples]
        print(f'{row} {side}: runtime {statistics.median(s[0] for s in samples):.2f} µs, '
              f'runtime/{reference} {statistics.median(ratios):.3f} '
              f'({min(ratios):.3f}-{max(ratios):.3f}), '
              f'CPU {statistics.median(s[2] for s in samples):.1f} ms')


if __name__ == '__main__':
    main()
