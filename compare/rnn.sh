#!/usr/bin/env bash
# Side-by-side training speed of the recurrent workloads of issue 19: gradprobe (probe at its default
# interval), DJL 0.36 with the PyTorch 2.7.1 engine (DjlRnn.java) and PyTorch 1.13 (Debian's
# python3-torch, torch_rnn.py), same threads and batch sizes, alternating the three round by round (the
# order rotates each round) in one run; prints the medians and the ratios.
#
#   lstm-lm   embedding(64,64) lstm(128) linear(64) per token, T = 64 ids, batch 32, cross-entropy per token
#   gru-rows  gru(128) last linear(10) on 28 rows of 28 (Fashion-MNIST-sized), batch 64, cross-entropy
#
#   compare/rnn.sh [ROUNDS] [STEPS] [THREADS] [WORKLOADS]      defaults: 3 50 2 "lstm-lm gru-rows"
#
# STEPS is the length of one timed turn in training steps (50 = one probe interval of gradprobe's
# default); each process warms up for max(10, STEPS) steps first. Environment:
#   GRADPROBE=PATH   the gradprobe launcher (default: the repository's ./gradprobe); GRADPROBE=none skips it
#   GP_MODES=MODES   gradprobe bench --modes (default: "default", the probe at its default interval)
#   RNN_JSONL=FILE   keep every timed turn's JSON line in FILE
# If gradprobe's bench does not take --model (or fails on a workload), the run goes on with DJL and
# PyTorch and says so. Not part of the main build or CI; needs what compare/run.sh needs. The script
# takes no lock itself: on a shared machine run it whole under one (flock /work/.build.lock compare/rnn.sh).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
rounds="${1:-3}"; steps="${2:-50}"; threads="${3:-2}"; workloads="${4:-lstm-lm gru-rows}"
gp="${GRADPROBE:-$root/gradprobe}"; gp_modes="${GP_MODES:-default}"

mvn -q -B -f "$root/pom.xml" -DskipTests install >&2    # compare/pom.xml depends on gradprobe-djl
mvn -q -B -f "$here/pom.xml" package dependency:build-classpath -Dmdep.outputFile="$here/target/classpath.txt" >&2
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
out="$work/rows.jsonl"; : >"$out"

batch_of() { case "$1" in lstm-lm) echo 32 ;; gru-rows) echo 64 ;; *) echo "rnn.sh: unknown workload $1 (lstm-lm, gru-rows)" >&2; exit 2 ;; esac; }
spec_of()  { case "$1" in lstm-lm) echo "embedding(64,64) lstm(128) linear(64)" ;; gru-rows) echo "gru(128) last linear(10)" ;; esac; }
input_of() { case "$1" in lstm-lm) echo 64 ;; gru-rows) echo 28x28 ;; esac; }
for w in $workloads; do batch_of "$w" >/dev/null; done

declare -A gp_off=()
[ "$gp" = none ] && for w in $workloads; do gp_off[$w]="GRADPROBE=none"; done

