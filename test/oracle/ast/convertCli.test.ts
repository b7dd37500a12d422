// End to end with real torch: SSAST-shaped models (Tiny width D=192, 3 heads, but 2 blocks instead
// of 12 to stay fast) saved as SSAST saves them, converted by `node dist/cli.js convert`, loaded
// strictly into HF AST's module tree (test/helpers/ast_models.py) and run against the original.
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, type CliRun } from '../../helpers/cli';
import { runPythonJson, tempDir } from '../../helpers/torch';

const HELPERS = join(process.cwd(), 'test', 'helpers');

const BUILD_MODELS = String.raw`
import json, sys, torch
sys.path.insert(0, sys.argv[1])
import ast_models as m
out = sys.argv[2]
tiny = dict(dim=192, heads=3, depth=2)
pre = m.build(seed=1, **tiny)
m.save_as_ssast(pre, out + '/pre.pth')
m.save_as_ssast(pre, out + '/pre-noprefix.pth', wrap='none')
m.save_as_ssast(pre, out + '/pre-nested.pth', wrap='state_dict')
m.save_as_ssast(pre, out + '/pre-legacy.pth', legacy=True)
m.save_as_ssast(pre, out + '/pre-half.pth', dtype=torch.float16)
m.save_as_ssast(pre, out + '/pre-bf16.pth', dtype=torch.bfloat16)
m.save_as_ssast(m.build(seed=2, pretrain=False, fstride=10, tstride=10, labels=4, **tiny), out + '/ft.pth')
m.save_as_ssast(m.build(seed=3, fshape=128, tshape=2, fstride=128, tstride=2, **tiny), out + '/frame.pth')
m.save_as_ssast(m.build(seed=4, cls_tokens=1, **tiny), out + '/nokd.pth')
print(json.dumps('ok'))
`;

