import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import { openFileSource } from '../../../src/node/nodeFileSource';
import { openCheckpoint } from '../../../src/core/openCheckpoint';
import { mapCheckpoint } from '../../../src/ast/mapping';
import { CheckpointKeys, type KeyLookupHit } from '../../../src/extension/hover/checkpointKeys';
import { fixturesDir } from '../../harness/paths';
import { writeSsastSample, type TorchTensorFacts } from '../../helpers/ssastSample';
import { runPython, runPythonJson, tempDir } from '../../helpers/torch';

async function keysOf(path: string): Promise<CheckpointKeys> {
  const source = await openFileSource(path);
  try {
    const index = await openCheckpoint(source);
    return new CheckpointKeys(index, mapCheckpoint(index));
  } finally {
    await source.close();
  }
}

function expectKind<K extends KeyLookupHit['kind']>(hit: KeyLookupHit | undefined, kind: K): Extract<KeyLookupHit, { kind: K }> {
  assert.equal(hit?.kind, kind, `expected a ${kind} hit, got ${hit?.kind ?? 'nothing'}`);
  return hit as Extract<KeyLookupHit, { kind: K }>;
}

describe('CheckpointKeys on a torch-written SSAST checkpoint', () => {
  const tmp = tempDir('hover-keys-');
  let facts: Record<string, TorchTensorFacts>;
  let plain: CheckpointKeys;
  let nested: CheckpointKeys;

  before(async () => {
    const plainPath = join(tmp.dir, 'ssast-tiny.pth');
    const nestedPath = join(tmp.dir, 'nested.pth');
    facts = await writeSsastSample(fixturesDir(), plainPath);
    // The same weights the way training scripts often save them: nested, without `module.`.
    await runPython(
      'import sys, torch\nsd = torch.load(sys.argv[1])\n' +
        'torch.save({"epoch": 3, "model": {k[len("module."):]: v for k, v in sd.items()}}, sys.argv[2])',
      [plainPath, nestedPath],
    );
    plain = await keysOf(plainPath);
    nested = await keysOf(nestedPath);
  });
  after(() => tmp.cleanup());

  const QKV = 'module.v.blocks.0.attn.qkv.weight';

  it('finds a key with or without `module.` and behind any nesting, with torch’s dtype, shape and size', () => {
    const torchQkv = facts[QKV] as TorchTensorFacts;
    for (const written of [QKV, 'v.blocks.0.attn.qkv.weight', 'state_dict.module.v.blocks.0.attn.qkv.weight']) {
      const hit = expectKind(plain.lookup(written), 'key');
      assert.equal(hit.tensor.name, QKV, written);
      assert.equal(hit.tensor.dtype, torchQkv.dtype);
      assert.deepEqual(hit.tensor.shape, torchQkv.shape);
      assert.equal(hit.tensor.numel, torchQkv.numel);
      assert.equal(hit.tensor.bytes, torchQkv.bytes);
    }
    for (const written of ['module.v.blocks.{i}.attn.qkv.weight', 'module.v.blocks.%d.attn.qkv.weight']) {
      assert.equal(expectKind(plain.lookup(written), 'key').tensor.name, QKV, `a key template reads as block 0: ${written}`);
    }
    for (const written of [QKV, 'model.v.blocks.0.attn.qkv.weight', 'v.blocks.0.attn.qkv.weight']) {
      assert.equal(expectKind(nested.lookup(written), 'key').tensor.name, 'model.v.blocks.0.attn.qkv.weight', written);
    }
  });

  it('lists the query/key/value targets of a fused qkv with their source rows', () => {
    const d = (facts[QKV] as TorchTensorFacts).shape[0] as number / 3;
    const hit = expectKind(plain.lookup(QKV), 'key');
    assert.equal(hit.mapping?.status, 'mapped');
    assert.deepEqual(
      hit.mapping?.targets.map((t) => [t.name, t.shape, t.sourceRows]),
      ['query', 'key', 'value'].map((part, i) => [`encoder.layer.0.attention.attention.${part}.weight`, [d, d], [i * d, (i + 1) * d]]),
    );
  });

  it('answers an HF name, with or without the classifier prefix, with the source slice', () => {
    const d = (facts['module.v.blocks.1.attn.qkv.bias'] as TorchTensorFacts).shape[0] as number / 3;
    for (const written of ['encoder.layer.1.attention.attention.value.bias', 'audio_spectrogram_transformer.encoder.layer.1.attention.attention.value.bias']) {
      const hit = expectKind(plain.lookup(written), 'hf');
      assert.equal(hit.tensor.name, 'module.v.blocks.1.attn.qkv.bias');
      assert.deepEqual(hit.target.sourceRows, [2 * d, 3 * d]);
    }
  });

  it('summarizes a module prefix from the tensors under it', () => {
    const under = Object.entries(facts).filter(([k]) => k.startsWith('module.v.blocks.1.'));
    const hit = expectKind(plain.lookup('module.v.blocks.1'), 'module');
    assert.equal(hit.summary.tensors, under.length);
    assert.equal(hit.summary.params, under.reduce((s, [, f]) => s + f.numel, 0));
    assert.equal(hit.summary.bytes, under.reduce((s, [, f]) => s + f.bytes, 0));
    assert.deepEqual([...hit.summary.children].sort(), [...new Set(under.map(([k]) => k.split('.')[4]))].sort());
    assert.equal(expectKind(nested.lookup('module.v.blocks.1'), 'module').summary.tensors, under.length);
  });

  it('says why a pretext-head key is dropped', () => {
    const hit = expectKind(plain.lookup('module.cpredlayer.0.weight'), 'key');
    assert.equal(hit.mapping?.status, 'dropped');
    assert.ok((hit.mapping?.reason ?? '').length > 0);
  });

  it('answers keys of a checkpoint that is no AST model with the tensor alone', async () => {
    const path = join(tmp.dir, 'mlp.pth');
    const shape = await runPythonJson<number[]>(
      'import sys, torch\nfrom torch import nn\nm = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))\n' +
        'torch.save(m.state_dict(), sys.argv[1])\nprint(list(m.state_dict()["2.weight"].shape))',
      [path],
    );
    const keys = await keysOf(path);
    const hit = expectKind(keys.lookup('model.2.weight'), 'key');
    assert.deepEqual(hit.tensor.shape, shape);
    assert.equal(hit.mapping, undefined, 'no "no rule knows this key" noise for a model that is not AST');
  });

  it('answers nothing for strings that name no key, HF name or module', () => {
    for (const written of ['unrelated.string', 'v', 'module', 'blocks.0.attn.qkv.weight', 'module.v.blocks.99', '', 'cuda:0']) {
      assert.equal(plain.lookup(written), undefined, written);
    }
  });
});
