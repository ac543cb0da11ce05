#!/usr/bin/env python3
"""The same axum app on `runtime` and on Tokio, loaded in turns with wrk and h2load.

Starts the release builds of `axum_server` (runtime, `examples/axum_server.rs`) and
`axum_tokio` (Tokio, `benches/examples/axum_tokio.rs`) on ports picked by the kernel, then
for each round loads both, in the order runtime, Tokio in even rounds and Tokio, runtime in odd
ones (A B B A A B ...), with

  wrk -t2 -c50 -d<secs>s --latency http://ADDR/hello/bench        (HTTP/1.1, path extractor)
  h2load -n <N> -c10 -m10 --log-file F 'http://ADDR/add?a=1&b=2'  (h2c, query extractor + JSON)

and `h2load --h1 -n <N> -c50 http://ADDR/hello/bench` (HTTP/1.1 again, with a one-thread client
and a fixed request count; wrk's two threads compete with the server for the 2 cores), then
reports, per tool and server, the medians over rounds of req/s, p99 latency (wrk's
--latency table; h2load: the 99th percentile of the per-request times in its log file) and
server CPU time per request (utime + stime of the server process from /proc/<pid>/stat,
before and after each run, divided by the requests done). Any error or non-2xx answer
fails the run. Prints Markdown tables (the runtime/Tokio ratios as medians of the per-round
quotients with a 95 % bootstrap interval, as `ab_ci.py`) and the load average before and after.

Build first, then run:

  cargo build --release -p examples --example axum_server
  cargo build --release -p benches --example axum_tokio
  python3 benches/scripts/axum_side_by_side.py [ROUNDS=5] [WRK_SECS=5] [H2LOAD_N=50000]

Other builds side by side (for example the same server built before and after a change):
`AXUM_SERVERS=before=/tmp/axum_server_before,runtime=target/release/examples/axum_server,Tokio=...`
lists the sides as NAME=PATH (the last one is the reference of the ratio table; with more than
two sides each round rotates the order as well as reversing it), and `AXUM_TOOLS=wrk` keeps
only the listed tools (wrk, h2load, h2load-h1).
"""

import os
import re
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SERVERS = [
    ("runtime", os.path.join(ROOT, "target/release/examples/axum_server")),
    ("Tokio", os.path.join(ROOT, "target/release/examples/axum_tokio")),
]
if os.environ.get("AXUM_SERVERS"):
    SERVERS = [tuple(side.split("=", 1)) for side in os.environ["AXUM_SERVERS"].split(",")]
TICK = os.sysconf("SC_CLK_TCK")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ab_ci import bootstrap_median_ci  # noqa: E402


def start(name, path):
    proc = subprocess.Popen([path, "127.0.0.1:0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    match = re.search(r"http://([0-9.:]+)/", line)
    if not match:
        proc.kill()
        sys.exit(f"{name}: no address in {line!r} (is {path} built?)")
    return proc, match.group(1)


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # Fields 14 and 15 of the whole line (utime, stime); 3rd and later after the ")".
    return (int(fields[11]) + int(fields[12])) / TICK


def to_ms(value, unit):
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(addr, secs):
    out = subprocess.run(
        ["wrk", "-t2", "-c50", f"-d{secs}s", "--timeout", "10s", "--latency", f"http://{addr}/hello/bench"],
        capture_output=True, text=True, check=True).stdout
    if "Socket errors" in out or "Non-2xx" in out:
        sys.exit(f"wrk saw errors:\n{out}")
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    rps = float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1))
    value, unit = re.search(r"\s99%\s+([0-9.]+)(us|ms|s)\b", out).groups()
    return requests, rps, to_ms(value, unit)


def run_h2load(addr, n, h1=False):
    if h1:
        args = ["--h1", "-c", "50", f"http://{addr}/hello/bench"]
    else:
        args = ["-c", "10", "-m", "10", f"http://{addr}/add?a=1&b=2"]
    with tempfile.NamedTemporaryFile(mode="r", suffix=".log") as log:
        out = subprocess.run(
            ["h2load", "-n", str(n), "--log-file", log.name, *args],
            capture_output=True, text=True, check=True).stdout
        times = sorted(int(line.split("\t")[2]) for line in log if line.strip())
    if f"{n} succeeded, 0 failed, 0 errored, 0 timeout" not in out or f"status codes: {n} 2xx" not in out:
        sys.exit(f"h2load saw errors:\n{out}")
    rps = float(re.search(r"finished in [0-9.]+m?s, ([0-9.]+) req/s", out).group(1))
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))] / 1000.0  # us -> ms
    return n, rps, p99


def round_order(servers, r):
    """A B, B A, B A, A B, ... for two sides; more sides also rotate every other round."""
    shift = (r // 2) % len(servers)
    order = servers[shift:] + servers[:shift]
    return order if r % 2 == 0 else order[::-1]


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    secs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 50000
    servers = [(name, *start(name, path)) for name, path in SERVERS]
    TOOLS = [
        ("wrk", lambda a: run_wrk(a, secs)),
        ("h2load", lambda a: run_h2load(a, n)),
        ("h2load-h1", lambda a: run_h2load(a, n, h1=True)),
    ]
    if os.environ.get("AXUM_TOOLS"):
        TOOLS = [tool for tool in TOOLS if tool[0] in os.environ["AXUM_TOOLS"].split(",")]
    print(f"load average before: {open('/proc/loadavg').read().split()[:3]}")
    results = {}  # (tool, server) -> list of (rps, p99 ms, cpu us/request)
    try:
        for r in range(rounds):
            for tool, run in TOOLS:
                for name, proc, addr in round_order(servers, r):
                    before = cpu_seconds(proc.pid)
                    requests, rps, p99 = run(addr)
                    cpu = (cpu_seconds(proc.pid) - before) / requests * 1e6
                    results.setdefault((tool, name), []).append((rps, p99, cpu))
                    print(f"round {r + 1} {tool:6} {name:7} {rps:10.0f} req/s  p99 {p99:6.2f} ms  "
                          f"{cpu:6.2f} us CPU/request", flush=True)
    finally:
        for _, proc, _ in servers:
            proc.terminate()
            proc.wait()
    print(f"load average after: {open('/proc/loadavg').read().split()[:3]}")
    print()
    print(f"| tool | server | req/s (median of {rounds}) | p99 latency, ms | server CPU / request, us |")
    print("|---|---|---|---|---|")
    for tool, _ in TOOLS:
        for name, _ in SERVERS:
            rows = results[(tool, name)]
            med = [statistics.median(col) for col in zip(*rows)]
            print(f"| {tool} | {name} | {med[0]:.0f} | {med[1]:.2f} | {med[2]:.2f} |")
    print()
    reference = SERVERS[-1][0]
    print(f"| tool | side | / {reference} req/s | / {reference} p99 | / {reference} CPU per request |")
    print("|---|---|---|---|---|")
    for (tool, _), (name, _) in ((t, s) for t in TOOLS for s in SERVERS[:-1]):
        a, b = results[(tool, name)], results[(tool, reference)]
        cells = []
        for ca, cb in zip(zip(*a), zip(*b)):
            # Each round ran both servers back to back: the per-round quotients are paired.
            quotients = [x / y for x, y in zip(ca, cb)]
            lo, hi = bootstrap_median_ci(quotients)
            cells.append(f"{statistics.median(quotients):.3f} [{lo:.3f}, {hi:.3f}]")
        print(f"| {tool} | {name} | {' | '.join(cells)} |")
    print()
    print("(median of the per-round quotients, 95 % bootstrap interval in brackets: ab_ci.py)")


if __name__ == "__main__":
    main()