run_gradprobe() {   # workload batch: one timed turn of gradprobe bench --model, as one JSON row
  local w="$1" b="$2"
  [ -n "${gp_off[$w]:-}" ] && return 0
  if "$gp" bench --model "$(spec_of "$w")" --input "$(input_of "$w")" --batch "$b" --modes "$gp_modes" \
       --rounds 1 --images $((steps * b)) --threads "$threads" --no-check --no-gemm --no-stats --json \
       >"$work/gp.json" 2>"$work/gp.err" \
     && /usr/bin/python3 - "$work/gp.json" "$w" "$b" "$gp_modes" >>"$out" <<'PY'
import json, sys
path, workload, batch, modes = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
text = open(path).read()
d = json.loads(text[text.index('{'):])             # the object, whatever the launcher printed before it
t = d["training"][0] if isinstance(d.get("training"), list) else d
key = next(k for k in ("samples_per_s", "sequences_per_s", "images_per_s") if k in t)
v = t[key]
if isinstance(v, dict):                            # today's bench: {mode label: rate}
    v = v.get("default interval", v.get("default")) if modes == "default" and len(v) > 1 else next(iter(v.values()))
if t.get("batch", batch) != batch:
    print(f"note: {workload}: gradprobe bench reports batch {t['batch']}, asked for {batch}", file=sys.stderr)
row = {"framework": "gradprobe", "workload": workload, "batch": batch, "samples_per_s": float(v)}
if workload == "lstm-lm":
    row["tokens_per_s"] = float(v) * 64
print(json.dumps(row))
PY
  then return 0
  fi
  if grep -qiE -- "unknown option|unmatched argument" "$work/gp.err"; then
    for x in $workloads; do gp_off[$x]="no --model"; done
    echo "note: gradprobe bench does not take --model yet ($(grep -iE -m1 "unknown option|unmatched argument" "$work/gp.err")): timing DJL and PyTorch only" >&2
  else
    gp_off[$w]="failed"
    echo "note: $w: gradprobe bench failed, timing DJL and PyTorch without it: $(grep -v '^WARNING: Using incubator' "$work/gp.err" | tail -n 3 | tr '\n' ' ')" >&2
  fi
}
run_djl() {
  java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads="$threads" -Dai.djl.pytorch.num_interop_threads=1 \
      -Dorg.slf4j.simpleLogger.defaultLogLevel=error \
      -cp "$here/target/classes:$(cat "$here/target/classpath.txt")" org.gradprobe.compare.DjlRnn "$1" "$2" "$steps" 1 "$threads" >>"$out"
}
run_pytorch() { /usr/bin/python3 "$here/torch_rnn.py" "$1" "$2" "$steps" 1 "$threads" >>"$out"; }

frameworks=(gradprobe djl pytorch)
for round in $(seq 1 "$rounds"); do
  for w in $workloads; do
    b="$(batch_of "$w")"
    echo "round $round/$rounds, $w, batch $b" >&2
    for i in 0 1 2; do
      f="${frameworks[$(( (i + round - 1) % 3 ))]}"
      "run_$f" "$w" "$b"
    done
  done
done
[ -n "${RNN_JSONL:-}" ] && cp "$out" "$RNN_JSONL"

/usr/bin/python3 - "$out" "$threads" "$steps" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith('{')]
threads, steps = sys.argv[2], sys.argv[3]
by = {}
for r in rows:
    by.setdefault(r['workload'], {}).setdefault(r['framework'], []).append(r)
n = max((len(v) for w in by.values() for v in w.values()), default=0)
print(f"recurrent training, {threads} threads, {steps} steps a turn, median of {n} alternating rounds")
print(f"{'workload':<9} {'batch':>5} {'unit':<12} {'gradprobe':>10} {'DJL':>10} {'PyTorch':>10} {'vs DJL':>8} {'vs PyTorch':>11}")
units = {'lstm-lm': [('sequences/s', 'samples_per_s'), ('tokens/s', 'tokens_per_s')], 'gru-rows': [('images/s', 'samples_per_s')]}
fmt = lambda x: f"{x:>10.1f}" if x is not None else f"{'-':>10}"
for w in by:
    batch = next(iter(by[w].values()))[0]['batch']
    for unit, key in units.get(w, [('samples/s', 'samples_per_s')]):
        m = {f: statistics.median(r[key] for r in by[w][f]) if f in by[w] else None for f in ('gradprobe', 'djl', 'pytorch')}
        ratio = lambda o: f"{m['gradprobe'] / m[o]:.2f}x" if m['gradprobe'] and m[o] else '-'
        print(f"{w:<9} {batch:>5} {unit:<12} {fmt(m['gradprobe'])} {fmt(m['djl'])} {fmt(m['pytorch'])} {ratio('djl'):>8} {ratio('pytorch'):>11}")
engines = {r['framework']: r.get('engine') or f"PyTorch {r.get('torch')}, BLAS {r.get('blas')}" for r in rows if r['framework'] != 'gradprobe'}
for f, e in sorted(engines.items()):
    print(f"  {f}: {e}")
PY
