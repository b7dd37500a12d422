import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TensorRow } from '../../../src/protocol/messages';
import { compileFilter, globTest, queryRows } from '../../../webview/model/rowQuery';

function row(name: string, shape: number[], status: TensorRow['status'] = 'mapped', targets: string[] = []): TensorRow {
  const numel = shape.reduce((a, b) => a * b, 1);
  return {
    name,
    dtype: 'float32',
    shape,
    stride: [],
    storageOffset: 0,
    storageKey: '0',
    numel,
    bytes: numel * 4,
    byteRange: [0, numel * 4],
    status,
    targets: targets.map((t) => ({ name: t, shape, transform: 'copy' })),
  };
}

const rows = [
  row('module.v.blocks.10.attn.qkv.weight', [576, 192], 'mapped', ['encoder.layer.10.attention.attention.query.weight']),
  row('module.v.blocks.2.attn.qkv.weight', [576, 192], 'mapped', ['encoder.layer.2.attention.attention.query.weight']),
  row('module.gpredlayer.0.weight', [192, 192], 'dropped'),
  row('module.v.cls_token', [1, 1, 192], 'mapped', ['embeddings.cls_token']),
  row('module.extra', [3], 'unknown'),
];
const names = (indices: number[]) => indices.map((i) => rows[i]!.name);

describe('row filter', () => {
  it('matches substrings case-insensitively in names and HF targets', () => {
    assert.deepEqual(names(queryRows(rows, { filter: 'QKV', onlyUnmapped: false })), [rows[0]!.name, rows[1]!.name]);
    assert.deepEqual(names(queryRows(rows, { filter: 'embeddings.cls', onlyUnmapped: false })), ['module.v.cls_token']);
  });

  it('treats *, ? and [..] as a glob over the whole name', () => {
    assert.equal(globTest('module.*.weight')('module.v.blocks.2.attn.qkv.weight'), true);
    assert.equal(globTest('*.qkv')('module.v.blocks.2.attn.qkv.weight'), false);
    assert.equal(globTest('module.v.blocks.?.attn.*')('module.v.blocks.2.attn.qkv.weight'), true);
    assert.equal(globTest('module.v.blocks.?.attn.*')('module.v.blocks.10.attn.qkv.weight'), false);
    assert.equal(globTest('module.[gc]predlayer.*')('module.gpredlayer.0.weight'), true);
    assert.equal(globTest('module.[!g]predlayer.*')('module.gpredlayer.0.weight'), false);
    assert.equal(compileFilter('  ')(rows[0]!), true);
  });

  it('keeps only dropped and unknown rows when asked', () => {
    assert.deepEqual(names(queryRows(rows, { filter: '', onlyUnmapped: true })), ['module.gpredlayer.0.weight', 'module.extra']);
  });
});

describe('row sort', () => {
  it('sorts names naturally (blocks.2 before blocks.10) and reverses', () => {
    const asc = names(queryRows(rows, { filter: 'blocks', onlyUnmapped: false, sort: { key: 'name', dir: 'asc' } }));
    assert.deepEqual(asc, ['module.v.blocks.2.attn.qkv.weight', 'module.v.blocks.10.attn.qkv.weight']);
    const desc = names(queryRows(rows, { filter: 'blocks', onlyUnmapped: false, sort: { key: 'name', dir: 'desc' } }));
    assert.deepEqual(desc, [...asc].reverse());
  });

  it('sorts by size with file order breaking ties', () => {
    const bySize = queryRows(rows, { filter: '', onlyUnmapped: false, sort: { key: 'bytes', dir: 'desc' } });
    assert.deepEqual(bySize, [0, 1, 2, 3, 4]);
    const ascending = queryRows(rows, { filter: '', onlyUnmapped: false, sort: { key: 'bytes', dir: 'asc' } });
    assert.deepEqual(ascending, [4, 3, 2, 0, 1]);
  });

  it('sorts by mapping status, mapped first', () => {
    const byTarget = queryRows(rows, { filter: '', onlyUnmapped: false, sort: { key: 'target', dir: 'asc' } });
    assert.deepEqual(byTarget.map((i) => rows[i]!.status), ['mapped', 'mapped', 'mapped', 'dropped', 'unknown']);
  });

  // How long this takes is a benchmark (bench/row-query.ts), not a unit test: timings depend on the machine.
  it('filters 100 000 rows to the 11 that match, largest first', () => {
    const many = Array.from({ length: 100_000 }, (_, i) => row(`layer.${i}.weight`, [i % 97 + 1]));
    const kept = queryRows(many, { filter: 'layer.9999', onlyUnmapped: false, sort: { key: 'bytes', dir: 'desc' } });
    // Row i holds (i % 97 + 1) floats: by size descending, ties in file order.
    const matching = [9999, ...Array.from({ length: 10 }, (_, d) => 99_990 + d)];
    const expected = matching.sort((a, b) => (b % 97) - (a % 97) || a - b);
    assert.deepEqual(kept, expected);
  });
});
