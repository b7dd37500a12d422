// Many SSAST-style checkpoints written by real torch, for indexing benchmarks and tests: file k holds
// `tensors` tensors named like SSAST's (`module.v.blocks.{i}.…`, 12 per block, D = 8 so files stay small;
// indexing reads metadata only, so tensor sizes do not matter), plus `bench.shared` (in every file) and
// `module.marker_{k}` (only in file k).
import { join } from 'node:path';
import { runPython } from './torch';

const WRITE_CHECKPOINTS = `
import sys, torch
from collections import OrderedDict
out, files, tensors = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
d = 8
per_block = [("norm1.weight", [d]), ("norm1.bias", [d]), ("attn.qkv.weight", [3 * d, d]), ("attn.qkv.bias", [3 * d]),
             ("attn.proj.weight", [d, d]), ("attn.proj.bias", [d]), ("norm2.weight", [d]), ("norm2.bias", [d]),
             ("mlp.fc1.weight", [4 * d, d]), ("mlp.fc1.bias", [4 * d]), ("mlp.fc2.weight", [d, 4 * d]), ("mlp.fc2.bias", [d])]
for k in range(files):
    torch.manual_seed(k)
    sd = OrderedDict()
    sd["module.v.cls_token"] = torch.randn(1, 1, d)
    sd["module.v.dist_token"] = torch.randn(1, 1, d)
    sd["module.v.pos_embed"] = torch.randn(1, 514, d)
    while len(sd) < tensors - 2:
        i = len(sd) - 3
        name, shape = per_block[i % len(per_block)]
        sd[f"module.v.blocks.{i // len(per_block)}.{name}"] = torch.randn(*shape)
    sd["bench.shared"] = torch.randn(d)
    sd[f"module.marker_{k}"] = torch.randn(d)
    torch.save(sd, f"{out}/ckpt-{k:03d}.pth")
`;

/** Path of file k in `dir`. */
export function manyCheckpointPath(dir: string, k: number): string {
  return join(dir, `ckpt-${String(k).padStart(3, '0')}.pth`);
}

/** Writes `files` checkpoints of `tensors` tensors each into `dir`; resolves with their paths in order. */
export async function writeManyCheckpoints(dir: string, files: number, tensors: number): Promise<string[]> {
  await runPython(WRITE_CHECKPOINTS, [dir, String(files), String(tensors)], 900_000);
  return Array.from({ length: files }, (_, k) => manyCheckpointPath(dir, k));
}
