#!/usr/bin/env bash
# Holds 'gradprobe grads' against PyTorch on several networks, float64, random weights and batches:
# every loss, parameter gradient, node gradient and value must agree to 1e-9 relative; against
# cross-entropy, and against mse and bce-logits with float targets in the batch file.
#   scripts/check_grads_vs_torch.sh            (needs Debian's python3-torch)
set -euo pipefail
cd "$(dirname "$0")/.."
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
check() {  # SPEC INPUT MODE SEED [LOSS]
  local spec="$1" input="$2" mode="$3" seed="$4" loss="${5:-cross-entropy}"
  /usr/bin/python3 scripts/gradprobe_torch.py init --model "$spec" --input "$input" --batch-size 5 --seed "$seed" \
    --weights "$tmp/w.safetensors" --batch "$tmp/b.safetensors" --loss "$loss"
  ./gradprobe grads --model "$spec" --input "$input" --weights "$tmp/w.safetensors" --batch "$tmp/b.safetensors" \
    --out "$tmp/g.safetensors" --mode "$mode" --loss "$loss" > /dev/null
  /usr/bin/python3 scripts/gradprobe_torch.py grads --model "$spec" --input "$input" --weights "$tmp/w.safetensors" \
    --batch "$tmp/b.safetensors" --out "$tmp/t.safetensors" --mode "$mode" --loss "$loss"
  worst=$(/usr/bin/python3 scripts/gradprobe_torch.py compare "$tmp/g.safetensors" "$tmp/t.safetensors" --tol 1e-9 | tail -1) \
    || { echo "FAIL $mode $loss $spec: $worst"; return 1; }
  echo "ok   $mode $loss $spec ($worst)"
}
check "seed-cnn" 1x28x28 train 1
check "seed-cnn" 3x32x32 train 2
check "conv2d(5,3,stride=2,padding=2) leakyrelu avgpool2d(3,stride=1) conv2d(4,2,bias=false) gelu flatten linear(7) tanh linear(10)" 2x13x11 train 3
check "c=conv2d(6,3,padding=1) batchnorm relu residual(conv2d(6,3,padding=1) batchnorm relu conv2d(6,1)) maxpool2d(3,stride=2) flatten dropout(0.5) linear(10)" 3x12x12 eval 4
check "flatten linear(32) batchnorm sigmoid residual(linear(32) gelu linear(32)) leakyrelu(0.2) linear(10)" 24 train 5
check "mlp-bn(3,16,tanh)" 1x6x6 eval 6
check "resmlp(4,12,leakyrelu)" 20 train 7
check "seed-cnn" 1x28x28 train 8 mse
check "flatten linear(16) tanh linear(3)" 2x5 train 9 mse
check "linear(12) gelu batchnorm linear(4)" 7 eval 10 bce-logits
check "mlp(2,8,sigmoid)" 1x4x4 train 11 bce-logits
# sequences: recurrent layers (stacked, without bias, relu), embeddings of token ids, per-token losses
check "lstm(6,layers=2) last linear(4)" 7x3 train 12
check "gru(5) tanh meanpool linear(3)" 4x6 train 13 mse
check "rnn(6,nonlinearity=relu,bias=false) rnn(4) linear(2)" 5x3 train 14 bce-logits
check "embedding(11,4) lstm(5) linear(11)" 6 train 15
check "embedding(9,3) gru(4,layers=2) linear(6) relu last linear(9)" 5 train 16
