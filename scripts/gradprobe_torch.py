#!/usr/bin/python3
"""PyTorch side of gradprobe: build the same network from a gradprobe SPEC, read and write
safetensors without the safetensors package, and compare a gradprobe `grads` output with PyTorch.

    /usr/bin/python3 scripts/gradprobe_torch.py grads --model SPEC --input 1x28x28 \
        --weights W.safetensors --batch B.safetensors --out G_torch.safetensors [--mode train|eval] [--loss LOSS]
    /usr/bin/python3 scripts/gradprobe_torch.py compare G_gradprobe.safetensors G_torch.safetensors
    /usr/bin/python3 scripts/gradprobe_torch.py init --model SPEC --input 1x28x28 --batch-size 4 \
        --weights W.safetensors --batch B.safetensors [--seed 0] [--dtype float64] [--loss LOSS]

LOSS is cross-entropy (the default; per token on outputs [N, T, C] against targets [N, T]), mse or
bce-logits, as `gradprobe grads --loss`; the batch's 'target' is int64 class indices for cross-entropy
and float values shaped as the output for the others.

Needs only Debian's python3-torch.
"""
import argparse
import collections
import json
import re
import struct
import sys

import torch
import torch.nn as nn

DTYPES = {'F32': torch.float32, 'F64': torch.float64, 'I64': torch.int64, 'I32': torch.int32}
NAMES = {v: k for k, v in DTYPES.items()}
SIZES = {'F32': 4, 'F64': 8, 'I64': 8, 'I32': 4}


# ---- safetensors ----

