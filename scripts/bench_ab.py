#!/usr/bin/env python3
"""Compares the training speed of two gradprobe jars, A and B, run alternately on one machine.

Runs `gradprobe bench --json` (training only: no matrix-multiply, statistics or check timings) of each
jar in turn, A B A B ..., so that both meet the same slow and fast spells of a shared machine, then
prints, per batch size and probe mode, the median images/s of each jar over its runs and B/A.

  scripts/bench_ab.py OLD.jar NEW.jar [--pairs 5] [--rounds 3] [--modes off,default,every] [--batch 4,64,256]

The jars are run with the launcher's JVM options (the Vector API module, the GC settings).
"""
import argparse
import json
import statistics
import subprocess
import sys

JVM = ["java", "--add-modules", "jdk.incubator.vector", "-XX:GCTimeRatio=4", "-XX:MaxHeapFreeRatio=20",
       "-XX:MinHeapFreeRatio=5"]


def run(jar, args):
    cmd = JVM + ["-jar", jar, "bench", "--json", "--no-gemm", "--no-stats", "--no-check",
                 "--rounds", str(args.rounds), "--modes", args.modes, "--batch", args.batch]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("--pairs", type=int, default=5)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--modes", default="off,default,every")
    p.add_argument("--batch", default="4,64,256")
    args = p.parse_args()
    speeds = {}    # (jar index, batch, mode) -> [images/s of each run]
    for pair in range(args.pairs):
        order = (0, 1) if pair % 2 == 0 else (1, 0)    # A B, then B A: neither always goes first
        for i in order:
            result = run((args.a, args.b)[i], args)
            for row in result["training"]:
                for mode, v in row["images_per_s"].items():
                    speeds.setdefault((i, row["batch"], mode), []).append(v)
        print(f"pair {pair + 1}/{args.pairs} done", file=sys.stderr, flush=True)
    print(f"A = {args.a}, B = {args.b}, {args.pairs} runs each")
    print(f"{'batch':>5} {'mode':>16} {'A img/s':>9} {'B img/s':>9} {'B/A':>6}   runs of A; runs of B")
    for (i, batch, mode) in sorted(k for k in speeds if k[0] == 0):
        a, b = speeds[(0, batch, mode)], speeds.get((1, batch, mode))
        if b:
            ma, mb = statistics.median(a), statistics.median(b)
            print(f"{batch:>5} {mode:>16} {ma:>9.1f} {mb:>9.1f} {mb / ma:>6.3f}   "
                  + " ".join(f"{x:.0f}" for x in a) + "; " + " ".join(f"{x:.0f}" for x in b))


if __name__ == "__main__":
    main()
