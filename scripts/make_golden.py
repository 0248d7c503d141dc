#!/usr/bin/python3
"""Golden values from PyTorch for gradprobe's tests. Run from the repository root:

    apt-get install python3-torch
    /usr/bin/python3 scripts/make_golden.py

Writes core/src/test/resources/golden/*.safetensors. Each op case stores its inputs (`<case>.in.<i>`), the
incoming gradient (`<case>.gout`), the output (`<case>.out`) and the gradient of every input
(`<case>.grad.<i>`); its settings are JSON in the metadata under the case name.
"""
import json
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gradprobe_torch as gt  # noqa: E402

OUT = 'core/src/test/resources/golden'


def op_cases():
    """(name, settings, inputs, fn) — inputs are float64 tensors; fn maps inputs to the output."""
    g = torch.Generator().manual_seed(1234)
    r = lambda *s, scale=1.0: torch.randn(*s, generator=g, dtype=torch.float64) * scale
    cases = [
        ('conv2d_s1p0', {'op': 'conv2d', 'stride': 1, 'padding': 0}, [r(2, 3, 7, 6), r(4, 3, 3, 3), r(4)],
         lambda x, w, b: F.conv2d(x, w, b, 1, 0)),
        ('conv2d_s2p1', {'op': 'conv2d', 'stride': 2, 'padding': 1}, [r(2, 3, 7, 6), r(5, 3, 3, 3), r(5)],
         lambda x, w, b: F.conv2d(x, w, b, 2, 1)),
        ('conv2d_nobias', {'op': 'conv2d', 'stride': 1, 'padding': 2}, [r(1, 2, 5, 5), r(3, 2, 2, 2)],
         lambda x, w: F.conv2d(x, w, None, 1, 2)),
        ('maxpool2d_k2', {'op': 'maxpool2d', 'k': 2, 'stride': 2}, [r(2, 3, 6, 7)], lambda x: F.max_pool2d(x, 2, 2)),
        ('maxpool2d_k3s2', {'op': 'maxpool2d', 'k': 3, 'stride': 2}, [r(2, 2, 7, 7)], lambda x: F.max_pool2d(x, 3, 2)),
        ('avgpool2d_k2', {'op': 'avgpool2d', 'k': 2, 'stride': 2}, [r(2, 3, 6, 7)], lambda x: F.avg_pool2d(x, 2, 2)),
        ('avgpool2d_k3s1', {'op': 'avgpool2d', 'k': 3, 'stride': 1}, [r(2, 2, 5, 6)], lambda x: F.avg_pool2d(x, 3, 1)),
        ('linear', {'op': 'linear'}, [r(5, 7), r(4, 7), r(4)], lambda x, w, b: F.linear(x, w, b)),
        ('linear_nobias', {'op': 'linear'}, [r(3, 6), r(2, 6)], lambda x, w: F.linear(x, w)),
        ('matmul', {'op': 'matmul'}, [r(3, 5), r(5, 4)], lambda a, b: a @ b),
        ('add', {'op': 'add'}, [r(2, 3, 4), r(2, 3, 4)], lambda a, b: a + b),
        ('relu', {'op': 'relu'}, [r(3, 8)], F.relu),
        ('leaky_relu', {'op': 'leaky_relu', 'slope': 0.1}, [r(3, 8)], lambda x: F.leaky_relu(x, 0.1)),
        ('sigmoid', {'op': 'sigmoid'}, [r(3, 8, scale=3)], torch.sigmoid),
        ('tanh', {'op': 'tanh'}, [r(3, 8, scale=2)], torch.tanh),
        ('gelu', {'op': 'gelu'}, [r(4, 16, scale=3)], F.gelu),
        ('log_softmax', {'op': 'log_softmax'}, [r(4, 6, scale=3)], lambda x: F.log_softmax(x, 1)),
        ('cross_entropy', {'op': 'cross_entropy', 'targets': [3, 0, 6, 2, 6]}, [r(5, 7, scale=2)],
         lambda x: F.cross_entropy(x, torch.tensor([3, 0, 6, 2, 6]))),
        ('mse_loss', {'op': 'mse_loss'}, [r(3, 5), r(3, 5)], F.mse_loss),
        ('flatten', {'op': 'flatten'}, [r(2, 3, 2, 2)], lambda x: torch.flatten(x, 1)),
    ]
    # batch norm: running statistics are inputs without gradient; their updated values are stored too
    for name, shape, training in [('batch_norm2d_train', (4, 3, 5, 5), True), ('batch_norm1d_train', (6, 4), True),
                                  ('batch_norm2d_eval', (4, 3, 5, 5), False)]:
        c = shape[1]
        rm, rv = r(c, scale=0.5), r(c).abs() + 0.5
        cases.append((name, {'op': 'batch_norm', 'training': training, 'momentum': 0.1, 'eps': 1e-5,
                             'running_mean': rm.tolist(), 'running_var': rv.tolist()},
                      [r(*shape, scale=2) + 1, r(c) + 1, r(c)],
                      (lambda rm, rv, tr: lambda x, w, b: F.batch_norm(x, rm.to(x.dtype), rv.to(x.dtype), w, b, tr, 0.1, 1e-5))(rm, rv, training)))
    # added after the cases above, so that their inputs (drawn in order from one generator) stay the same
    cases.append(('bce_with_logits', {'op': 'binary_cross_entropy_with_logits'}, [r(4, 5, scale=4), r(4, 5).sigmoid()],
                  F.binary_cross_entropy_with_logits))
    cases.append(('last', {'op': 'last'}, [r(3, 5, 4)], lambda x: x[:, -1]))
    cases.append(('meanpool', {'op': 'meanpool'}, [r(3, 5, 4)], lambda x: x.mean(1)))
    ids = [3, 0, 3, 6, 1, 6, 6, 2]    # [2, 4]; rows 3 and 6 picked more than once
    cases.append(('embedding', {'op': 'embedding', 'ids': ids}, [r(7, 5)],
                  lambda w: F.embedding(torch.tensor(ids).reshape(2, 4), w)))
    # recurrent layers, batch first: x [N, T, D], weight_ih [G*H, D], weight_hh [G*H, H], bias_ih, bias_hh [G*H]
    for name, kind, gates, extra in [('rnn_tanh', 'RNN', 1, {'nonlinearity': 'tanh'}), ('rnn_relu', 'RNN', 1, {'nonlinearity': 'relu'}),
                                     ('lstm', 'LSTM', 4, {}), ('gru', 'GRU', 3, {})]:
        n, t, d, h = 3, 5, 4, 6
        cases.append((name, {'op': name}, [r(n, t, d), r(gates * h, d, scale=0.5), r(gates * h, h, scale=0.5), r(gates * h, scale=0.5),
                                           r(gates * h, scale=0.5)], recurrent(kind, d, h, extra, True)))
    cases.append(('lstm_nobias', {'op': 'lstm'}, [r(2, 4, 3), r(8, 3, scale=0.5), r(8, 2, scale=0.5)], recurrent('LSTM', 3, 2, {}, False)))
    cases.append(('gru_one_step', {'op': 'gru'}, [r(2, 1, 3), r(9, 3), r(9, 3), r(9), r(9)], recurrent('GRU', 3, 3, {}, True)))
    cases.append(('linear_sequence', {'op': 'linear'}, [r(2, 3, 5), r(4, 5), r(4)], lambda x, w, b: F.linear(x, w, b)))
    return cases