def save_safetensors(path, tensors, metadata=None):
    header, blobs, off = {}, [], 0
    if metadata:
        header['__metadata__'] = {k: str(v) for k, v in metadata.items()}
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        data = t.numpy().tobytes()  # x86 and ARM are little-endian, as safetensors
        header[name] = {'dtype': NAMES[t.dtype], 'shape': list(t.shape), 'data_offsets': [off, off + len(data)]}
        blobs.append(data)
        off += len(data)
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * ((8 - len(h) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def load_safetensors(path):
    with open(path, 'rb') as f:
        raw = f.read()
    (n,) = struct.unpack('<Q', raw[:8])
    header = json.loads(raw[8:8 + n])
    meta = header.pop('__metadata__', {})
    out = collections.OrderedDict()
    base = 8 + n
    for name, info in header.items():
        b, e = info['data_offsets']
        dt = DTYPES[info['dtype']]
        t = torch.frombuffer(bytearray(raw[base + b:base + e]), dtype=dt) if e > b else torch.empty(0, dtype=dt)
        out[name] = t.reshape(info['shape']).clone()
    return out, meta


# ---- the spec language ----

class Residual(nn.Sequential):
    """x + body(x); its layers are numbered like nn.Sequential, so names match gradprobe's <i>.<j>."""

    def forward(self, x):
        return x + super().forward(x)


def split_top(s, sep):
    out, depth, cur = [], 0, ''
    for ch in s:
        if ch == '(':
            depth += 1
        elif ch == ')':
            depth -= 1
        if depth == 0 and (ch.isspace() if sep == ' ' else ch == sep):
            if cur.strip():
                out.append(cur.strip())
            cur = ''
        else:
            cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


BUILTIN_SEED = ('conv1=conv2d(32,3) relu maxpool2d(2) conv2=conv2d(64,3) relu maxpool2d(2) '
                'flatten fc1=linear(128) relu fc2=linear(10)')


def expand(spec):
    spec = spec.strip()
    if spec in ('seed-cnn', 'seed-cnn-cifar'):
        return BUILTIN_SEED
    m = re.fullmatch(r'(mlp|mlp-bn|resmlp)\((\d+),(\d+),(\w+)\)', spec.replace(' ', ''))
    if m:
        kind, depth, width, act = m.group(1), int(m.group(2)), int(m.group(3)), m.group(4)
        parts = ['flatten']
        if kind == 'resmlp':
            parts += [f'linear({width})', act] + [f'residual(linear({width}) {act})'] * depth
        else:
            for _ in range(depth):
                parts += [f'linear({width})'] + (['batchnorm'] if kind == 'mlp-bn' else []) + [act]
        return ' '.join(parts + ['linear(10)'])
    return spec


POSITIONAL = {'conv2d': ['out', 'k', 'stride', 'padding', 'bias'], 'maxpool2d': ['k', 'stride'],
              'avgpool2d': ['k', 'stride'], 'linear': ['out', 'bias'], 'leakyrelu': ['slope'], 'dropout': ['p'],
              'embedding': ['num', 'dim'], 'rnn': ['hidden', 'nonlinearity', 'layers', 'bias'],
              'lstm': ['hidden', 'layers', 'bias'], 'gru': ['hidden', 'layers', 'bias']}


def every_step(cls):
    """nn.RNN, nn.LSTM or nn.GRU giving only every step's output (gradprobe's layer), parameter names unchanged."""
    class EveryStep(cls):
        def forward(self, x):
            return super().forward(x)[0]
    EveryStep.__name__ = cls.__name__
    return EveryStep


class Last(nn.Module):
    def forward(self, x):
        return x[:, -1]


class MeanPool(nn.Module):
    def forward(self, x):
        return x.mean(1)


def build(spec, shape):
    """An nn.Sequential equal to gradprobe's model for SPEC on per-sample input shape `shape`."""
    seq, shape = build_list(expand(spec), list(shape), nn.Sequential)
    return seq


def output_shape(spec, shape):
    """The per-sample output shape of gradprobe's model for SPEC on per-sample input shape `shape`."""
    return build_list(expand(spec), list(shape), nn.Sequential)[1]


LOSSES = {
    # gradprobe's Loss.CROSS_ENTROPY: per token on [N, T, C] against [N, T]; [N, C] against [N] as it is
    'cross-entropy': lambda out, y: nn.functional.cross_entropy(out.reshape(-1, out.shape[-1]), y.reshape(-1)),
    'mse': nn.functional.mse_loss,
    'bce-logits': nn.functional.binary_cross_entropy_with_logits,
}


def random_target(loss, n, out_shape, dtype):
    """A batch's targets for LOSS: class indices below the output's last dimension, [N] or [N, T];
    standard normal values (mse) or uniform ones in [0, 1) (bce-logits) shaped as the output."""
    if loss == 'cross-entropy':
        return torch.randint(0, out_shape[-1], [n] + list(out_shape[:-1]))
    if loss == 'mse':
        return torch.randn([n] + list(out_shape), dtype=dtype)
    return torch.rand([n] + list(out_shape), dtype=dtype)


def build_list(spec, shape, cls):
    mods = collections.OrderedDict()
    for i, tok in enumerate(split_top(spec, ' ')):
        m = re.fullmatch(r'(?:([A-Za-z_]\w*)=)?([a-z0-9]+)(?:\((.*)\))?', tok, re.S)
        name, kind, body = m.group(1) or str(i), m.group(2), m.group(3)
        if kind == 'residual':
            mod, out = build_list(body, shape, Residual)
            mods[name] = mod
            continue
        args = {}
        if body:
            for j, a in enumerate(split_top(body, ',')):
                if '=' in a:
                    k, v = a.split('=', 1)
                    args[k.strip()] = v.strip()
                else:
                    args[POSITIONAL[kind][j]] = a
        num = lambda k, d: float(args.get(k, d))
        boolean = lambda k: args.get(k, 'true').lower() == 'true'
        if kind == 'conv2d':
            o, k, s, p = int(args['out']), int(args['k']), int(args.get('stride', 1)), int(args.get('padding', 0))
            mods[name] = nn.Conv2d(shape[0], o, k, s, p, bias=boolean('bias'))
            shape = [o, (shape[1] + 2 * p - k) // s + 1, (shape[2] + 2 * p - k) // s + 1]
        elif kind in ('maxpool2d', 'avgpool2d'):
            k = int(args['k'])
            s = int(args.get('stride', k))
            mods[name] = (nn.MaxPool2d if kind == 'maxpool2d' else nn.AvgPool2d)(k, s)
            shape = [shape[0], (shape[1] - k) // s + 1, (shape[2] - k) // s + 1]
        elif kind == 'linear':
            o = int(args['out'])
            mods[name] = nn.Linear(shape[-1], o, bias=boolean('bias'))
            shape = shape[:-1] + [o]
        elif kind == 'embedding':
            mods[name] = nn.Embedding(int(args['num']), int(args['dim']))
            shape = shape + [int(args['dim'])]
        elif kind in ('rnn', 'lstm', 'gru'):
            h, layers = int(args['hidden']), int(args.get('layers', 1))
            extra = {'nonlinearity': args.get('nonlinearity', 'tanh')} if kind == 'rnn' else {}
            module = every_step({'rnn': nn.RNN, 'lstm': nn.LSTM, 'gru': nn.GRU}[kind])
            mods[name] = module(shape[-1], h, num_layers=layers, bias=boolean('bias'), batch_first=True, **extra)
            shape = [shape[0], h]
        elif kind in ('last', 'meanpool'):
            mods[name] = Last() if kind == 'last' else MeanPool()
            shape = [shape[-1]]
        elif kind == 'relu':
            mods[name] = nn.ReLU()
        elif kind == 'leakyrelu':
            mods[name] = nn.LeakyReLU(num('slope', 0.01))
        elif kind == 'sigmoid':
            mods[name] = nn.Sigmoid()
        elif kind == 'tanh':
            mods[name] = nn.Tanh()
        elif kind == 'gelu':
            mods[name] = nn.GELU()
        elif kind == 'batchnorm':
            mods[name] = nn.BatchNorm1d(shape[0]) if len(shape) == 1 else nn.BatchNorm2d(shape[0])
        elif kind == 'dropout':
            mods[name] = nn.Dropout(num('p', 0.5))
        elif kind == 'flatten':
            mods[name] = nn.Flatten()
            n = 1
            for d in shape:
                n *= d
            shape = [n]
        else:
            raise ValueError('unknown layer kind ' + kind)
    return cls(mods), shape


def leaf_modules(seq, prefix=''):
    """(name, module) for every layer in forward order, nested residual layers before the residual."""
    out = []
    for name, mod in seq.named_children():
        full = prefix + name
        if isinstance(mod, Residual):
            out += leaf_modules(mod, full + '.')
        out.append((full, mod))
    return out


def grads(model, x, target, loss_key='cross-entropy'):
    """loss, param grads, node grads and values, keyed as gradprobe's grads command writes them."""
    values = collections.OrderedDict()

    def hook(name):
        def f(mod, inp, out):
            if out.requires_grad:
                out.retain_grad()
            values[name] = out
        return f

    handles = [m.register_forward_hook(hook(n)) for n, m in leaf_modules(model)]
    model.zero_grad()
    loss = LOSSES[loss_key](model(x), target)
    loss.backward()
    for h in handles:
        h.remove()
    out = collections.OrderedDict(loss=loss.detach().reshape([]))
    for n, p in model.named_parameters():
        out['param.' + n] = p.grad if p.grad is not None else torch.zeros_like(p)
    for n, v in values.items():
        out['node.' + n] = v.grad if v.grad is not None else torch.zeros_like(v)
    for n, v in values.items():
        out['value.' + n] = v.detach()
    return out


def compare(a, b):
    """Largest relative error per entry: |a - b| over the entry's largest |b|, floored at 1e-3 of the largest
    |b| among entries of the same kind (param., node., value.). The floor matters only for gradients that are
    zero in exact arithmetic (a bias before batch norm), where both sides are rounding noise."""
    kind = lambda k: k.split('.', 1)[0]
    kind_max = {}
    for k, y in b.items():
        m = y.double().abs().max().item() if y.numel() else 0.0
        kind_max[kind(k)] = max(kind_max.get(kind(k), 0.0), m)
    worst = 0.0
    for k in b:
        if k not in a:
            print(f'{k}: missing')
            worst = float('inf')
            continue
        x, y = a[k].double(), b[k].double()
        if x.shape != y.shape:
            print(f'{k}: shape {list(x.shape)} vs {list(y.shape)}')
            worst = float('inf')
            continue
        scale = max(y.abs().max().item() if y.numel() else 0.0, 1e-3 * kind_max[kind(k)], 1e-300)
        err = (x - y).abs().max().item() / scale if y.numel() else 0.0
        worst = max(worst, err)
        print(f'{k:40s} max rel err {err:.3e}')
    print(f'worst {worst:.3e}')
    return worst


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest='cmd', required=True)
    g = sub.add_parser('grads')
    g.add_argument('--model', required=True)
    g.add_argument('--input', required=True)
    g.add_argument('--weights', required=True)
    g.add_argument('--batch', required=True)
    g.add_argument('--out', required=True)
    g.add_argument('--mode', default='train', choices=['train', 'eval'])
    g.add_argument('--loss', default='cross-entropy', choices=sorted(LOSSES))
    i = sub.add_parser('init', help='random PyTorch weights and a random batch for a spec')
    i.add_argument('--model', required=True)
    i.add_argument('--input', required=True)
    i.add_argument('--batch-size', type=int, default=4)
    i.add_argument('--weights', required=True)
    i.add_argument('--batch', required=True)
    i.add_argument('--seed', type=int, default=0)
    i.add_argument('--dtype', default='float64', choices=['float32', 'float64'])
    i.add_argument('--loss', default='cross-entropy', choices=sorted(LOSSES))
    c = sub.add_parser('compare')
    c.add_argument('gradprobe')
    c.add_argument('torch')
    c.add_argument('--tol', type=float, default=1e-9)
    a = ap.parse_args()
    if a.cmd == 'grads':
        shape = [int(s) for s in a.input.lower().split('x')]
        model = build(a.model, shape)
        w, _ = load_safetensors(a.weights)
        dtype = next(t.dtype for t in w.values() if t.is_floating_point())
        model = model.to(dtype)
        model.load_state_dict(w, strict=False)
        model.train(a.mode == 'train')
        b, _ = load_safetensors(a.batch)
        target = b['target'] if a.loss == 'cross-entropy' else b['target'].to(dtype)
        x = b['input'].long() if isinstance(next(iter(model.children())), nn.Embedding) else b['input'].to(dtype)
        save_safetensors(a.out, grads(model, x, target, a.loss))
    elif a.cmd == 'init':
        torch.manual_seed(a.seed)
        shape = [int(s) for s in a.input.lower().split('x')]
        dtype = torch.float64 if a.dtype == 'float64' else torch.float32
        model = build(a.model, shape).to(dtype)
        for m in model.modules():
            if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
                # non-trivial statistics and affine parameters, as after some training
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)
                m.weight.data.uniform_(0.5, 1.5)
                m.bias.data.uniform_(-0.5, 0.5)
        save_safetensors(a.weights, {k: v for k, v in model.state_dict().items() if not k.endswith('num_batches_tracked')})
        first = next(iter(model.children()))
        # a network that starts with an embedding reads token ids (as floats, as gradprobe's batch files hold them)
        x = (torch.randint(0, first.num_embeddings, [a.batch_size] + shape).to(dtype) if isinstance(first, nn.Embedding)
             else torch.randn([a.batch_size] + shape, dtype=dtype))
        save_safetensors(a.batch, {'input': x, 'target': random_target(a.loss, a.batch_size, output_shape(a.model, shape), dtype)})
    else:
        ga, _ = load_safetensors(a.gradprobe)
        gb, _ = load_safetensors(a.torch)
        sys.exit(0 if compare(ga, gb) <= a.tol else 1)


if __name__ == '__main__':
    main()
