// Checkpoints and expectations for the "Convert to HF AST" command tests, all computed by real torch:
// checkpoints come from test/fixtures/make_fixtures.py, the expected HF state dict from the original
// weights with torch ops (qkv split, SSAST's position-embedding adaptation), never hard-coded.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runPython, runPythonJson } from '../helpers/torch';

export type CheckpointKind = 'pretrained' | 'finetuned' | 'frame' | 'nokd';

const WRITERS: Record<CheckpointKind, string> = {
  pretrained: 'write_ssast_tiny_sample',
  finetuned: 'write_ssast_finetuned',
  frame: 'write_ssast_frame',
  nokd: 'write_ssast_nokd',
};

/** Writes an SSAST-Tiny-shaped checkpoint of `kind` (2 blocks, DataParallel keys) with torch. */
export async function writeSsastCheckpoint(projectRoot: string, kind: CheckpointKind, path: string): Promise<void> {
  await runPython(
    'import sys; sys.path.insert(0, sys.argv[1]); import make_fixtures as m; getattr(m, sys.argv[2])(sys.argv[3])',
    [join(projectRoot, 'test', 'fixtures'), WRITERS[kind], path],
  );
}

export interface TorchComparison {
  /** HF keys torch expects that the folder lacks, and keys the folder has that torch does not expect. */
  readonly missing: string[];
  readonly unexpected: string[];
  readonly shapeMismatch: string[];
  /** Largest |converted − expected| over every tensor. */
  readonly maxAbsDiff: number;
  readonly tensorCount: number;
  readonly config: Record<string, unknown>;
}

// argv: checkpoint, output folder. Reads config.json for the target grid and model kind.
const COMPARE_WITH_TORCH = String.raw`
import json, struct, sys
import torch
import torch.nn.functional as F
src, out = sys.argv[1], sys.argv[2]
sd = {k[7:] if k.startswith('module.') else k: v for k, v in torch.load(src, map_location='cpu').items()}
cfg = json.load(open(out + '/config.json'))
classify = 'ASTForAudioClassification' in cfg['architectures']
pre = 'audio_spectrogram_transformer.' if classify else ''
D = sd['v.cls_token'].shape[-1]
fs = sd['v.patch_embed.proj.weight'].shape[2]
p = cfg['patch_size']
f = (cfg['num_mel_bins'] - p) // cfg['frequency_stride'] + 1
t = (cfg['max_length'] - p) // cfg['time_stride'] + 1
pos = sd['v.pos_embed']
pf = (int(sd['p_input_fdim']) if 'p_input_fdim' in sd else 128) // fs
pt = (pos.shape[1] - 2) // pf
pe = pos[:, 2:, :].reshape(1, pf, pt, D).permute(0, 3, 1, 2)
if t < pt:
    pe = pe[:, :, :, pt // 2 - t // 2: pt // 2 - t // 2 + t]
else:
    pe = F.interpolate(pe, size=(pf, t), mode='bilinear', align_corners=False)
if f < pf:
    pe = pe[:, :, pf // 2 - f // 2: pf // 2 - f // 2 + f, :]
else:
    pe = F.interpolate(pe, size=(f, t), mode='bilinear', align_corners=False)
exp = {
    'embeddings.cls_token': sd['v.cls_token'],
    'embeddings.distillation_token': sd['v.dist_token'],
    'embeddings.position_embeddings': torch.cat([pos[:, :2, :], pe.reshape(1, D, f * t).transpose(1, 2)], dim=1),
    'embeddings.patch_embeddings.projection.weight': sd['v.patch_embed.proj.weight'],
    'embeddings.patch_embeddings.projection.bias': sd['v.patch_embed.proj.bias'],
    'layernorm.weight': sd['v.norm.weight'],
    'layernorm.bias': sd['v.norm.bias'],
}
layers = sorted({int(k.split('.')[2]) for k in sd if k.startswith('v.blocks.')})
for i in layers:
    b, h = 'v.blocks.%d.' % i, 'encoder.layer.%d.' % i
    for part in ('weight', 'bias'):
        q, k, v = sd[b + 'attn.qkv.' + part].chunk(3)
        exp[h + 'attention.attention.query.' + part] = q
        exp[h + 'attention.attention.key.' + part] = k
        exp[h + 'attention.attention.value.' + part] = v
        exp[h + 'layernorm_before.' + part] = sd[b + 'norm1.' + part]
        exp[h + 'attention.output.dense.' + part] = sd[b + 'attn.proj.' + part]
        exp[h + 'layernorm_after.' + part] = sd[b + 'norm2.' + part]
        exp[h + 'intermediate.dense.' + part] = sd[b + 'mlp.fc1.' + part]
        exp[h + 'output.dense.' + part] = sd[b + 'mlp.fc2.' + part]
exp = {pre + k: v for k, v in exp.items()}
if classify:
    for part in ('weight', 'bias'):
        exp['classifier.layernorm.' + part] = sd['mlp_head.0.' + part]
        exp['classifier.dense.' + part] = sd['mlp_head.1.' + part]
raw = open(out + '/model.safetensors', 'rb').read()
n = struct.unpack('<Q', raw[:8])[0]
header = json.loads(raw[8:8 + n])
header.pop('__metadata__', None)
dtypes = {'F32': torch.float32, 'F16': torch.float16, 'BF16': torch.bfloat16, 'F64': torch.float64}
got = {}
for k, h in header.items():
    s, e = h['data_offsets']
    got[k] = torch.frombuffer(bytearray(raw[8 + n + s: 8 + n + e]), dtype=dtypes[h['dtype']]).reshape(h['shape'])
missing = sorted(set(exp) - set(got))
unexpected = sorted(set(got) - set(exp))
both = sorted(set(exp) & set(got))
mismatch = [k for k in both if list(exp[k].shape) != list(got[k].shape)]
diff = max([(exp[k].double() - got[k].double()).abs().max().item() for k in both if k not in mismatch] or [float('inf')])
print(json.dumps({'missing': missing, 'unexpected': unexpected, 'shapeMismatch': mismatch, 'maxAbsDiff': diff, 'tensorCount': len(got), 'config': cfg}))
`;

/** Compares a converted folder with the HF state dict torch derives from the original checkpoint. */
export function compareWithTorch(checkpoint: string, outDir: string): Promise<TorchComparison> {
  return runPythonJson<TorchComparison>(COMPARE_WITH_TORCH, [checkpoint, outDir]);
}

/** The safetensors header: dtype and shape of every tensor, by name. */
export function safetensorsHeader(file: string): Map<string, { dtype: string; shape: number[] }> {
  const raw = readFileSync(file);
  const headerLength = Number(raw.readBigUInt64LE(0));
  const header = JSON.parse(raw.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, { dtype: string; shape: number[] }>;
  return new Map(Object.entries(header).filter(([name]) => name !== '__metadata__'));
}

/** sha256 of every tensor's bytes in a model.safetensors, by name (header order and padding ignored). */
export function safetensorsDigests(file: string): Map<string, string> {
  const raw = readFileSync(file);
  const headerLength = Number(raw.readBigUInt64LE(0));
  const header = JSON.parse(raw.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const digests = new Map<string, string>();
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const [begin, end] = info.data_offsets;
    const bytes = raw.subarray(8 + headerLength + begin, 8 + headerLength + end);
    digests.set(name, `${info.dtype}${JSON.stringify(info.shape)}:${createHash('sha256').update(bytes).digest('hex')}`);
  }
  return digests;
}
