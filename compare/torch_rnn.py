#!/usr/bin/python3
"""The recurrent workloads of issue 19 in PyTorch (Debian's python3-torch), timed like torch_seed_cnn.py:

  lstm-lm   nn.Embedding(64, 64) -> nn.LSTM(64, 128, batch_first=True) -> nn.Linear(128, 64) per token,
            T = 64 random ids in [0, 64), random target ids [N, T],
            loss F.cross_entropy(out.reshape(-1, 64), y.reshape(-1))
  gru-rows  Fashion-MNIST-sized images as 28 rows of 28 -> nn.GRU(28, 128, batch_first=True)
            -> out[:, -1] -> nn.Linear(128, 10), cross-entropy

SGD lr 0.001 momentum 0.9 (the seed recipe), float32. The data are random (a step's time does not depend
on the values), 16 batches resident in one tensor and sliced per step. Warms up max(10, STEPS) steps,
then times TURNS turns of STEPS steps each and prints one JSON line per turn:

  {"framework": "pytorch", "workload", "batch", "steps", "turn", "threads", "samples_per_s",
   "images_per_s" (gru-rows) or "sequences_per_s" and "tokens_per_s" (lstm-lm), "torch", "blas"}

samples_per_s is the unit compare/rnn.sh compares (an image or a sequence a sample).

    /usr/bin/python3 compare/torch_rnn.py WORKLOAD BATCH STEPS TURNS [THREADS]

TORCH_RNN_PROFILE=FILE writes the autograd profiler's table of two steps after the timed turns to FILE
(which ATen ops the step runs, and where its time goes).
"""
import json
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

VOCAB, EMBED, HIDDEN, SEQ = 64, 64, 128, 64       # lstm-lm
ROWS, COLS, CLASSES = 28, 28, 10                  # gru-rows
RESIDENT_BATCHES = 16


class LstmLm(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(VOCAB, EMBED)
        self.lstm = nn.LSTM(EMBED, HIDDEN, batch_first=True)
        self.linear = nn.Linear(HIDDEN, VOCAB)

    def forward(self, ids):
        out, _ = self.lstm(self.embedding(ids))
        return self.linear(out)


class GruRows(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(COLS, HIDDEN, batch_first=True)
        self.linear = nn.Linear(HIDDEN, CLASSES)

    def forward(self, rows):
        out, _ = self.gru(rows)
        return self.linear(out[:, -1])


def lstm_lm(batch):
    n = RESIDENT_BATCHES * batch
    x = torch.randint(0, VOCAB, (n, SEQ))
    y = torch.randint(0, VOCAB, (n, SEQ))
    return LstmLm(), x, y, lambda out, t: F.cross_entropy(out.reshape(-1, VOCAB), t.reshape(-1))


def gru_rows(batch):
    n = RESIDENT_BATCHES * batch
    x = torch.rand(n, ROWS, COLS)                  # pixel intensities in [0, 1)
    y = torch.randint(0, CLASSES, (n,))
    return GruRows(), x, y, F.cross_entropy


WORKLOADS = {'lstm-lm': lstm_lm, 'gru-rows': gru_rows}


def blas_library():
    """The BLAS shared library this process loaded (Debian's torch uses the system's libblas.so.3)."""
    try:
        with open('/proc/self/maps') as maps:
            libs = {line.split()[-1] for line in maps if 'blas' in line.lower() and '/' in line}
        return ', '.join(sorted(os.path.realpath(lib) for lib in libs)) or None
    except OSError:
        return None


def main():
    if len(sys.argv) < 5 or sys.argv[1] not in WORKLOADS:
        sys.exit(f"usage: torch_rnn.py {{{'|'.join(WORKLOADS)}}} BATCH STEPS TURNS [THREADS]")
    workload, batch, steps, turns = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    threads = int(sys.argv[5]) if len(sys.argv) > 5 else 2
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    net, xs, ys, loss_fn = WORKLOADS[workload](batch)
    opt = torch.optim.SGD(net.parameters(), lr=0.001, momentum=0.9)

    def run(n):
        for s in range(n):
            a = (s % RESIDENT_BATCHES) * batch
            opt.zero_grad()
            loss = loss_fn(net(xs[a:a + batch]), ys[a:a + batch])
            loss.backward()
            opt.step()

    run(max(10, steps))  # warm-up
    blas = blas_library()
    for turn in range(turns):
        t0 = time.perf_counter()
        run(steps)
        rate = steps * batch / (time.perf_counter() - t0)
        row = {"framework": "pytorch", "workload": workload, "batch": batch, "steps": steps, "turn": turn,
               "threads": torch.get_num_threads(), "samples_per_s": round(rate, 2)}
        if workload == 'lstm-lm':
            row.update(sequences_per_s=round(rate, 2), tokens_per_s=round(rate * SEQ, 1))
        else:
            row.update(images_per_s=round(rate, 2))
        row.update(torch=torch.__version__, blas=blas)
        print(json.dumps(row), flush=True)

    profile = os.environ.get('TORCH_RNN_PROFILE')
    if profile:
        with torch.autograd.profiler.profile() as prof:
            run(2)
        with open(profile, 'w') as f:
            f.write(prof.key_averages().table(sort_by='self_cpu_time_total', row_limit=40))


if __name__ == '__main__':
    main()
