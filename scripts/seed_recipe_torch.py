#!/usr/bin/python3
"""The seed recipe in PyTorch on Fashion-MNIST, to compare gradprobe's training with:
seed CNN, SGD lr 0.001 momentum 0.9, batch 4, cross-entropy, x/255 normalized with mean 0.5, std 0.5.

    /usr/bin/python3 scripts/seed_recipe_torch.py [--epochs 1] [--threads 2] [--seed 0] [--data DIR]

Reads the IDX files itself (no torchvision needed); prints the running loss every 2000 steps as
gradprobe train does, and the test accuracy after each epoch.
"""
import argparse
import gzip
import os
import struct
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gradprobe_torch as gt  # noqa: E402


def idx(path):
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as f:
        raw = f.read()
    magic = struct.unpack('>I', raw[:4])[0]
    rank = magic & 0xff
    dims = struct.unpack('>' + 'I' * rank, raw[4:4 + 4 * rank])
    return torch.frombuffer(bytearray(raw[4 + 4 * rank:]), dtype=torch.uint8).reshape(dims)


def load(d, split):
    x = idx(os.path.join(d, f'{split}-images-idx3-ubyte.gz')).float().div(255).sub(0.5).div(0.5).unsqueeze(1)
    y = idx(os.path.join(d, f'{split}-labels-idx1-ubyte.gz')).long()
    return x, y


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--epochs', type=int, default=1)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--data', default='/usr/share/datasets/fashion-mnist')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    xtr, ytr = load(a.data, 'train')
    xte, yte = load(a.data, 't10k')
    model = gt.build('seed-cnn', [1, 28, 28])
    opt = torch.optim.SGD(model.parameters(), lr=0.001, momentum=0.9)
    for epoch in range(1, a.epochs + 1):
        perm = torch.randperm(len(xtr))
        running, t0 = 0.0, time.time()
        model.train()
        for i in range(0, len(xtr), 4):
            idx_ = perm[i:i + 4]
            opt.zero_grad()
            loss = F.cross_entropy(model(xtr[idx_]), ytr[idx_])
            loss.backward()
            opt.step()
            running += loss.item()
            step = i // 4 + 1
            if step % 2000 == 0:
                print(f'[{epoch}, {step:5d}] loss: {running / 2000:.3f}', flush=True)
                running = 0.0
        model.eval()
        with torch.no_grad():
            acc = (model(xte).argmax(1) == yte).float().mean().item()
        print(f'epoch {epoch}: test accuracy {100 * acc:.2f}%, {len(xtr) / (time.time() - t0):.0f} images/s', flush=True)


if __name__ == '__main__':
    main()
