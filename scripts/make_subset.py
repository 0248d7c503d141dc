#!/usr/bin/python3
"""Writes the Fashion-MNIST subset shipped in core/src/main/resources (first 4000 train, first 1000 test).

Needs Debian's dataset-fashion-mnist. Run from the repository root: /usr/bin/python3 scripts/make_subset.py
"""
import gzip
import struct

SRC = '/usr/share/datasets/fashion-mnist/'
DST = 'core/src/main/resources/org/gradprobe/data/fashion-mnist-subset/'


def subset(kind, n):
    with gzip.open(SRC + f'{kind}-images-idx3-ubyte.gz') as f:
        img = f.read()
    with gzip.open(SRC + f'{kind}-labels-idx1-ubyte.gz') as f:
        lab = f.read()
    magic, _, h, w = struct.unpack('>IIII', img[:16])
    with gzip.GzipFile(DST + f'{kind}-images-idx3-ubyte.gz', 'wb', mtime=0) as f:
        f.write(struct.pack('>IIII', magic, n, h, w) + img[16:16 + n * h * w])
    magic, _ = struct.unpack('>II', lab[:8])
    with gzip.GzipFile(DST + f'{kind}-labels-idx1-ubyte.gz', 'wb', mtime=0) as f:
        f.write(struct.pack('>II', magic, n) + lab[8:8 + n])


subset('train', 4000)
subset('t10k', 1000)
