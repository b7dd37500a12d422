// Python shared by the core tests: how torch itself names, types, shapes and hashes every tensor
// of an object, so expectations always come from torch in the same test.
import { runPythonJson } from '../../helpers/torch';

export interface ExpectedTensor {
  readonly name: string;
  readonly dtype: string;
  readonly shape: number[];
  readonly numel: number;
  readonly bytes: number;
  readonly sha256: string;
  readonly isParameter: boolean;
  /** Tensors with equal storage ids share one storage (torch's untyped storage data_ptr). */
  readonly storageId: string;
}

/** Defines `expected(obj)` → list of ExpectedTensor for every tensor reachable like our walker names them. */
export const PY_EXPECT = String.raw`
import argparse, collections, hashlib, json, sys
import torch

def _sha(t):
    t = t.detach().contiguous()
    if t.dtype == torch.bfloat16:
        t = t.view(torch.int16)
    return hashlib.sha256(t.numpy().tobytes()).hexdigest()

def expected(obj):
    out = []
    def walk(value, path):
        if isinstance(value, torch.Tensor):
            out.append(dict(name='.'.join(path), dtype=str(value.dtype).replace('torch.', ''),
                            shape=list(value.shape), numel=value.numel(),
                            bytes=value.numel() * value.element_size(), sha256=_sha(value),
                            isParameter=isinstance(value, torch.nn.Parameter),
                            storageId=str(value.storage().data_ptr())))
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(v, path + [str(k)])
        elif isinstance(value, (list, tuple)):
            for i, v in enumerate(value):
                walk(v, path + [str(i)])
        elif isinstance(value, argparse.Namespace):
            walk(vars(value), path)
    walk(obj, [])
    return out
`;

/** Runs `code` (with PY_EXPECT's helpers defined) and parses the JSON it prints last. */
export function torchJson<T>(code: string, args: readonly string[] = []): Promise<T> {
  return runPythonJson<T>(`${PY_EXPECT}\n${code}`, args);
}
