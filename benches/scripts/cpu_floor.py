#!/usr/bin/env python3
"""Where one `profile` row spends its CPU, per runtime, and the floor that bounds its ratio.

For each runtime named (default `runtime tokio`), runs `perf record -g -e cpu-clock` of
`target/release/profile ROW RUNTIME ITERS` (one runtime per process), sorts every sample into
a bucket and prints the CPU time per iteration of each bucket:

- `kernel I/O`: kernel samples under a socket or file system call (`recvfrom`, `sendto`,
  `read`, `write` to a socket, `writev`, `readv`, `io_uring_enter`, `accept4`, `connect`,
  `close`, `shutdown`, `epoll_ctl`) and interrupts and softirqs (loopback delivery);
- `kernel wait/wake`: kernel samples under the calls a scheduler makes to sleep and wake
  (`epoll_wait`, `futex`, `sched_yield`, `write` to an eventfd, `nanosleep`) and the context
  switches themselves;
- `kernel other`: page faults and any other system call;
- `runtime`: user samples whose innermost frame outside libc belongs to the runtime under
  test (its crates and its queues, locks and epoch collector);
- `workload`: the other user samples (the benchmark's own futures, hyper, and their `malloc`).

Each side is also run `CPU_FLOOR_ROUNDS` times (default 3, in turns) without `perf`, for its
wall and CPU time (`wait4`'s rusage) and the loopback TCP segments it sent and the delayed
ACKs the kernel's timer sent for it (`/proc/net/snmp` `OutSegs`, `/proc/net/netstat`
`DelayedACKs`, whole-system counters: run it on a quiet machine). A data segment whose reply
is not written within the delayed-ACK timeout (about 40 ms) gets a pure ACK of its own, a
second trip through the loopback path.

Both runtimes make the same I/O system calls on these rows, so `kernel I/O` is work the
workload asks of the kernel, not scheduling. The floor of the CPU ratio is what a runtime
making the same calls, at the same kernel cost each, would reach if nothing of its own cost
anything (no scheduling, no wait/wake calls, no user-space code):

  floor = kernel I/O of the reference / total of the reference

(the shares of one run under `perf` are steady; absolute times under `perf` vary by a third
from run to run, so the ratios between sides come from the runs without it). If the floor is
above a "lower is better" target, no change to the scheduler can meet the target on this
machine; only fewer or cheaper system calls can (the io_uring side, where the row supports
it). Usage:

  python3 benches/scripts/cpu_floor.py ROW ITERS [RUNTIME ...]

A RUNTIME may carry environment settings after `@` (for example
`runtime@BENCH_RUNTIME_RING_SOCKETS=1`, the io_uring socket path). Needs `perf` (cpu-clock sampling, no hardware
counters).
"""

import collections
import os
import re
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROFILE = os.environ.get('CPU_FLOOR_BIN', os.path.join(ROOT, 'target/release/profile'))
PERIOD_NS = 250_000  # one sample per 250 µs of CPU (perf -g at 50 µs slowed runs by a third)

IO_SYSCALLS = ('recvfrom', 'sendto', 'recvmsg', 'sendmsg', 'read', 'readv', 'writev',
               'pwrite64', 'pread64', 'io_uring_enter', 'accept4', 'connect', 'close',
               'shutdown', 'epoll_ctl', 'socket', 'setsockopt', 'bind', 'listen')
WAIT_SYSCALLS = ('epoll_wait', 'epoll_pwait', 'futex', 'sched_yield', 'nanosleep',
                 'clock_nanosleep', 'poll', 'ppoll')
