import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TensorRow } from '../../../src/protocol/messages';
import { packRows, unpackRows } from '../../../src/protocol/packedRows';

const rows: TensorRow[] = [
  {
    name: 'module.v.blocks.0.attn.qkv.weight', dtype: 'float32', shape: [576, 192], stride: [192, 1], storageOffset: 0, storageKey: '12',
    numel: 110592, bytes: 442368, byteRange: [4096, 446464], status: 'mapped',
    targets: ['query', 'key', 'value'].map((p, i) => ({ name: `encoder.layer.0.attention.attention.${p}.weight`, shape: [192, 192], sourceRows: [i * 192, (i + 1) * 192] as const, transform: 'split-qkv' })),
  },
  { name: 'module.p_input_fdim', dtype: 'int64', shape: [], stride: [], storageOffset: 3, storageKey: '1', numel: 1, bytes: 8, byteRange: [10, 18], status: 'dropped', targets: [], reason: 'pretraining input size' },
  { name: 'x.y', dtype: 'bfloat16', shape: [2, 3, 4], stride: [1, 2, 6], storageOffset: 7, storageKey: '2', numel: 24, bytes: 48, byteRange: [0, 100], status: 'unknown', targets: [], reason: 'pretraining input size' },
  { name: 'z', dtype: 'float16', shape: [5], stride: [1], storageOffset: 2 ** 40, storageKey: '3', numel: 5, bytes: 10, byteRange: [2 ** 41, 2 ** 41 + 10], status: 'unknown', targets: [] },
  {
    name: 'sparse', dtype: 'float32', shape: [2, 3], stride: [3, 1], storageOffset: 0, storageKey: '4', numel: 6, bytes: 60, byteRange: [0, 12], status: 'unknown', targets: [],
    layout: 'sparse_coo, nnz=3, indices int64 [2, 3]', unreadable: 'a sparse_coo tensor is stored as indices and values',
  },
  { name: 'q', dtype: 'qint8', shape: [3], stride: [1], storageOffset: 0, storageKey: '5', numel: 3, bytes: 3, byteRange: [0, 3], status: 'unknown', targets: [], layout: 'per-tensor affine, scale=0.1, zero_point=2' },
];

describe('packed rows', () => {
  it('round-trips every field, scalars, non-contiguous strides, offsets past 4 GiB, layouts and unreadable reasons', () => {
    assert.deepEqual(unpackRows(packRows(rows)), rows);
  });

  it('sends repeated strings once', () => {
    const packed = packRows(rows);
    assert.deepEqual(packed.reasons, ['pretraining input size']);
    assert.deepEqual(packed.dtypes, ['float32', 'int64', 'bfloat16', 'float16', 'qint8']);
    assert.equal(packed.layouts.length, 2);
    assert.equal(packed.targets.length, 1);
  });

  it('is less than half the size of the row objects for 100 000 tensors', () => {
    const many: TensorRow[] = Array.from({ length: 100_000 }, (_, i) => ({
      name: `model.layers.${i / 100 | 0}.experts.${i % 100}.weight`, dtype: 'float32', shape: [4, 2], stride: [2, 1], storageOffset: 0,
      storageKey: String(i), numel: 8, bytes: 32, byteRange: [i * 64, i * 64 + 32], status: 'unknown', targets: [], reason: 'no rule knows this key',
    }));
    const packed = packRows(many);
    const binary = [packed.dtypeIndex, packed.ndim, packed.dims, packed.strides, packed.bytes, packed.storageOffset, packed.byteStart, packed.byteEnd, packed.status, packed.reasonIndex]
      .reduce((s, a) => s + a.byteLength, 0);
    const packedSize = binary + JSON.stringify([packed.names, packed.storageKeys, packed.reasons, packed.targets]).length;
    const objectSize = JSON.stringify(many).length;
    assert.ok(packedSize * 2 < objectSize, `packed ${packedSize} bytes vs ${objectSize} as objects`);
    assert.deepEqual(unpackRows(packed)[99_999], many[99_999]);
  });
});
