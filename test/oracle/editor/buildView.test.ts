import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { detectModel } from '../../../src/ast/detect';
import { mapCheckpoint } from '../../../src/ast/mapping';
import type { ByteSource } from '../../../src/core/io/byteSource';
import { openFileSource } from '../../../src/node/nodeFileSource';
import { openCheckpoint } from '../../../src/core/openCheckpoint';
import { allowlistSnippet, buildCheckpointView, buildErrorView } from '../../../src/worker/view/buildView';
import { detectionFacts } from '../../../src/worker/view/detectionFacts';
import type { CheckpointView } from '../../../src/protocol/messages';
import { projectFixturesDir, writeSsastSample, type TorchTensorFacts } from '../../helpers/ssastSample';
import { runPython, runPythonJson, tempDir } from '../../helpers/torch';

async function viewOf(path: string): Promise<CheckpointView> {
  const source: ByteSource = await openFileSource(path);
  try {
    const index = await openCheckpoint(source);
    const detection = await detectModel(index, source).then(detectionFacts);
    return buildCheckpointView({ file: { name: 'f.pth', uri: path }, index, mapping: mapCheckpoint(index), detection, loadMs: 0 });
  } finally {
    await source.close();
  }
}

describe('editor view model of an SSAST-Tiny pretraining checkpoint', () => {
  const tmp = tempDir('editor-view-');
  const file = join(tmp.dir, 'tiny.pth');
  let torch: Record<string, TorchTensorFacts>;
  let pInput: { f: number; t: number };
  let view: CheckpointView;

  before(async () => {
    torch = await writeSsastSample(projectFixturesDir(), file);
    pInput = await runPythonJson(`
import json, sys, torch
sd = torch.load(sys.argv[1])
print(json.dumps({"f": int(sd["module.p_input_fdim"]), "t": int(sd["module.p_input_tdim"])}))`, [file]);
    view = await viewOf(file);
  });
  after(() => tmp.cleanup());

  it('lists every tensor torch sees, in file order, with dtype, shape and size', () => {
    assert.deepEqual(view.rows.map((r) => r.name), Object.keys(torch));
    for (const r of view.rows) {
      const t = torch[r.name]!;
      assert.deepEqual([r.dtype, r.shape, r.numel, r.bytes], [t.dtype, t.shape, t.numel, t.bytes], r.name);
    }
    assert.equal(view.parameterCount, Object.values(torch).reduce((s, t) => s + t.numel, 0));
    const float32 = Object.values(torch).filter((t) => t.dtype === 'float32');
    assert.deepEqual(view.dtypeMix.find((d) => d.dtype === 'float32'), { dtype: 'float32', tensors: float32.length, bytes: float32.reduce((s, t) => s + t.bytes, 0) });
  });

  it('marks pretext heads dropped with a reason and splits qkv into three targets', () => {
    for (const r of view.rows.filter((x) => x.name.startsWith('module.gpredlayer.'))) {
      assert.equal(r.status, 'dropped');
      assert.ok(r.reason && r.reason.length > 5, `${r.name} has no reason`);
    }
    const qkv = view.rows.find((r) => r.name === 'module.v.blocks.0.attn.qkv.weight')!;
    const d = torch['module.v.blocks.0.attn.qkv.weight']!.shape[1]!;
    assert.deepEqual(qkv.targets.map((t) => [t.name, t.shape]), [
      ['encoder.layer.0.attention.attention.query.weight', [d, d]],
      ['encoder.layer.0.attention.attention.key.weight', [d, d]],
      ['encoder.layer.0.attention.attention.value.weight', [d, d]],
    ]);
    assert.ok(!('error' in view.mapping));
    const counts = 'error' in view.mapping ? undefined : view.mapping.counts;
    assert.match(
      'error' in view.mapping ? '' : view.mapping.coverage,
      new RegExp(`^${counts!.mapped} of ${view.rows.length} tensors map to HF AST; ${counts!.dropped} dropped: .*pretext head`),
    );
  });

  it('breaks pos_embed into cls tokens and the grid that torch\'s pretraining input size gives', () => {
    const pos = view.posEmbed!;
    assert.equal(pos.rows, torch['module.v.pos_embed']!.shape[1]);
    assert.equal(pos.clsTokens, 2);
    assert.equal(pos.patches, pos.rows - 2);
    const patch = torch['module.v.patch_embed.proj.weight']!.shape.slice(2) as [number, number];
    assert.deepEqual(pos.grid, { f: pInput.f / patch[0], t: pInput.t / patch[1] });
    assert.deepEqual(pos.layouts[0], { stride: patch, melBins: pInput.f, frames: pInput.t });
  });

  it('shows the file as weights-only safe', () => {
    assert.equal(view.safety.verdict, 'safe');
    assert.equal(view.safety.allowlistSnippet, undefined);
  });
});

describe('editor view model of unusual files', () => {
  it('offers an add_safe_globals line for a checkpoint holding argparse.Namespace, valid Python', async () => {
    const tmp = tempDir('editor-view-');
    try {
      const file = join(tmp.dir, 'with-args.pth');
      await runPython(`
import argparse, sys, torch
torch.save({"model": {"w": torch.ones(2)}, "args": argparse.Namespace(lr=0.1), "epoch": 3}, sys.argv[1])`, [file]);
      const view = await viewOf(file).catch(async () => {
        // Detection may refuse a non-AST file; the view must still carry the safety facts.
        const source = await openFileSource(file);
        try {
          const index = await openCheckpoint(source);
          return buildCheckpointView({ file: { name: 'f', uri: file }, index, mapping: mapCheckpoint(index), detection: new Error('not AST'), loadMs: 0 });
        } finally {
          await source.close();
        }
      });
      assert.equal(view.safety.verdict, 'not-weights-only');
      const snippet = view.safety.allowlistSnippet ?? '';
      assert.match(snippet, /^import torch\nimport argparse\ntorch\.serialization\.add_safe_globals\(\[argparse\.Namespace\]\)$/);
      // torch 1.13 predates add_safe_globals; the line must at least compile and name a real class.
      const resolved = await runPython(`${snippet.split('\n').slice(0, 2).join('\n')}\nimport sys\ncompile(sys.argv[1], 'snippet', 'exec')\nprint(argparse.Namespace.__name__)`, [snippet]);
      assert.equal(resolved.trim(), 'Namespace');
      assert.ok(view.rows.some((r) => r.name === 'model.w'));
    } finally {
      tmp.cleanup();
    }
  });

  it('writes builtins without their module in the allowlist line', () => {
    assert.equal(allowlistSnippet(['builtins.set', 'collections.Counter']), 'import torch\nimport collections\ntorch.serialization.add_safe_globals([set, collections.Counter])');
  });

  it('keeps the offset and entry of a core error', async () => {
    const tmp = tempDir('editor-view-');
    try {
      const file = join(tmp.dir, 'cut.pth');
      const sample = join(tmp.dir, 'sample.pth');
      await writeSsastSample(projectFixturesDir(), sample);
      await runPython('import sys; d = open(sys.argv[1], "rb").read(); open(sys.argv[2], "wb").write(d[: len(d) // 2])', [sample, file]);
      const source = await openFileSource(file);
      const err = await openCheckpoint(source).then(() => undefined, (e: unknown) => e);
      await source.close();
      const view = buildErrorView({ name: 'cut.pth', uri: file }, err);
      assert.ok(err instanceof Error);
      assert.equal(view.message, err.message);
      assert.equal(view.errorName, err.name);
      assert.equal(view.offset, (err as { offset?: number }).offset);
    } finally {
      tmp.cleanup();
    }
  });
});
