// `ckpt-ast diff` on pairs written by real torch, and the numbers checked against torch's own float64
// arithmetic in the same test: a file against itself, one tensor perturbed, fp32 vs fp16, module.-prefixed vs
// stripped, zip vs legacy, a state dict vs a training checkpoint holding it, an SSAST checkpoint vs its converted
// HF folder (and that folder with query/key swapped), and truncated or corrupt inputs.
import { strict as assert } from 'node:assert';
import { copyFileSync, mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, type CliRun } from '../../helpers/cli';
import { runPythonJson, tempDir } from '../../helpers/torch';

const HELPERS = join(process.cwd(), 'test', 'helpers');

interface Stats { maxAbsDiff: number; meanAbsDiff: number; relL2: number; cosine: number }

const BUILD = String.raw`
import copy, json, sys, torch
sys.path.insert(0, sys.argv[1])
import ast_models as m
out = sys.argv[2]
pre = m.build(seed=1, dim=192, heads=3, depth=2)
m.save_as_ssast(pre, out + '/pre.pth')
m.save_as_ssast(pre, out + '/pre-noprefix.pth', wrap='none')
m.save_as_ssast(pre, out + '/pre-legacy.pth', legacy=True)
m.save_as_ssast(pre, out + '/pre-half.pth', dtype=torch.float16)
sd = torch.load(out + '/pre.pth')

def stats(x, y):
    a, b = x.double().flatten(), y.double().flatten()
    d = a - b
    return dict(maxAbsDiff=d.abs().max().item(), meanAbsDiff=d.abs().mean().item(),
                relL2=(d.norm() / a.norm()).item(), cosine=(a.dot(b) / (a.norm() * b.norm())).item())

name = 'module.v.blocks.1.mlp.fc1.weight'
perturbed = dict(sd)
perturbed[name] = sd[name] + torch.randn(sd[name].shape, generator=torch.Generator().manual_seed(7)) * 1e-3
torch.save(perturbed, out + '/pre-perturbed.pth')

half = torch.load(out + '/pre-half.pth')
fp16 = {}
for k, v in sd.items():
    if v.is_floating_point():
        a, b = v.double(), half[k].double()
        # |x - fp16(x)| is at most half an ulp: |x|·2^-11 for normal halves, 2^-25 below.
        fp16[k] = dict(maxAbsDiff=(a - b).abs().max().item(), bound=(a.abs() * 2 ** -11).clamp(min=2 ** -25).max().item())

trained = copy.deepcopy(pre)
opt = torch.optim.Adam(trained.parameters(), lr=1e-3)
sum(p.sum() for p in trained.parameters()).backward()
opt.step()
def count_tensors(x):
    if torch.is_tensor(x): return 1
    if isinstance(x, dict): return sum(count_tensors(v) for v in x.values())
    if isinstance(x, (list, tuple)): return sum(count_tensors(v) for v in x)
    return 0
torch.save({'state_dict': sd, 'optimizer': opt.state_dict(), 'epoch': 3, 'args': {'lr': 1e-3}}, out + '/train.pth')

# What the SSAST -> HF conversion drops: pretext heads, the mask token, p_input_*, and the timm ImageNet heads.
dropped = [k for k in sd if k.startswith(('module.cpredlayer.', 'module.gpredlayer.', 'module.v.head.', 'module.v.head_dist.'))
           or k in ('module.mask_embed', 'module.p_input_fdim', 'module.p_input_tdim')]
print(json.dumps(dict(keys=list(sd), floating=[k for k, v in sd.items() if v.is_floating_point()],
                      numel={k: v.numel() for k, v in sd.items()}, perturbed=name,
                      perturbedStats=stats(sd[name], perturbed[name]), fp16=fp16,
                      optimizerTensors=count_tensors(opt.state_dict()), dropped=dropped)))
`;

