// Key alignment on listings alone: exact names first, then names under another wrapper prefix (only when one
// tensor per side carries the bare name), then the pluggable rule aligner on what is left.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { alignTensors, bareName, type RuleAligner } from '../../../src/core/compare/alignment';
import type { TensorInfo } from '../../../src/core/tensors/tensorInfo';

/** A listing entry as the readers make it; only name and path matter to alignment. */
function tensor(name: string, path: readonly string[] = [name]): TensorInfo {
  return {
    name, path, dtype: 'float32', shape: [2], stride: [1], storageOffset: 0, numel: 2, bytes: 8, byteRange: [0, 8],
    storage: { key: name, dtype: 'float32', numel: 2, byteStart: 0, byteLength: 8 },
  };
}

const names = (ts: readonly TensorInfo[]): string[] => ts.map((t) => t.name);

describe('alignTensors', () => {
  it('pairs exact names, then wrapper prefixes; the rest is only in one file', () => {
    const a = [tensor('module.v.x'), tensor('y'), tensor('module.z'), tensor('only.a')];
    const b = [tensor('y'), tensor('state_dict.v.x', ['state_dict', 'v.x']), tensor('model.module.z'), tensor('only.b')];
    const got = alignTensors(a, b);
    assert.deepEqual(got.pairs.map((p) => [p.a.tensor.name, p.b.tensor.name, p.via]), [
      ['y', 'y', 'name'],
      ['module.v.x', 'state_dict.v.x', 'prefix'],
      ['module.z', 'model.module.z', 'prefix'],
    ]);
    assert.deepEqual(names(got.onlyInA), ['only.a']);
    assert.deepEqual(names(got.onlyInB), ['only.b']);
  });

  it('leaves a bare name that two tensors of one side share unpaired', () => {
    const got = alignTensors([tensor('module.w'), tensor('model.w')], [tensor('state_dict.w')]);
    assert.deepEqual(got.pairs, []);
    assert.deepEqual(names(got.onlyInA), ['module.w', 'model.w']);
  });

  it('hands the leftovers to the rule aligner; what it pairs or drops is no longer only in one file', () => {
    const seen: string[][] = [];
    const rules: RuleAligner = (a, b) => {
      seen.push(names(a), names(b));
      return { pairs: [{ a: { tensor: a[0]!, rows: [0, 1] }, b: { tensor: b[0]! }, via: 'qkv-slice' }], dropped: [{ side: 'a', tensor: a[1]!, reason: 'pretext head' }] };
    };
    const got = alignTensors([tensor('same'), tensor('qkv'), tensor('head'), tensor('extra')], [tensor('same'), tensor('query')], rules);
    assert.deepEqual(seen, [['qkv', 'head', 'extra'], ['query']]);
    assert.deepEqual(got.pairs.map((p) => [p.a.tensor.name, p.b.tensor.name, p.via]), [['same', 'same', 'name'], ['qkv', 'query', 'qkv-slice']]);
    assert.deepEqual(got.dropped.map((d) => d.tensor.name), ['head']);
    assert.deepEqual(names(got.onlyInA), ['extra']);
    assert.deepEqual(got.onlyInB, []);
  });

  it('strips every leading wrapper, never the whole name', () => {
    assert.equal(bareName('state_dict.module.v.cls_token'), 'v.cls_token');
    assert.equal(bareName('model.model.layer.0'), 'layer.0');
    assert.equal(bareName('module.'), 'module.');
    assert.equal(bareName('modules.x'), 'modules.x');
  });
});
