#!/usr/bin/env python3
"""Two builds of `compare` (or one build with and without an environment switch), in turns.

A 3 % question ("does this change cost more than 3 %?") cannot be answered by two `compare`
runs on this 2-core machine: the same binary's time per iteration varies by 2x between runs
when anything else runs. This script runs the two sides alternately (A B B A A B ...) and
reports, per row, the median over rounds of `runtime`'s time and of its ratio to Tokio measured
in the same process (the ratio cancels most of the machine's load), then B / A for both.

Usage:

  # two builds: keep a copy of the old binary before rebuilding
  cp target/release/compare /tmp/compare-before   # ... change, rebuild ...
  python3 benches/scripts/ab_builds.py --rounds 8 --filter ping_pong \\
      /tmp/compare-before target/release/compare

  # one build, the second side with VAR=1 in its environment (e.g. the watchdog switch)
  python3 benches/scripts/ab_builds.py --rounds 8 --filter ping_pong \\
      --env-b BENCH_RUNTIME_NO_WATCHDOG=1 target/release/compare target/release/compare

Each run is `compare --quick --filter F --no-memory --no-lateness`; rows whose `per` unit
differs between runs are compared as printed (compare keeps one unit per row). Exits non-zero
if a side fails or prints no rows.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile

UNITS = {'ns': 1e-3, 'µs': 1.0, 'ms': 1e3, 's': 1e6}


def run_side(binary, filter_, env_extra):
    """`{row: (runtime time in µs, runtime / tokio)}` from one compare run."""
    env = dict(os.environ)
    env.update(env_extra)
    with tempfile.TemporaryDirectory() as out:
        done = subprocess.run(
            [binary, '--quick', '--filter', filter_, '--no-memory', '--no-lateness',
             '--out', out],
            env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f'{binary} failed ({done.returncode}):\n{done.stderr[-2000:]}')
    rows = {}
    for line in done.stdout.splitlines():
        # case  per  runtime unit  tokio unit  smol unit  rt/tokio  rt/best
        parts = line.split()
        if len(parts) < 10 or parts[3] not in UNITS:
            continue
        try:
            time = float(parts[2]) * UNITS[parts[3]]
            ratio = float(parts[8])
        except ValueError:
            continue
        rows[parts[0]] = (time, ratio)
    if not rows:
        sys.exit(f'{binary} printed no rows for --filter {filter_}:\n{done.stdout[-2000:]}')
    return rows


def parse_env(pairs):
    env = {}
    for pair in pairs or []:
        key, _, value = pair.partition('=')
        env[key] = value
    return env


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--rounds', type=int, default=8)
    parser.add_argument('--filter', required=True)
    parser.add_argument('--env-a', action='append', help='VAR=VALUE for side A')
    parser.add_argument('--env-b', action='append', help='VAR=VALUE for side B')
    parser.add_argument('a')
    parser.add_argument('b')
    args = parser.parse_args()
    sides = [('A', args.a, parse_env(args.env_a)), ('B', args.b, parse_env(args.env_b))]
    samples = {}
    for round_ in range(args.rounds):
        order = sides if round_ % 2 == 0 else sides[::-1]
        for name, binary, env in order:
            for row, value in run_side(binary, args.filter, env).items():
                samples.setdefault(row, {'A': [], 'B': []})[name].append(value)
    print(f'{args.rounds} rounds, A = {args.a} {args.env_a or ""}, '
          f'B = {args.b} {args.env_b or ""}')
    print('| row | A time (µs) | B time | B/A time | A rt/tokio | B rt/tokio | B/A ratio |')
    print('|---|---|---|---|---|---|---|')
    for row, by_side in samples.items():
        if not by_side['A'] or not by_side['B']:
            continue
        a_time = statistics.median(t for t, _ in by_side['A'])
        b_time = statistics.median(t for t, _ in by_side['B'])
        a_ratio = statistics.median(r for _, r in by_side['A'])
        b_ratio = statistics.median(r for _, r in by_side['B'])
        print(f'| {row} | {a_time:.1f} | {b_time:.1f} | {b_time / a_time:.3f} | '
              f'{a_ratio:.3f} | {b_ratio:.3f} | {b_ratio / a_ratio:.3f} |')
    load = os.getloadavg()
    print(f'load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}')


if __name__ == '__main__':
    main()
