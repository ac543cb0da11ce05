#!/usr/bin/env python3
"""A confidence interval for the difference between two sides of a `profile_ab.py` run.

`profile_ab.py` with `PROFILE_AB_RAW=FILE` keeps every round's samples per side: runtime's
time per iteration, its ratio to the reference runtime, and its CPU time. Rounds are paired
(each round runs every side back to back), so this takes, per round and per measure, side B's
value over side A's, and reports the median of those per-round quotients with a 95 %
bootstrap interval (10 000 resamples of the rounds, fixed seed): "B costs X % more than A,
95 % CI [lo, hi]", for the ratio to the reference (what `compare` reports), the wall time and
the CPU time. With a third side that is a byte-identical copy of A (an A/A control),
the A/A interval shows what this machine cannot resolve.

Usage:

  PROFILE_AB_RAW=/tmp/ab.json python3 benches/scripts/profile_ab.py ROW ITERS 40 A A_COPY B
  python3 benches/scripts/ab_ci.py /tmp/ab.json A B       # and A A_COPY for the control
"""

import json
import random
import statistics
import sys


def per_round_quotients(samples, a, b, index):
    """Side b's measure `index` over side a's, round by round."""
    return [rb[index] / ra[index] for ra, rb in zip(samples[a], samples[b])]


def bootstrap_median_ci(values, resamples=10_000, seed=1):
    rng = random.Random(seed)
    medians = sorted(
        statistics.median(rng.choices(values, k=len(values))) for _ in range(resamples))
    return medians[int(0.025 * resamples)], medians[int(0.975 * resamples) - 1]


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    with open(sys.argv[1]) as f:
        run = json.load(f)
    a, b = sys.argv[2], sys.argv[3]
    for index, measure in ((1, f"ratio to {run['reference']}"), (0, 'wall time'), (2, 'CPU time')):
        q = per_round_quotients(run['samples'], a, b, index)
        lo, hi = bootstrap_median_ci(q)
        print(f"{run['row']}: {b} vs {a} over {len(q)} rounds, {measure}: "
              f"median {100 * (statistics.median(q) - 1):+.1f} %, "
              f"95 % CI [{100 * (lo - 1):+.1f} %, {100 * (hi - 1):+.1f} %]")


if __name__ == '__main__':
    main()