def recurrent(kind, d, h, extra, bias):
    """nn.RNN/LSTM/GRU(batch_first=True) from a zero state as a function of x and its parameters, every step's h
    out: the call nn.RNNBase.forward makes (torch._VF), with the given tensors as its weights."""
    fn = {'LSTM': torch._VF.lstm, 'GRU': torch._VF.gru}.get(kind) or getattr(torch._VF, 'rnn_' + extra.get('nonlinearity', 'tanh'))

    def run(x, *params):
        h0 = torch.zeros(1, x.shape[0], h, dtype=x.dtype)
        state = (h0, h0.clone()) if kind == 'LSTM' else h0
        return fn(x, state, list(params), bias, 1, 0.0, True, False, True)[0]
    return run


def write_ops(dtype, path):
    tensors, meta = {}, {}
    for name, settings, inputs, fn in op_cases():
        ins = [t.to(dtype).requires_grad_(True) for t in inputs]
        out = fn(*ins)
        g = torch.Generator().manual_seed(99)
        gout = torch.randn(out.shape, generator=g, dtype=torch.float64).to(dtype)
        out.backward(gout)
        for i, t in enumerate(ins):
            tensors[f'{name}.in.{i}'] = t.detach()
            tensors[f'{name}.grad.{i}'] = t.grad
        tensors[f'{name}.out'] = out.detach()
        tensors[f'{name}.gout'] = gout
        if settings['op'] == 'batch_norm' and settings['training']:
            # run again on fresh statistics to record the updated running statistics
            rm = torch.tensor(settings['running_mean'], dtype=dtype)
            rv = torch.tensor(settings['running_var'], dtype=dtype)
            F.batch_norm(ins[0].detach(), rm, rv, ins[1].detach(), ins[2].detach(), True, 0.1, 1e-5)
            tensors[f'{name}.running_mean'] = rm
            tensors[f'{name}.running_var'] = rv
        meta[name] = json.dumps(settings)
    gt.save_safetensors(path, tensors, meta)


