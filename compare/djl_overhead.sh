#!/usr/bin/env bash
# What gradprobe's DJL listener costs: the seed CNN trained in DJL 0.36 (PyTorch 2.7.1 engine, resident
# random data, EasyTrain.trainBatch + trainer.step()) with no listener, with GradprobeListener at its
# default interval (GradprobeListener.builder().build(), 50) and recording every step (.every(1)), the
# three alternating turn by turn in one JVM (DjlListenerOverhead.java); prints the median images/s of
# each, the paired overheads (each listener turn against the no-listener turn of the same round) and the
# listener's own time per step.
#
#   compare/djl_overhead.sh [RUNS] [ROUNDS] [INTERVALS] [BATCH] [THREADS]      defaults: 3 6 4 64 2
#
# RUNS JVMs one after the other, each ROUNDS rounds of one turn per mode, a turn INTERVALS whole default
# intervals (50 steps) after 2 intervals of warm-up; the summary pools the rounds of all runs.
# Environment: LOCK=FILE runs each build and each JVM under flock FILE (held a JVM at a time);
# OVERHEAD_JSONL=FILE keeps every turn's JSON line. Not part of the main build or CI; needs Maven.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
runs="${1:-3}"; rounds="${2:-6}"; intervals="${3:-4}"; batch="${4:-64}"; threads="${5:-2}"

lk=(); [ -n "${LOCK:-}" ] && lk=(flock "$LOCK")
"${lk[@]}" mvn -q -B -f "$root/pom.xml" -DskipTests install >&2
"${lk[@]}" mvn -q -B -f "$here/pom.xml" package dependency:build-classpath -Dmdep.outputFile="$here/target/classpath.txt" >&2
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
out="${OVERHEAD_JSONL:-$work/rows.jsonl}"; : >"$out"
# the classes and the classpath copied, so that a rebuild during the run does not change what is timed
cp -r "$here/target/classes" "$work/classes"
cp="$work/classes:$(cat "$here/target/classpath.txt")"

for run in $(seq 1 "$runs"); do
  echo "run $run/$runs: $rounds rounds of $((intervals * 50)) steps per mode, batch $batch, $threads threads" >&2
  "${lk[@]}" java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads="$threads" -Dai.djl.pytorch.num_interop_threads=1 \
      -Dorg.slf4j.simpleLogger.defaultLogLevel=error \
      -cp "$cp" org.gradprobe.compare.DjlListenerOverhead "$batch" "$intervals" "$rounds" 2 \
    | sed "s/^{\"kind\"/{\"run\": $run, \"kind\"/" | tee -a "$out" | grep '"summary"' >&2 || true
done

/usr/bin/python3 - "$out" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith('{')]
turns = [r for r in rows if r['kind'] == 'turn']
if not turns:
    sys.exit("djl_overhead.sh: no turns were timed")
by = {}
for r in turns:
    by.setdefault((r['run'], r['round']), {})[r['mode']] = r
pairs = [v for v in by.values() if len(v) == 3]
t0 = turns[0]
print(f"seed CNN in DJL, batch {t0['batch']}, {t0['threads']} threads, turns of {t0['steps']} steps, "
      f"{len(pairs)} rounds ({len({r['run'] for r in turns})} JVMs)")
def q(xs):
    xs = sorted(xs); n = len(xs)
    at = lambda p: xs[int(p * (n - 1))] if n else float('nan')
    return at(0.25), statistics.median(xs), at(0.75)
base = statistics.median(p['none']['step_ms_median'] for p in pairs)
print(f"{'mode':>8} {'img/s':>9} {'paired overhead: median [quartiles]':>38} {'listener ms/step':>17} {'of a step':>9}")
for m in ('none', 'default', 'every1'):
    rate = statistics.median(p[m]['images_per_s'] for p in pairs)
    if m == 'none':
        print(f"{m:>8} {rate:>9.1f} {'':>38} {'':>17}   (median step {base:.2f} ms)")
        continue
    lo, med, hi = q([p['none']['images_per_s'] / p[m]['images_per_s'] - 1 for p in pairs])
    lis = statistics.median(p[m]['listener_ms_all'] for p in pairs)
    print(f"{m:>8} {rate:>9.1f} {f'{med:+.2%} [{lo:+.2%}, {hi:+.2%}]':>38} {lis:>17.3f} {lis / base:>9.2%}")
d = [p['default'] for p in pairs]
rec = statistics.median(r['listener_ms_recorded'] for r in d)
oth = statistics.median(r['listener_ms_other'] for r in d)
print(f"default interval, listener step by step: {oth:.3f} ms on each of 48 unrecorded steps (NaN/Inf checks), "
      f"{rec:.3f} ms on a recorded step and the one after it (records, update); "
      f"per interval {(48 * oth + 2 * rec) / (50 * base):.2%} of 50 no-listener steps")
PY