RUNTIME_CRATES = {
    'runtime': ('runtime::', 'io_driver::', 'timer::', 'crossbeam_deque::', 'crossbeam_epoch::',
                'crossbeam_utils::', 'parking_lot', 'lock_api::', 'mio::', 'slab::'),
    'tokio': ('tokio::', 'mio::', 'parking_lot', 'lock_api::', 'slab::'),
    'smol': ('async_executor::', 'async_task::', 'async_io::', 'polling::', 'concurrent_queue::',
             'event_listener', 'async_channel::', 'futures_lite::', 'parking::', 'slab::'),
}
LIBC = ('libc.so', 'ld-linux', '[vdso]')


def classify(chain, runtime):
    """The bucket of one sample; `chain` is a list of (symbol, dso), innermost first."""
    _, dso = chain[0]
    if dso.startswith('[kernel'):
        syscall = next((re.sub(r'^__(x64|do)_sys_', '', s) for s, _ in chain
                        if re.match(r'__(x64|do)_sys_', s)), None)
        if syscall is None:
            if any('page_fault' in s for s, _ in chain):
                return 'kernel other'
            if any('schedule' in s or 'switch' in s for s, _ in chain):
                return 'kernel wait/wake'
            return 'kernel I/O'  # interrupts, softirqs: loopback delivery
        if syscall == 'write':
            eventfd = any('eventfd' in s for s, _ in chain)
            return 'kernel wait/wake' if eventfd else 'kernel I/O'
        if syscall in WAIT_SYSCALLS:
            return 'kernel wait/wake'
        if syscall in IO_SYSCALLS:
            return 'kernel I/O'
        return 'kernel other'
    prefixes = RUNTIME_CRATES.get(runtime.split('@')[0], ())
    for sym, d in chain:
        if any(lib in d for lib in LIBC):
            continue
        if d.startswith('[kernel'):
            break
        owned = any(re.search(r'(^|[<&( ])' + re.escape(p), sym) for p in prefixes)
        return 'runtime' if owned else 'workload'
    return 'workload'


def samples(data):
    """Yields the call chains of `perf script` output."""
    out = subprocess.run(['perf', 'script', '-i', data, '-F', 'ip,sym,dso'],
                         capture_output=True, text=True, check=True).stdout
    chain = []
    for line in out.splitlines():
        line = line.strip()
        if not line:
            if chain:
                yield chain
            chain = []
            continue
        m = re.match(r'[0-9a-f]+ (.*) \((.*)\)$', line)
        if m:
            chain.append((m.group(1), os.path.basename(m.group(2))))
    if chain:
        yield chain


def tcp_counters():
    """`{name: value}` of the kernel's TCP counters (`Tcp:OutSegs`, `TcpExt:DelayedACKs`, ...)."""
    counters = {}
    for path in ('/proc/net/snmp', '/proc/net/netstat'):
        with open(path) as f:
            lines = f.read().splitlines()
        for names, values in zip(lines[::2], lines[1::2]):
            names, values = names.split(), values.split()
            for name, value in zip(names[1:], values[1:]):
                counters[names[0] + name] = int(value)
    return counters


def environment(side):
    runtime, _, assignment = side.partition('@')
    env = dict(os.environ)
    for pair in filter(None, assignment.split(',')):
        key, _, value = pair.partition('=')
        env[key] = value
    return runtime, env


