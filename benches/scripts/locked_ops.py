#!/usr/bin/env python3
"""Counts the locked read-modify-write instructions a run executed, per function.

On x86-64 every atomic RMW (`lock cmpxchg`, `lock xadd`, `xchg` with memory...) is a full
barrier costing several ns (see `cargo run --release -p benches --bin lock_cost`), so on the
message-passing workloads their number, not the instruction count, sets the time.

Usage (callgrind counts every executed instruction; `--dump-instr=yes` keeps the addresses):

    valgrind --tool=callgrind --dump-instr=yes --callgrind-out-file=cg.out \
        target/release/profile ping_pong_pairs runtime 500
    python3 benches/scripts/locked_ops.py cg.out target/release/profile [REGEX]

Prints the total and the busiest locked instructions (in functions matching REGEX, default all)
with their execution counts; divide by the workload's operations (for ping_pong_pairs:
iterations x 1 000 round trips).
"""
import collections
import re
import subprocess
import sys


def locked_instructions(binary):
    """Address -> text of every locked / xchg instruction in the binary."""
    found = {}
    listing = subprocess.run(['objdump', '-d', '--no-show-raw-insn', '-C', binary],
                             capture_output=True, text=True, check=True).stdout
    for line in listing.splitlines():
        m = re.match(r'^\s+([0-9a-f]+):\s+(lock|xchg)\s*(.*)', line)
        if m:
            found[int(m.group(1), 16)] = f'{m.group(2)} {m.group(3)}'
    return found


def count(profile, binary, pattern):
    locks = locked_instructions(binary)
    names = {'ob': {}, 'fn': {}}
    current = {'ob': None, 'fn': None}
    address, skip_call_cost = 0, False
    per_site = collections.Counter()
    total = 0
    for line in open(profile):
        m = re.match(r'^(c?)(ob|fn)=\((\d+)\)(?: (.*))?$', line.rstrip('\n'))
        if m:
            called, kind, key, name = m.groups()
            if name:
                names[kind][key] = name
            if not called:
                current[kind] = names[kind][key]
            continue
        if line.startswith('calls='):
            skip_call_cost = True  # the next cost line is the call's inclusive cost
            continue
        if not line or not (line[0].isdigit() or line[0] in '+-*'):
            continue
        fields = line.split()
        position = fields[0]
        if position.startswith('0x'):
            address = int(position, 16)
        elif position[0] in '+-':
            address += int(position)
        if skip_call_cost:
            skip_call_cost = False
            continue
        if len(fields) < 3 or address not in locks:
            continue
        if not (current['ob'] or '').endswith(binary.split('/')[-1]):
            continue
        executions = int(fields[2])
        total += executions
        if re.search(pattern, current['fn'] or ''):
            per_site[(current['fn'], locks[address])] += executions
    return total, per_site


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    profile, binary = sys.argv[1], sys.argv[2]
    pattern = sys.argv[3] if len(sys.argv) > 3 else '.'
    total, per_site = count(profile, binary, pattern)
    print(f'{total} locked RMW executions in {binary}')
    for (function, instruction), executions in per_site.most_common(20):
        print(f'{executions:>12}  {instruction:<28} {function[:110]}')


if __name__ == '__main__':
    main()