// The converted folder with layer 0's query and key swapped, and what torch says those pairs differ by.
const SWAP = String.raw`
import json, os, shutil, sys, torch
sys.path.insert(0, sys.argv[1])
import ast_models as m
src, dst, ssast = sys.argv[2], sys.argv[3], sys.argv[4]
tensors, meta, _ = m.read_safetensors(src + '/model.safetensors')
os.makedirs(dst, exist_ok=True)
shutil.copy(src + '/config.json', dst + '/config.json')
for part in ('weight', 'bias'):
    q, k = 'encoder.layer.0.attention.attention.query.' + part, 'encoder.layer.0.attention.attention.key.' + part
    tensors[q], tensors[k] = tensors[k], tensors[q]
header, blobs, at = {}, [], 0
for name, t in tensors.items():
    data = t.contiguous().numpy().tobytes()
    header[name] = {'dtype': 'F32', 'shape': list(t.shape), 'data_offsets': [at, at + len(data)]}
    blobs.append(data)
    at += len(data)
header['__metadata__'] = meta
text = json.dumps(header).encode()
text += b' ' * (-len(text) % 8)
with open(dst + '/model.safetensors', 'wb') as fh:
    fh.write(len(text).to_bytes(8, 'little') + text + b''.join(blobs))

def stats(x, y):
    a, b = x.double().flatten(), y.double().flatten()
    d = a - b
    return dict(maxAbsDiff=d.abs().max().item(), meanAbsDiff=d.abs().mean().item(),
                relL2=(d.norm() / a.norm()).item(), cosine=(a.dot(b) / (a.norm() * b.norm())).item())
sd = torch.load(ssast)
out = {}
for part in ('weight', 'bias'):
    qkv = sd['module.v.blocks.0.attn.qkv.' + part]
    n = qkv.shape[0] // 3
    out['query.' + part] = stats(qkv[:n], qkv[n:2 * n])
    out['key.' + part] = stats(qkv[n:2 * n], qkv[:n])
print(json.dumps(out))
`;

interface Built {
  keys: string[];
  floating: string[];
  numel: Record<string, number>;
  perturbed: string;
  perturbedStats: Stats;
  fp16: Record<string, { maxAbsDiff: number; bound: number }>;
  optimizerTensors: number;
  dropped: string[];
}

interface DiffPair { a: string | null; b: string | null; status: string; via: string | null; rows?: [number, number]; maxAbsDiff?: number; meanAbsDiff?: number; relL2?: number; cosine?: number }
interface DiffJson {
  a: string;
  b: string;
  summary: Record<string, number> & { parameters: Record<string, number>; notCompared: { side: string; name: string; tensors: number }[] };
  pairs: DiffPair[];
}

/** Tensor names of a safetensors header, read with nothing but JSON.parse. */
function safetensorsNames(path: string): string[] {
  const bytes = readFileSync(path);
  const header = JSON.parse(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString('utf8')) as Record<string, unknown>;
  return Object.keys(header).filter((k) => k !== '__metadata__');
}