MODELS = [
    # (file stem, spec, input shape, batch, mode)
    ('seed_cnn', 'seed-cnn', [1, 28, 28], 4, 'train'),
    ('seed_cnn_cifar', 'seed-cnn', [3, 32, 32], 2, 'train'),
    # in train mode dropout's random mask cannot match across frameworks, so p=0 keeps the op in the graph only
    ('mixed', 'conv2d(6,3,stride=2,padding=1) batchnorm leakyrelu(0.05) '
              'residual(conv2d(6,3,padding=1,bias=false) batchnorm gelu) avgpool2d(2) flatten '
              'linear(16) tanh dropout(0.0) linear(12) sigmoid linear(10)', [2, 12, 12], 5, 'train'),
    ('mixed_eval', 'conv2d(6,3,stride=2,padding=1) batchnorm leakyrelu(0.05) '
                   'residual(conv2d(6,3,padding=1,bias=false) batchnorm gelu) avgpool2d(2) flatten '
                   'linear(16) tanh dropout(0.3) linear(12) sigmoid linear(10)', [2, 12, 12], 5, 'eval'),
    ('resmlp', 'resmlp(3,16,relu)', [20], 6, 'train'),
]

# (file stem, spec, input shape, batch, mode, loss): the losses that take float targets, and sequence models
LOSS_MODELS = [
    ('mlp_mse', 'flatten linear(12) tanh linear(3)', [2, 5], 5, 'train', 'mse'),
    ('mlp_bce', 'linear(12) gelu linear(12) sigmoid linear(4)', [7], 6, 'train', 'bce-logits'),
    # sequences: token ids through an embedding and a stacked LSTM, per-token cross-entropy; rows of vectors
    ('seq_lstm', 'embedding(9,5) lstm(6,layers=2) linear(9)', [7], 4, 'train', 'cross-entropy'),
    ('seq_gru', 'gru(6) last linear(4)', [5, 3], 3, 'train', 'cross-entropy'),
    ('seq_rnn', 'rnn(5,nonlinearity=relu) meanpool linear(2)', [6, 4], 3, 'train', 'mse'),
]


