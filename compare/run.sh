#!/usr/bin/env bash
# Side-by-side training speed of the seed CNN: gradprobe (probe at its default interval), DJL 0.36 with
# the PyTorch 2.7.1 engine, and PyTorch 1.13 (Debian's python3-torch), same threads and batch sizes,
# alternating the three round by round in one run; prints the medians and the ratios.
#
#   compare/run.sh [ROUNDS] [BATCHES] [IMAGES] [THREADS]      defaults: 3 "4 64 256" 2048 2
#
# DJL runs at its best (DjlSeedCnn.java): the data resident as one NDArray in an ArrayDataset, a batch a
# view of it (getByRange), EasyTrain.trainBatch + trainer.step(), at least 10 warm-up steps.
#
# Not part of the main build or CI. Needs Maven (the first run downloads DJL and its native PyTorch
# jars into ~/.m2; after that it runs offline) and /usr/bin/python3 with torch (apt-get install python3-torch).
# The root modules are installed into ~/.m2 first (compare/pom.xml depends on gradprobe-djl), and the
# launcher and its jar are copied, so that a source edit during the run does not rebuild gradprobe midway.
# Environment: LOCK=FILE runs each build and each timed process under flock FILE (a machine shared
# with other builds: the lock is held a process at a time, not for the whole run); RUN_JSONL=FILE keeps
# every timed process's JSON line.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
rounds="${1:-3}"; batches="${2:-4 64 256}"; images="${3:-2048}"; threads="${4:-2}"

lk=(); [ -n "${LOCK:-}" ] && lk=(flock "$LOCK")
"${lk[@]}" mvn -q -B -f "$root/pom.xml" -DskipTests install >&2
"${lk[@]}" mvn -q -B -f "$here/pom.xml" package dependency:build-classpath -Dmdep.outputFile="$here/target/classpath.txt" >&2
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
out="${RUN_JSONL:-$work/rows.jsonl}"; : >"$out"
mkdir -p "$work/gp/core/target"
cp "$root/gradprobe" "$work/gp/gradprobe"
cp "$root/core/target/gradprobe.jar" "$work/gp/core/target/gradprobe.jar"

for round in $(seq 1 "$rounds"); do
  for b in $batches; do
    echo "round $round/$rounds, batch $b" >&2
    "${lk[@]}" "$work/gp/gradprobe" bench --batch "$b" --modes default \
        --rounds 1 --images "$images" --threads "$threads" --no-check --no-gemm --json 2>/dev/null \
      | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); t=d["training"][0]; print(json.dumps({"framework": "gradprobe", "batch": t["batch"], "images_per_s": t["images_per_s"]["default interval"]}))' >>"$out"
    "${lk[@]}" java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads="$threads" -Dai.djl.pytorch.num_interop_threads=1 \
        -Dorg.slf4j.simpleLogger.defaultLogLevel=error \
        -cp "$here/target/classes:$(cat "$here/target/classpath.txt")" org.gradprobe.compare.DjlSeedCnn "$b" "$images" 1 >>"$out"
    "${lk[@]}" /usr/bin/python3 "$here/torch_seed_cnn.py" "$b" "$images" 1 "$threads" >>"$out"
  done
done

/usr/bin/python3 - "$out" "$threads" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith('{')]
fw = ['gradprobe', 'djl', 'pytorch']
by = {}
for r in rows:
    by.setdefault(r['batch'], {}).setdefault(r['framework'], []).append(r['images_per_s'])
print(f"seed CNN training, images/s, {sys.argv[2]} threads, median of {len(next(iter(by.values()))['gradprobe'])} alternating rounds")
print(f"{'batch':>6} {'gradprobe':>10} {'DJL':>10} {'PyTorch':>10} {'vs DJL':>8} {'vs PyTorch':>11}")
for b in sorted(by):
    m = {f: statistics.median(by[b][f]) for f in fw if f in by[b]}
    print(f"{b:>6} {m['gradprobe']:>10.1f} {m['djl']:>10.1f} {m['pytorch']:>10.1f} {m['gradprobe']/m['djl']:>7.2f}x {m['gradprobe']/m['pytorch']:>10.2f}x")
PY
