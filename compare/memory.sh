#!/usr/bin/env bash
# Peak resident memory of 5 epochs of the seed CNN at batch 256, gradprobe against DJL 0.36 (PyTorch
# 2.7.1 engine), one after the other in one run, each under /usr/bin/time -v; and, for gradprobe, the
# heap left after each young collection by fifths of the run (G1's log), to show it does not grow.
#
#   compare/memory.sh [EPOCHS] [BATCH] [THREADS]      defaults: 5 256 2
#
# gradprobe trains on Fashion-MNIST (60,000 images an epoch, /usr/share/datasets/fashion-mnist when
# installed, else the bundled subset) with the probe at its default interval and a test pass after
# each epoch; DJL trains the same number of steps on 16 random batches it keeps (its memory is the
# native engine's, not the data's). Not part of the build or CI; needs what compare/run.sh needs.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
epochs="${1:-5}"; batch="${2:-256}"; threads="${3:-2}"
images=$((epochs * 60000))

mvn -q -B -f "$root/pom.xml" -DskipTests install >&2
mvn -q -B -f "$here/pom.xml" package dependency:build-classpath -Dmdep.outputFile="$here/target/classpath.txt" >&2
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

peak() { awk '/Maximum resident set size/ {printf "%.0f", $6 / 1024}' "$1"; }

echo "gradprobe: train --epochs $epochs --batch $batch ..." >&2
GRADPROBE_JAVA_OPTS="-Xlog:gc:file=$work/gc.log" /usr/bin/time -v -o "$work/gp.time" \
  "$root/gradprobe" train --epochs "$epochs" --batch "$batch" --threads "$threads" --out "$work/run" >"$work/gp.out" 2>&1
echo "DJL: $images images at batch $batch ..." >&2
/usr/bin/time -v -o "$work/djl.time" java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads="$threads" \
  -Dai.djl.pytorch.num_interop_threads=1 -Dorg.slf4j.simpleLogger.defaultLogLevel=error \
  -cp "$here/target/classes:$(cat "$here/target/classpath.txt")" org.gradprobe.compare.DjlSeedCnn "$batch" "$images" 1 >"$work/djl.out"

echo "peak resident memory, $epochs epochs at batch $batch, $threads threads:"
echo "  gradprobe $(peak "$work/gp.time") MB, DJL $(peak "$work/djl.time") MB"
/usr/bin/python3 - "$work/gc.log" <<'PY'
import re, statistics, sys
# "[12.345s][info][gc] GC(7) Pause Young (Normal) (G1 Evacuation Pause) 300M->120M(512M) 2.1ms"
after = [int(m.group(1)) for m in (re.search(r'Pause Young.* \d+M->(\d+)M\(', l) for l in open(sys.argv[1])) if m]
if len(after) >= 5:
    fifth = len(after) // 5
    parts = [after[i * fifth:(i + 1) * fifth] for i in range(5)]
    print("  gradprobe heap after young collections, median by fifths of the run: "
          + " / ".join(f"{statistics.median(p):.0f}" for p in parts) + f" MB ({len(after)} collections)")
PY
