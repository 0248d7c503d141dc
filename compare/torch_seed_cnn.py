#!/usr/bin/python3
"""The seed CNN's training step in PyTorch (Debian's python3-torch), timed like gradprobe bench:
conv 1->32 3x3, relu, max-pool 2, conv 32->64 3x3, relu, max-pool 2, fc 1600->128, relu, fc 128->10;
SGD lr 0.001 momentum 0.9, cross-entropy. Prints one JSON line {"framework": "pytorch", "batch",
"images_per_s", "turns"}.

    /usr/bin/python3 compare/torch_seed_cnn.py BATCH IMAGES_PER_TURN TURNS [THREADS]
"""
import json
import statistics
import sys
import time

import torch
import torch.nn as nn


def main():
    batch, images, turns = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(int(sys.argv[4]) if len(sys.argv) > 4 else 2)
    torch.manual_seed(1)
    net = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Flatten(), nn.Linear(1600, 128), nn.ReLU(), nn.Linear(128, 10))
    opt = torch.optim.SGD(net.parameters(), lr=0.001, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    # random images and labels: the time of a step does not depend on the values
    xs = [torch.randn(batch, 1, 28, 28) for _ in range(16)]
    ys = [torch.randint(0, 10, (batch,)) for _ in range(16)]
    steps = max(1, images // batch)

    def run(n):
        for s in range(n):
            opt.zero_grad()
            loss = loss_fn(net(xs[s % 16]), ys[s % 16])
            loss.backward()
            opt.step()

    run(max(10, steps))  # warm-up
    rates = []
    for _ in range(turns):
        t0 = time.perf_counter()
        run(steps)
        rates.append(steps * batch / (time.perf_counter() - t0))
    print(json.dumps({"framework": "pytorch", "batch": batch, "images_per_s": round(statistics.median(rates), 1), "turns": rates}))


if __name__ == '__main__':
    main()
