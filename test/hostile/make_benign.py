#!/usr/bin/python3
"""Writes benign files the way people really make them, with real torch, into OUT_DIR (nothing committed):

    /usr/bin/python3 test/hostile/make_benign.py OUT_DIR     # prints a JSON list of the files written

State dicts (fp32, fp16, bf16, ints, bools, views), a Lightning-style .ckpt (state_dict, optimizer_states,
lr_schedulers, hyper_parameters as a dict and as argparse.Namespace, callbacks, loops), optimizer state of
SGD and Adam, numpy arrays and scalars inside a checkpoint, pathlib paths, collections containers, a whole
nn.Module, TorchScript (trace and script), each through torch.save's zip format (pickle protocol 2 and 4,
the latter with FRAMEs), the legacy format, and raw pickle.dump at protocols 2-5. The safety scan must rate
none of them dangerous.
"""
import argparse
import collections
import json
import os
import pathlib
import pickle
import sys

import numpy as np
import torch


def checkpoints():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.LayerNorm(3), torch.nn.Linear(3, 2))
    sd = model.state_dict()
    sgd = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    adam = torch.optim.Adam(model.parameters(), lr=1e-3)
    for opt in (sgd, adam):
        model(torch.randn(2, 4)).sum().backward()
        opt.step()
    sched = torch.optim.lr_scheduler.StepLR(adam, step_size=3)
    hparams = {'lr': 1e-3, 'layers': [4, 3, 2], 'name': 'tiny', 'dropout': None}
    lightning = {
        'epoch': 3, 'global_step': 120, 'pytorch-lightning_version': '1.9.0', 'state_dict': sd,
        'loops': {'fit_loop': {'state_dict': {}, 'epoch_progress': {'total': {'ready': 4, 'completed': 3}}}},
        'callbacks': {"ModelCheckpoint{'monitor': 'val_loss'}": {'best_model_score': torch.tensor(0.25), 'best_model_path': '/runs/best.ckpt'}},
        'optimizer_states': [adam.state_dict()], 'lr_schedulers': [sched.state_dict()],
        'hparams_name': 'kwargs', 'hyper_parameters': hparams,
    }
    yield 'state-dict', sd
    yield 'state-dict-fp16', {k: v.half() for k, v in sd.items()}
    yield 'state-dict-bf16', {k: v.bfloat16() for k, v in sd.items()}
    yield 'mixed-dtypes', {'ints': torch.arange(6), 'mask': torch.tensor([True, False]), 'view': torch.randn(4, 4)[1:, ::2],
                           'expanded': torch.ones(1).expand(3), 'u8': torch.zeros(3, dtype=torch.uint8), 'c64': torch.randn(2, dtype=torch.cfloat)}
    yield 'lightning', lightning
    yield 'lightning-namespace', dict(lightning, hyper_parameters=argparse.Namespace(**hparams))
    yield 'optimizer-sgd', sgd.state_dict()
    yield 'optimizer-adam', {'model': sd, 'optimizer': adam.state_dict(), 'scheduler': sched.state_dict(), 'epoch': 3}
    yield 'numpy-inside', {'state_dict': sd, 'mean': np.float32(0.5), 'std': np.array([0.1, 0.2], dtype=np.float64),
                           'labels': np.arange(5), 'best': np.float64(0.91), 'rng': np.random.RandomState(0).get_state()[1][:4]}
    yield 'containers', {'state_dict': sd, 'counts': collections.Counter(a=2), 'hist': collections.deque([1, 2]),
                         'groups': collections.defaultdict(list, {'a': [1]}), 'path': pathlib.PurePosixPath('/data/run1'),
                         'ordered': collections.OrderedDict(x=1), 'set': {1, 2}, 'bytes': b'\x00\x01', 'slice': slice(1, 3)}
    yield 'parameter', {'p': torch.nn.Parameter(torch.randn(2, 2)), 'buffer': torch.randn(3).requires_grad_(False)}
    yield 'whole-module', model


def main(out):
    os.makedirs(out, exist_ok=True)
    written = []
    for name, obj in checkpoints():
        for protocol in (2, 4):
            path = '%s/%s-zip-p%d.pth' % (out, name, protocol)
            torch.save(obj, path, pickle_protocol=protocol)
            written.append(path)
        path = '%s/%s-legacy.pth' % (out, name)
        torch.save(obj, path, _use_new_zipfile_serialization=False)
        written.append(path)

    class Tiny(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.proj = torch.nn.Linear(3, 2)

        def forward(self, x):
            return self.proj(x).relu()
    traced = torch.jit.trace(Tiny(), torch.randn(1, 3))
    path = out + '/torchscript-trace.pt'
    torch.jit.save(traced, path)
    written.append(path)
    scripted = torch.jit.script(torch.nn.Sequential(torch.nn.Linear(3, 3), torch.nn.ReLU()))
    path = out + '/torchscript-script.pt'
    torch.jit.save(scripted, path)
    written.append(path)
    # Raw pickles of plain data: not checkpoints, but the scan still runs on them.
    data = {'weights': [0.5, 1.5], 'meta': {'epoch': 3}, 'labels': ('a', 'b'), 'blob': b'xy' * 40000}
    for protocol in (2, 3, 4, 5):
        path = '%s/plain-p%d.pkl' % (out, protocol)
        with open(path, 'wb') as f:
            pickle.dump(data, f, protocol=protocol)
        written.append(path)
    print(json.dumps(written))


if __name__ == '__main__':
    main(sys.argv[1])