// Everything the assertions need, computed by torch from the original models and the converted folders.
const COMPARE = String.raw`
import hashlib, json, sys, zipfile
sys.path.insert(0, sys.argv[1])
import torch
import torch.nn.functional as F
import ast_models as m
d = sys.argv[2]
tiny = dict(dim=192, heads=3, depth=2)
torch.manual_seed(0)
res = {}

def maxdiff(a, b):
    return (a.float() - b.float()).abs().max().item()

def tensors(name):
    return m.read_safetensors(d + '/' + name + '/model.safetensors')

# 1. pretrained, module. prefix, zip float32 -> ASTModel: token outputs.
pre = m.build(seed=1, **tiny)
hf, cfg = m.load_hf(d + '/pre-hf')
x = torch.randn(1, 1024, 128)
with torch.no_grad():
    res['tokens'] = maxdiff(pre.tokens(x), hf(x)[0])
base, meta, header_len = tensors('pre-hf')
res['headerLen'] = header_len
res['meta'] = meta
with zipfile.ZipFile(d + '/pre.pth') as z:
    pkl = [n for n in z.namelist() if n.endswith('/data.pkl')][0]
    res['dataPklSha256'] = hashlib.sha256(z.read(pkl)).hexdigest()
res['config'] = cfg

# 2. the same weights stored differently convert to identical tensors (after dtype).
def same(name, expect):
    got, _, _ = tensors(name)
    if sorted(got) != sorted(base):
        return 'keys differ'
    for k in base:
        e = expect(base[k])
        if got[k].dtype != e.dtype or not torch.equal(got[k], e):
            return k
    return 'identical'
res['variants'] = {
    'noprefix': same('noprefix-hf', lambda t: t),
    'nested': same('nested-hf', lambda t: t),
    'legacy': same('legacy-hf', lambda t: t),
    'half-source': same('half-hf', lambda t: t.half()),
    'half-to-float32': same('half32-hf', lambda t: t.half().float()),
    'float32-to-float16': same('f16-hf', lambda t: t.half()),
    'bfloat16-to-float32': same('bf16-32-hf', lambda t: t.bfloat16().float()),
}

# 3. another grid: positions equal torch's own adaptation; the model equals SSAST built for that grid.
def adapt(pos, pf, pt, f, t):
    D = pos.shape[2]
    g = pos[:, 2:, :].reshape(1, pf * pt, D).transpose(1, 2).reshape(1, D, pf, pt)
    if t < pt:
        g = g[:, :, :, pt // 2 - t // 2: pt // 2 - t // 2 + t]
    else:
        g = F.interpolate(g, size=(pf, t), mode='bilinear', align_corners=False)
    if f < pf:
        g = g[:, :, pf // 2 - f // 2: pf // 2 - f // 2 + f, :]
    else:
        g = F.interpolate(g, size=(f, t), mode='bilinear', align_corners=False)
    return torch.cat([pos[:, :2, :], g.reshape(1, D, f * t).transpose(1, 2)], dim=1)

res['grids'] = {}
for name, frames in (('stride10-hf', 1024), ('stride10-512-hf', 512)):
    got, _, _ = tensors(name)
    f, t = (128 - 16) // 10 + 1, (frames - 16) // 10 + 1
    expected = adapt(pre.v.pos_embed.detach(), 8, 64, f, t)
    other = [k for k in base if k != 'embeddings.position_embeddings' and not torch.equal(got[k], base[k])]
    ssast = m.SSAST(fstride=10, tstride=10, input_tdim=frames, **tiny)
    sd = pre.state_dict()
    sd['v.pos_embed'] = expected
    ssast.load_state_dict(sd)
    model, c = m.load_hf(d + '/' + name)
    xs = torch.randn(1, frames, 128)
    with torch.no_grad():
        tok = maxdiff(ssast.eval().tokens(xs), model(xs)[0])
    res['grids'][name] = {
        'grid': [f, t], 'shape': list(got['embeddings.position_embeddings'].shape),
        'posMaxDiff': maxdiff(got['embeddings.position_embeddings'], expected),
        'posEqual': torch.equal(got['embeddings.position_embeddings'], expected),
        'otherTensorsChanged': other, 'tokens': tok,
        'config': [c['frequency_stride'], c['time_stride'], c['max_length']],
    }

# 4. fine-tuned with mlp_head + labels -> ASTForAudioClassification.
ft = m.build(seed=2, pretrain=False, fstride=10, tstride=10, labels=4, **tiny)
clf, c = m.load_hf(d + '/ft-hf')
with torch.no_grad():
    res['ftTokens'] = maxdiff(ft.tokens(x), clf.audio_spectrogram_transformer(x)[0])
    res['ftLogits'] = maxdiff(ft.logits(x), clf(x))
res['ftConfig'] = c

# 5. nokd with the documented adaptation: the class token and its position row stand in for the
#    distillation token; every patch position is kept; the folder loads strictly.
nokd = m.build(seed=4, cls_tokens=1, **tiny)
got, _, _ = tensors('nokd-allowed-hf')
m.load_hf(d + '/nokd-allowed-hf')
pos = got['embeddings.position_embeddings']
res['nokd'] = {
    'distIsCls': torch.equal(got['embeddings.distillation_token'], nokd.v.cls_token.detach()),
    'posRows': torch.equal(pos[:, :2], nokd.v.pos_embed.detach()[:, :1].repeat(1, 2, 1)) and torch.equal(pos[:, 2:], nokd.v.pos_embed.detach()[:, 1:]),
}
print(json.dumps(res))
`;

interface GridComparison {
  grid: number[]; shape: number[]; posMaxDiff: number; posEqual: boolean; otherTensorsChanged: string[]; tokens: number; config: number[];
}
/** What COMPARE prints. */
interface TorchComparison {
  tokens: number; headerLen: number; meta: Record<string, string>; dataPklSha256: string; config: Record<string, unknown>;
  variants: Record<string, string>; grids: Record<string, GridComparison>;
  ftTokens: number; ftLogits: number;
  ftConfig: { architectures: string[]; id2label: Record<string, string>; label2id: Record<string, number>; frequency_stride: number; max_length: number };
  nokd: { distIsCls: boolean; posRows: boolean };
}