function closeTo(actual: number | undefined, expected: number, what: string): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) <= 1e-12 * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs torch ${expected}`);
}

describe('ckpt-ast diff against torch', () => {
  const tmp = tempDir('ckpt-diff-');
  const file = (name: string): string => join(tmp.dir, name);
  let built: Built;
  let swapped: Record<string, Stats>;

  const diff = async (...args: string[]): Promise<CliRun & { json: DiffJson }> => {
    const run = await runCli(['diff', ...args, '--json']);
    assert.ok(run.code === 0 || run.code === 1, `exit ${run.code}: ${run.stderr}`);
    return { ...run, json: JSON.parse(run.stdout) as DiffJson };
  };
  const statuses = (j: DiffJson): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const p of j.pairs) out[p.status] = (out[p.status] ?? 0) + 1;
    return out;
  };

  before(async () => {
    built = await runPythonJson<Built>(BUILD, [HELPERS, tmp.dir]);
    for (const [out, extra] of [['pre-hf', []], ['pre-hf-512', ['--max-length', '512']]] as const) {
      const run = await runCli(['convert', file('pre.pth'), '--out', file(out), ...extra]);
      assert.equal(run.code, 0, run.stderr);
    }
    swapped = await runPythonJson<Record<string, Stats>>(SWAP, [HELPERS, file('pre-hf'), file('pre-hf-swapped'), file('pre.pth')]);
  });
  after(() => tmp.cleanup());

  it('a file against itself: every pair equal, aligned by name, exit 0', async () => {
    const run = await diff(file('pre.pth'), file('pre.pth'));
    assert.equal(run.code, 0);
    assert.deepEqual(statuses(run.json), { equal: built.keys.length });
    assert.ok(run.json.pairs.every((p) => p.via === 'name' && p.a === p.b && p.maxAbsDiff === 0 && p.relL2 === 0));
    const total = Object.values(built.numel).reduce((a, b) => a + b, 0);
    assert.deepEqual(run.json.summary.parameters, { equal: total, changed: 0, added: 0, removed: 0 });
  });

  it('one tensor perturbed: only that pair differs, by what torch computes in float64', async () => {
    const run = await diff(file('pre.pth'), file('pre-perturbed.pth'));
    assert.equal(run.code, 1);
    const changed = run.json.pairs.filter((p) => p.status !== 'equal');
    assert.deepEqual(changed.map((p) => [p.a, p.status]), [[built.perturbed, 'different']]);
    const pair = changed[0]!;
    const want = built.perturbedStats;
    assert.equal(pair.maxAbsDiff, want.maxAbsDiff);
    closeTo(pair.meanAbsDiff, want.meanAbsDiff, 'meanAbsDiff');
    closeTo(pair.relL2, want.relL2, 'relL2');
    closeTo(pair.cosine, want.cosine, 'cosine');
    assert.equal(run.json.summary.parameters.changed, built.numel[built.perturbed]);

    const loose = await diff(file('pre.pth'), file('pre-perturbed.pth'), '--threshold', String(want.relL2 * 2));
    assert.equal(loose.code, 0);
    assert.equal(loose.json.pairs.find((p) => p.a === built.perturbed)!.status, 'close');
    assert.equal((await runCli(['diff', file('pre.pth'), file('pre-perturbed.pth'), '--threshold', String(want.relL2 * 2), '--strict'])).code, 1);
    const tight = await diff(file('pre.pth'), file('pre-perturbed.pth'), '--threshold', String(want.relL2 / 2));
    assert.equal(tight.json.pairs.find((p) => p.a === built.perturbed)!.status, 'different');
  });

  it('--no-values answers from the listings: same-metadata everywhere, exit 0', async () => {
    const run = await diff(file('pre.pth'), file('pre-perturbed.pth'), '--no-values');
    assert.equal(run.code, 0);
    assert.deepEqual(statuses(run.json), { 'same-metadata': built.keys.length });
    assert.ok(run.json.pairs.every((p) => p.maxAbsDiff === undefined));
  });

  it('fp32 vs the same weights saved as fp16: every float pair dtype-changed, max diff as torch computes it, within fp16 rounding', async () => {
    const run = await diff(file('pre.pth'), file('pre-half.pth'));
    assert.equal(run.code, 1);
    for (const name of built.floating) {
      const pair = run.json.pairs.find((p) => p.a === name)!;
      assert.equal(pair.status, 'dtype-changed', name);
      assert.equal(pair.maxAbsDiff, built.fp16[name]!.maxAbsDiff, name);
      assert.ok(pair.maxAbsDiff! <= built.fp16[name]!.bound, `${name}: ${pair.maxAbsDiff} > ${built.fp16[name]!.bound}`);
    }
    const others = run.json.pairs.filter((p) => !built.floating.includes(p.a!));
    assert.ok(others.every((p) => p.status === 'equal'), 'integer tensors are kept by .half() and stay equal');
  });

  it('module.-prefixed vs stripped keys: paired via prefix, all equal', async () => {
    const run = await diff(file('pre.pth'), file('pre-noprefix.pth'));
    assert.equal(run.code, 0);
    assert.deepEqual(statuses(run.json), { equal: built.keys.length });
    assert.ok(run.json.pairs.every((p) => p.via === 'prefix' && p.b === p.a!.slice('module.'.length)));
  });

  it('zip vs legacy format of the same weights: all equal', async () => {
    const run = await diff(file('pre.pth'), file('pre-legacy.pth'));
    assert.equal(run.code, 0);
    assert.deepEqual(statuses(run.json), { equal: built.keys.length });
  });

  it('a state dict vs a training checkpoint holding it: the state dict compared, optimizer/epoch/args not compared', async () => {
    const run = await diff(file('pre.pth'), file('train.pth'));
    assert.equal(run.code, 0, run.stdout);
    assert.deepEqual(statuses(run.json), { equal: built.keys.length });
    assert.ok(run.json.pairs.every((p) => p.b === `state_dict.${p.a}`));
    assert.deepEqual(run.json.summary.notCompared, [
      { side: 'b', name: 'optimizer', tensors: built.optimizerTensors },
      { side: 'b', name: 'epoch', tensors: 0 },
      { side: 'b', name: 'args', tensors: 0 },
    ]);
  });

  it('an SSAST checkpoint vs its converted HF folder: every mapped pair equal, qkv slices, pretext heads dropped-by-rule, exit 0', async () => {
    const run = await diff(file('pre.pth'), file('pre-hf'));
    assert.equal(run.code, 0, run.stdout);
    const dropped = run.json.pairs.filter((p) => p.status === 'dropped-by-rule');
    assert.deepEqual(dropped.map((p) => p.a).sort(), [...built.dropped].sort());
    const mapped = run.json.pairs.filter((p) => p.status !== 'dropped-by-rule');
    assert.ok(mapped.every((p) => p.status === 'equal'), JSON.stringify(mapped.filter((p) => p.status !== 'equal')));
    const hfNames = safetensorsNames(join(file('pre-hf'), 'model.safetensors'));
    assert.deepEqual(mapped.map((p) => p.b).sort(), hfNames.sort(), 'every HF tensor is paired once');
    const qkv = mapped.filter((p) => p.a === 'module.v.blocks.0.attn.qkv.weight');
    assert.deepEqual(qkv.map((p) => [p.b, p.via, p.rows]), [
      ['encoder.layer.0.attention.attention.query.weight', 'qkv-slice', [0, 192]],
      ['encoder.layer.0.attention.attention.key.weight', 'qkv-slice', [192, 384]],
      ['encoder.layer.0.attention.attention.value.weight', 'qkv-slice', [384, 576]],
    ]);
    assert.equal((await runCli(['diff', file('pre.pth'), file('pre-hf'), '--strict'])).code, 1, '--strict also fails on dropped-by-rule');
  });

  it('HF folder first, other grid: the position embeddings compared against the adapted table recomputed', async () => {
    const run = await diff(file('pre-hf-512'), file('pre.pth'));
    assert.equal(run.code, 0, run.stdout);
    const pos = run.json.pairs.find((p) => p.a === 'embeddings.position_embeddings')!;
    assert.deepEqual([pos.b, pos.via, pos.status], ['module.v.pos_embed', 'pos-embed-adapted', 'equal']);
  });

  it('vs the folder with query/key swapped: those pairs different by what torch computes, exit 1', async () => {
    const run = await diff(file('pre.pth'), file('pre-hf-swapped'));
    assert.equal(run.code, 1);
    const changed = run.json.pairs.filter((p) => p.status !== 'equal' && p.status !== 'dropped-by-rule');
    assert.deepEqual(changed.map((p) => p.b).sort(), ['query.weight', 'query.bias', 'key.weight', 'key.bias'].map((s) => `encoder.layer.0.attention.attention.${s}`).sort());
    for (const p of changed) {
      assert.equal(p.status, 'different');
      const want = swapped[p.b!.slice('encoder.layer.0.attention.attention.'.length)]!;
      assert.equal(p.maxAbsDiff, want.maxAbsDiff);
      closeTo(p.relL2, want.relL2, `${p.b} relL2`);
      closeTo(p.cosine, want.cosine, `${p.b} cosine`);
      closeTo(p.meanAbsDiff, want.meanAbsDiff, `${p.b} meanAbsDiff`);
    }
  });

  it('the text table: summary header, largest relative change first', async () => {
    const run = await runCli(['diff', file('pre.pth'), file('pre-perturbed.pth')]);
    assert.equal(run.code, 1);
    const lines = run.stdout.split('\n');
    assert.match(lines[2]!, new RegExp(`^${built.keys.length} rows: ${built.keys.length - 1} equal, 1 different$`));
    const firstRow = lines[lines.findIndex((l) => l.startsWith('status')) + 1]!;
    assert.match(firstRow, new RegExp(`^different .* ${built.perturbed.replace(/\./g, '\\.')} `));
  });

  it('truncated, corrupt or missing inputs: one line naming the file, exit 2', async () => {
    const truncated = file('truncated.pth');
    copyFileSync(file('pre.pth'), truncated);
    truncateSync(truncated, 4096);
    const garbage = file('garbage.pth');
    writeFileSync(garbage, 'not a checkpoint at all\n'.repeat(10));
    mkdirSync(file('empty-folder'));
    const cutData = file('cut.safetensors');
    copyFileSync(join(file('pre-hf'), 'model.safetensors'), cutData);
    truncateSync(cutData, 100_000);
    for (const bad of [truncated, garbage, file('empty-folder'), file('missing.pth'), cutData]) {
      const run = await runCli(['diff', file('pre.pth'), bad]);
      assert.equal(run.code, 2, `${bad}: ${run.stdout}${run.stderr}`);
      assert.equal(run.stdout, '');
      const lines = run.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, run.stderr);
      assert.ok(lines[0]!.startsWith('error: ') && lines[0]!.includes(bad), lines[0]);
    }
  });
});