def write_loss_model(stem, spec, shape, n, mode, loss, dtype):
    """As write_model, against LOSS with targets of the kind it takes (gradprobe_torch.random_target)."""
    torch.manual_seed(11)
    model = gt.build(spec, shape).to(dtype)
    model.train(mode == 'train')
    first = next(iter(model.children()))
    ids = isinstance(first, torch.nn.Embedding)
    x = torch.randint(0, first.num_embeddings, [n] + shape) if ids else torch.randn([n] + shape, dtype=dtype)
    target = gt.random_target(loss, n, gt.output_shape(spec, shape), dtype)
    suffix = '_f32' if dtype == torch.float32 else '_f64'
    gt.save_safetensors(f'{OUT}/{stem}{suffix}.weights.safetensors', model.state_dict())
    gt.save_safetensors(f'{OUT}/{stem}{suffix}.batch.safetensors', {'input': x.to(dtype), 'target': target})
    gt.save_safetensors(f'{OUT}/{stem}{suffix}.grads.safetensors', gt.grads(model, x, target, loss),
                        {'spec': spec, 'input': 'x'.join(map(str, shape)), 'mode': mode, 'loss': loss})


def write_model(stem, spec, shape, n, mode, dtype):
    torch.manual_seed(7)
    model = gt.build(spec, shape).to(dtype)
    if mode == 'eval':
        # non-trivial running statistics, as after some training
        for m in model.modules():
            if isinstance(m, (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d)):
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)
    model.train(mode == 'train')
    x = torch.randn([n] + shape, dtype=dtype)
    target = torch.randint(0, 10, (n,))
    suffix = '_f32' if dtype == torch.float32 else '_f64'
    state = {k: v for k, v in model.state_dict().items() if not k.endswith('num_batches_tracked')}
    gt.save_safetensors(f'{OUT}/{stem}{suffix}.weights.safetensors', state)
    gt.save_safetensors(f'{OUT}/{stem}{suffix}.batch.safetensors', {'input': x, 'target': target})
    g = gt.grads(model, x, target)
    gt.save_safetensors(f'{OUT}/{stem}{suffix}.grads.safetensors', g,
                        {'spec': spec, 'input': 'x'.join(map(str, shape)), 'mode': mode})
    # running statistics after the step, for the batch-norm update check
    after = {k: v for k, v in model.state_dict().items() if 'running' in k}
    if after and mode == 'train':
        gt.save_safetensors(f'{OUT}/{stem}{suffix}.after.safetensors', after)


def loss_cases():
    """(name, loss key, output, target, fn): gradprobe's Loss against PyTorch's functional losses, mean reduction."""
    g = torch.Generator().manual_seed(4321)
    r = lambda *s, scale=1.0: torch.randn(*s, generator=g, dtype=torch.float64) * scale
    ce = lambda out, y: F.cross_entropy(out.reshape(-1, out.shape[-1]), y.reshape(-1))
    return [
        ('ce_rows', 'cross-entropy', r(5, 7, scale=2), torch.randint(0, 7, (5,), generator=g), ce),
        # per token: [N, T, C] against [N, T], the mean over all N*T tokens
        ('ce_tokens', 'cross-entropy', r(3, 4, 6, scale=2), torch.randint(0, 6, (3, 4), generator=g), ce),
        ('mse', 'mse', r(4, 3), r(4, 3), F.mse_loss),
        ('mse_one', 'mse', r(6, 1), torch.rand(6, 1, generator=g, dtype=torch.float64) * 2, F.mse_loss),
        ('bce_soft', 'bce-logits', r(4, 5, scale=4), torch.rand(4, 5, generator=g, dtype=torch.float64),
         F.binary_cross_entropy_with_logits),
        ('bce_hard', 'bce-logits', r(3, 2, 4, scale=3), torch.randint(0, 2, (3, 2, 4), generator=g).double(),
         F.binary_cross_entropy_with_logits),
    ]


def write_losses(dtype, path):
    """Each case: its output and target, the loss, and the gradient of the loss at the output."""
    tensors, meta = {}, {}
    for name, key, out, target, fn in loss_cases():
        x = out.to(dtype).requires_grad_(True)
        y = target if not target.is_floating_point() else target.to(dtype)
        loss = fn(x, y)
        loss.backward()
        tensors[f'{name}.out'] = x.detach()
        tensors[f'{name}.target'] = y
        tensors[f'{name}.loss'] = loss.detach().reshape([])
        tensors[f'{name}.grad'] = x.grad
        meta[name] = key
    gt.save_safetensors(path, tensors, meta)