describe('convert CLI: SSAST/AST checkpoints → HF AST folders, checked with torch', () => {
  const tmp = tempDir('convert-cli-');
  const dir = tmp.dir;
  const runs: Record<string, CliRun> = {};
  let torchSays: TorchComparison;
  after(tmp.cleanup);

  const convert = async (name: string, args: string[]): Promise<CliRun> => {
    const run = await runCli(['convert', ...args]);
    runs[name] = run;
    return run;
  };

  before(async () => {
    await runPythonJson(BUILD_MODELS, [HELPERS, dir]);
    writeFileSync(join(dir, 'labels.csv'), 'index,mid,display_name\n0,/m/09x0r,"Speech"\n1,/m/05zppz,"Male speech, man speaking"\n2,/m/02zsn,Dog\n3,/m/0ytgt,"Child ""speech"""\n');
    const p = (f: string): string => join(dir, f);
    // Independent conversions run side by side: the CLI is I/O-light and the suite has a time budget.
    await Promise.all([
      convert('pre', [p('pre.pth'), '--out', p('pre-hf')]),
      convert('noprefix', [p('pre-noprefix.pth'), '--out', p('noprefix-hf')]),
      convert('nested', [p('pre-nested.pth'), '--out', p('nested-hf')]),
      convert('legacy', [p('pre-legacy.pth'), '--out', p('legacy-hf')]),
      convert('half', [p('pre-half.pth'), '--out', p('half-hf')]),
      convert('half32', [p('pre-half.pth'), '--out', p('half32-hf'), '--dtype', 'float32']),
      convert('bf16-32', [p('pre-bf16.pth'), '--out', p('bf16-32-hf'), '--dtype', 'float32']),
      convert('f16', [p('pre.pth'), '--out', p('f16-hf'), '--dtype', 'float16']),
      convert('stride10', [p('pre.pth'), '--out', p('stride10-hf'), '--frequency-stride', '10', '--time-stride', '10']),
      convert('stride10-512', [p('pre.pth'), '--out', p('stride10-512-hf'), '--frequency-stride', '10', '--time-stride', '10', '--max-length', '512']),
      convert('nokd-allowed', [p('nokd.pth'), '--out', p('nokd-allowed-hf'), '--allow-nokd']),
      convert('ft', [p('ft.pth'), '--out', p('ft-hf'), '--labels', p('labels.csv'), '--pooling', 'cls']),
    ]);
    for (const [name, run] of Object.entries(runs)) assert.equal(run.code, 0, `${name}: ${run.stderr}`);
    torchSays = await runPythonJson<TorchComparison>(COMPARE, [HELPERS, dir]);
  });

  it('pretrained with module. prefix → ASTModel: tokens equal SSAST\'s to ≤ 1e-5', (t) => {
    t.diagnostic(`max abs diff: tokens ${torchSays.tokens}, fine-tuned tokens ${torchSays.ftTokens}, logits ${torchSays.ftLogits}, `
      + `stride 10 tokens ${torchSays.grids['stride10-hf']?.tokens}, 512 frames tokens ${torchSays.grids['stride10-512-hf']?.tokens}`);
    assert.ok(torchSays.tokens <= 1e-5, `max abs diff ${torchSays.tokens}`);
    assert.deepEqual(torchSays.config.architectures, ['ASTModel']);
    assert.equal(torchSays.config.layer_norm_eps, 1e-6);
    assert.match(runs.pre!.stdout, /SSAST-Tiny, patch 16×16, pretrained, grid 8×64; position embeddings 514 = 2 \+ 8×64/);
  });

  it('safetensors header: 8-byte aligned data, metadata with source name, data.pkl sha256 and version', () => {
    assert.equal(torchSays.headerLen % 8, 0);
    const version = JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')).version as string;
    assert.deepEqual(torchSays.meta, {
      format: 'pt', source_file: 'pre.pth', source_data_pkl_sha256: torchSays.dataPklSha256, converter: `ssast-hf-ast ${version}`,
    });
  });

  it('no prefix, nested in {"state_dict"}, legacy format, float16/bfloat16 sources: identical tensors to the zip float32 case (after dtype)', () => {
    assert.deepEqual(torchSays.variants, {
      noprefix: 'identical', nested: 'identical', legacy: 'identical',
      'half-source': 'identical', 'half-to-float32': 'identical', 'float32-to-float16': 'identical',
      'bfloat16-to-float32': 'identical',
    });
  });

  it('stride 10 (12×101) and 512 frames (12×50): position embeddings equal torch\'s F.interpolate adaptation', () => {
    const g = (name: string): GridComparison => torchSays.grids[name]!;
    assert.deepEqual(g('stride10-hf').grid, [12, 101]);
    assert.deepEqual(g('stride10-hf').shape, [1, 1214, 192]);
    assert.deepEqual(g('stride10-512-hf').shape, [1, 12 * 50 + 2, 192]);
    for (const name of ['stride10-hf', 'stride10-512-hf']) {
      assert.equal(g(name).posEqual, true, `${name}: max abs diff ${g(name).posMaxDiff}`);
      assert.deepEqual(g(name).otherTensorsChanged, [], `${name}: only the positions change`);
      assert.ok(g(name).tokens <= 1e-5, `${name}: tokens differ from SSAST at that grid by ${g(name).tokens}`);
    }
    assert.deepEqual(g('stride10-512-hf').config, [10, 10, 512]);
    assert.match(runs['stride10-512']!.stdout, /12 × 50 = 600 patches; position embeddings cropped in time, interpolated in frequency, from 8 × 64/);
  });

  it('fine-tuned with mlp_head and labels → ASTForAudioClassification: logits ≤ 1e-4, labels from the CSV', () => {
    assert.ok(torchSays.ftTokens <= 1e-5, `tokens ${torchSays.ftTokens}`);
    assert.ok(torchSays.ftLogits <= 1e-4, `logits ${torchSays.ftLogits}`);
    assert.deepEqual(torchSays.ftConfig.architectures, ['ASTForAudioClassification']);
    assert.deepEqual(torchSays.ftConfig.id2label, { 0: 'Speech', 1: 'Male speech, man speaking', 2: 'Dog', 3: 'Child "speech"' });
    assert.equal(torchSays.ftConfig.label2id.Dog, 2);
    assert.deepEqual([torchSays.ftConfig.frequency_stride, torchSays.ftConfig.max_length], [10, 1024]);
    assert.match(runs.ft!.stdout, /warning: head LayerNorm eps/);
  });

  it('report lists every source key with its targets or drop reason', () => {
    const report = JSON.parse(readFileSync(join(dir, 'pre-hf', 'conversion-report.json'), 'utf8'));
    const gen = report.keys.find((k: { key: string }) => k.key === 'module.gpredlayer.0.weight');
    assert.equal(gen.status, 'dropped');
    assert.equal(gen.reason, 'SSAST generative pretext head; not part of the encoder');
    const qkv = report.keys.find((k: { key: string }) => k.key === 'module.v.blocks.1.attn.qkv.weight');
    assert.deepEqual(qkv.targets.map((t: { name: string; sourceRows: number[] }) => [t.name, t.sourceRows]), [
      ['encoder.layer.1.attention.attention.query.weight', [0, 192]],
      ['encoder.layer.1.attention.attention.key.weight', [192, 384]],
      ['encoder.layer.1.attention.attention.value.weight', [384, 576]],
    ]);
    assert.equal(report.detection.pretrainGrid.source, 'weights');
    assert.equal(report.verification.verified, true);
    const md = readFileSync(join(dir, 'pre-hf', 'conversion-report.md'), 'utf8');
    assert.match(md, /\| `module.mask_embed` \| dropped \| SSAST mask token, used only in pretraining \|/);
    assert.deepEqual(readdirSync(join(dir, 'pre-hf')).sort(),
      ['config.json', 'conversion-report.json', 'conversion-report.md', 'model.safetensors', 'preprocessor_config.json']);
    const pre = JSON.parse(readFileSync(join(dir, 'pre-hf', 'preprocessor_config.json'), 'utf8'));
    assert.deepEqual([pre.mean, pre.std, pre.num_mel_bins, pre.max_length], [-4.2677393, 4.5689974, 128, 1024]);
  });

  it('frame model (128×2 patches) is refused with its reason, and no folder is written', async () => {
    const run = await convert('frame', [join(dir, 'frame.pth'), '--out', join(dir, 'frame-hf')]);
    assert.equal(run.code, 3);
    assert.equal(run.stderr.trim().split('\n').length, 1);
    assert.match(run.stderr, /frame model: patch_embed\.proj\.weight is \[192,1,128,2\] \(128×2 patches\); HF AST only has square patches/);
    assert.equal(existsSync(join(dir, 'frame-hf')), false);
  });

  it('nokd model is refused (no folder written) unless --allow-nokd, which duplicates the class token', async () => {
    const run = await convert('nokd', [join(dir, 'nokd.pth'), '--out', join(dir, 'nokd-hf')]);
    assert.equal(run.code, 3);
    assert.match(run.stderr, /no distillation token \(nokd model\)/);
    assert.equal(run.stderr.trim().split('\n').length, 1);
    assert.match(run.stderr, /allow the nokd adaptation: .*; rerun with --allow-nokd to accept this$/m);
    assert.equal(existsSync(join(dir, 'nokd-hf')), false);
    assert.deepEqual(torchSays.nokd, { distIsCls: true, posRows: true }, 'with --allow-nokd: cls duplicated, positions kept');
    assert.match(runs['nokd-allowed']!.stdout, /warning: nokd adaptation/);
    const json = await convert('nokd-json', [join(dir, 'nokd.pth'), '--out', join(dir, 'nokd-hf'), '--json']);
    assert.equal(json.code, 3);
    const refusal = JSON.parse(json.stdout);
    assert.deepEqual([refusal.status, refusal.code], ['refused', 'nokd']);
    assert.match(refusal.hint, /--allow-nokd/);
  });

  it('an existing destination is refused without --force and replaced with it', async () => {
    const out = join(dir, 'pre-hf');
    const before = readFileSync(join(out, 'model.safetensors'));
    const refused = await convert('exists', [join(dir, 'pre.pth'), '--out', out, '--dtype', 'float16']);
    assert.equal(refused.code, 4);
    assert.match(refused.stderr, /already exists/);
    assert.deepEqual(readFileSync(join(out, 'model.safetensors')), before);
    const forced = await convert('force', [join(dir, 'pre.pth'), '--out', out, '--dtype', 'float16', '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.ok(readFileSync(join(out, 'model.safetensors')).length < before.length);
    assert.deepEqual(readdirSync(dir).filter((n) => n.includes('.partial-') || n.includes('.replaced-')), []);
  });

  it('--dry-run --json prints the plan and writes nothing', async () => {
    const run = await convert('dry', [join(dir, 'ft.pth'), '--out', join(dir, 'dry-hf'), '--dry-run', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const plan = JSON.parse(run.stdout);
    assert.equal(plan.status, 'planned');
    assert.equal(plan.model, 'ASTForAudioClassification');
    assert.equal(plan.tensors, 5 + 2 * 16 + 2 + 4);
    assert.equal(existsSync(join(dir, 'dry-hf')), false);
  });

  it('invalid options are refused with the field named', async () => {
    const run = await convert('bad', [join(dir, 'pre.pth'), '--out', join(dir, 'bad-hf'), '--patch-size', '10', '--num-attention-heads', '5']);
    assert.equal(run.code, 3);
    assert.match(run.stderr, /patchSize must be 16/);
    assert.match(run.stderr, /numAttentionHeads must divide the hidden size 192/);
    assert.equal(existsSync(join(dir, 'bad-hf')), false);
  });

  it('a stride larger than the patch is refused in one line, as any invalid option, and no folder is written', async () => {
    const run = await convert('stride32', [join(dir, 'pre.pth'), '--out', join(dir, 'stride32-hf'), '--frequency-stride', '32']);
    assert.equal(run.code, 3);
    assert.equal(run.stderr.trim().split('\n').length, 1);
    assert.match(run.stderr, /invalid options: frequencyStride 32 is larger than the patch size 16/);
    assert.equal(existsSync(join(dir, 'stride32-hf')), false);
  });
});