def plain_run(row, iters, side):
    """`(wall µs, CPU µs, TCP segments, delayed ACKs)` per iteration of one run without perf."""
    runtime, env = environment(side)
    before = tcp_counters()
    proc = subprocess.Popen([PROFILE, row, runtime, iters], env=env, stdout=subprocess.PIPE,
                            text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    after = tcp_counters()
    if status != 0:
        sys.exit(f'{PROFILE} {row} {runtime} {iters} failed')
    n = int(iters)
    delta = {k: (after.get(k, 0) - before.get(k, 0)) / n
             for k in ('Tcp:OutSegs', 'TcpExt:DelayedACKs')}
    return (wall_us(out), (usage.ru_utime + usage.ru_stime) * 1e6 / n, delta['Tcp:OutSegs'],
            delta['TcpExt:DelayedACKs'])


def wall_us(out):
    m = re.search(r'([0-9.]+)(ns|µs|ms|s) per iteration', out)
    scale = {'ns': 1e-3, 'µs': 1, 'ms': 1e3, 's': 1e6}
    return float(m.group(1)) * scale[m.group(2)] if m else float('nan')


def measure(row, iters, side):
    runtime, env = environment(side)
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, 'perf.data')
        run = subprocess.run(['perf', 'record', '-q', '-g', '-e', 'cpu-clock', '-c',
                              str(PERIOD_NS), '-o', data, PROFILE, row, runtime, iters],
                             env=env, capture_output=True, text=True, check=True)
        wall = wall_us(run.stdout)
        counts = collections.Counter(classify(chain, side) for chain in samples(data))
    # The whole run's samples over its iterations (the runtime's start and stop included, a
    # few ms): CPU µs per iteration.
    per_iter = {k: v * PERIOD_NS / 1000 / int(iters) for k, v in counts.items()}
    return wall, per_iter


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    row, iters = sys.argv[1], sys.argv[2]
    sides = sys.argv[3:] or ['runtime', 'tokio']
    # Runs without perf: ROUNDS per side, in turns (the order reversed every other round);
    # medians per column.
    rounds = int(os.environ.get('CPU_FLOOR_ROUNDS', '3'))
    runs = {side: [] for side in sides}
    for r in range(rounds):
        for side in (sides if r % 2 == 0 else sides[::-1]):
            runs[side].append(plain_run(row, iters, side))
    plain = {side: tuple(statistics.median(col) for col in zip(*runs[side])) for side in sides}
    results = {side: measure(row, iters, side) for side in sides}
    buckets = ['kernel I/O', 'kernel wait/wake', 'kernel other', 'runtime', 'workload']
    print(f'{row}, per iteration, without perf (medians of {rounds} runs of {iters} iterations '
          'per side, in turns)\n')
    print('| side | wall µs | CPU µs | TCP segments sent | delayed ACKs |')
    print('|---|---|---|---|---|')
    for side, (wall, cpu, segments, delayed) in plain.items():
        print(f'| {side} | {wall:.0f} | {cpu:.0f} | {segments:.0f} | {delayed:.0f} |')
    print(f'\n{row}, CPU µs per iteration under perf (cpu-clock samples)\n')
    print('| side | wall µs | ' + ' | '.join(buckets) + ' | total |')
    print('|---|---|' + '---|' * (len(buckets) + 1))
    for side, (wall, cpu) in results.items():
        total = sum(cpu.values())
        cells = ' | '.join(f'{cpu.get(b, 0):.0f} ({cpu.get(b, 0) / total:.0%})' for b in buckets)
        print(f'| {side} | {wall:.0f} | {cells} | {total:.0f} |')
    reference = sides[-1]
    ref_cpu = results[reference][1]
    ref_share = ref_cpu.get('kernel I/O', 0) / sum(ref_cpu.values())
    print(f'\nfloor: {reference} spends {ref_share:.1%} of its CPU in the kernel on I/O calls. A '
          f'runtime making the same calls at the same kernel cost each, with no cost of its own, '
          f'would use {ref_share:.3f} of its CPU: at most {1 / ref_share:.2f}x its throughput '
          f'with both cores busy.')
    ref_plain_cpu = plain[reference][1]
    for side in sides[:-1]:
        cpu = results[side][1]
        share = cpu.get('kernel I/O', 0) / sum(cpu.values())
        plain_cpu = plain[side][1]
        print(f'{side} / {reference} without perf: CPU {plain_cpu / ref_plain_cpu:.3f}, wall '
              f'{plain[side][0] / plain[reference][0]:.3f}; its kernel I/O alone '
              f'({share:.1%} of its CPU) is {share * plain_cpu / ref_plain_cpu:.3f} of '
              f"{reference}'s CPU")

if __name__ == '__main__':
    main()