def write_optim(path):
    """20 steps of each optimizer config on given gradients; the trajectory p_0..p_20."""
    g = torch.Generator().manual_seed(5)
    p0 = torch.randn(5, 3, generator=g, dtype=torch.float64)
    grads = torch.randn(20, 5, 3, generator=g, dtype=torch.float64)
    configs = {
        'sgd': lambda p: torch.optim.SGD([p], lr=0.1),
        'sgd_momentum': lambda p: torch.optim.SGD([p], lr=0.05, momentum=0.9),
        'sgd_dampening_wd': lambda p: torch.optim.SGD([p], lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.01),
        'sgd_nesterov_wd': lambda p: torch.optim.SGD([p], lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.05),
        'adam': lambda p: torch.optim.Adam([p], lr=0.01),
        'adam_wd_betas': lambda p: torch.optim.Adam([p], lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
        'adamw': lambda p: torch.optim.AdamW([p], lr=0.01),
        'adamw_wd_betas': lambda p: torch.optim.AdamW([p], lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
        'rmsprop': lambda p: torch.optim.RMSprop([p], lr=0.01),
        'rmsprop_momentum_centered_wd': lambda p: torch.optim.RMSprop([p], lr=0.005, alpha=0.9, eps=1e-6, weight_decay=0.05,
                                                                       momentum=0.8, centered=True),
    }
    tensors = {'p0': p0, 'grads': grads}
    for name, make in configs.items():
        p = p0.clone().requires_grad_(True)
        opt = make(p)
        traj = [p.detach().clone()]
        for t in range(20):
            # a gradient that depends on p, as a real loss's would
            p.grad = grads[t] + 0.1 * p.detach()
            opt.step()
            traj.append(p.detach().clone())
        tensors['traj.' + name] = torch.stack(traj)
    # clipping
    a = torch.randn(4, 3, generator=g, dtype=torch.float64).requires_grad_(True)
    b = torch.randn(5, generator=g, dtype=torch.float64).requires_grad_(True)
    a.grad = torch.randn(4, 3, generator=g, dtype=torch.float64) * 3
    b.grad = torch.randn(5, generator=g, dtype=torch.float64) * 3
    tensors['clip.a'], tensors['clip.b'] = a.grad.clone(), b.grad.clone()
    total = torch.nn.utils.clip_grad_norm_([a, b], 1.5)
    tensors['clip.norm.total'] = total.reshape([])
    tensors['clip.norm.a'], tensors['clip.norm.b'] = a.grad.clone(), b.grad.clone()
    a.grad, b.grad = tensors['clip.a'].clone(), tensors['clip.b'].clone()
    torch.nn.utils.clip_grad_value_([a, b], 0.7)
    tensors['clip.value.a'], tensors['clip.value.b'] = a.grad.clone(), b.grad.clone()
    gt.save_safetensors(path, tensors)


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.set_num_threads(1)
    write_ops(torch.float64, f'{OUT}/ops_f64.safetensors')
    write_ops(torch.float32, f'{OUT}/ops_f32.safetensors')
    for stem, spec, shape, n, mode in MODELS:
        for dt in (torch.float64, torch.float32) if stem != 'seed_cnn_cifar' else (torch.float64,):
            write_model(stem, spec, shape, n, mode, dt)
    write_optim(f'{OUT}/optim_f64.safetensors')
    write_losses(torch.float64, f'{OUT}/losses_f64.safetensors')
    write_losses(torch.float32, f'{OUT}/losses_f32.safetensors')
    for stem, spec, shape, n, mode, loss in LOSS_MODELS:
        for dt in (torch.float64, torch.float32):
            write_loss_model(stem, spec, shape, n, mode, loss, dt)
    print('torch', torch.__version__, 'wrote', sorted(os.listdir(OUT)))


if __name__ == '__main__':
    main()
