#!/usr/bin/env python3
"""Times two builds of core/examples/throughput.rs side by side, alternating, so that both see the
same minutes of this machine (whose speed drifts by a third from one hour to the next).

    python3 tools/side_by_side.py BEFORE AFTER [RUNS]

BEFORE and AFTER are the example's binaries built at two commits
(`cargo build --profile bench -p kafka-sim --example throughput`, then copy
target/release/examples/throughput). Each binary runs RUNS scenarios (default 60) eight times, and
one scenario four times; a run's time is (fastest RUNS - fastest one) / (RUNS - 1), which leaves out
the setup both do once.
"""
import subprocess
import sys
import time

RECORDS = 20_000


def fastest(binary, runs, times):
    best = float("inf")
    for _ in range(times):
        start = time.perf_counter()
        subprocess.run([binary, str(runs)], check=True)
        best = min(best, time.perf_counter() - start)
    return best


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    binaries = sys.argv[1:3]
    runs = int(sys.argv[3]) if len(sys.argv) == 4 else 60
    if runs < 2:
        sys.exit("side_by_side: RUNS must be at least 2")
    many = {b: float("inf") for b in binaries}
    one = {b: float("inf") for b in binaries}
    for _ in range(8):
        for b in binaries:
            many[b] = min(many[b], fastest(b, runs, 1))
    for _ in range(4):
        for b in binaries:
            one[b] = min(one[b], fastest(b, 1, 1))
    for b in binaries:
        ms = (many[b] - one[b]) / (runs - 1) * 1000
        print(f"{b}: {ms:.2f} ms a run, {RECORDS / ms * 1000:,.0f} records a second")


if __name__ == "__main__":
    main()
