// Plain pickles whose tensors embed torch.save files (torch.storage._load_from_bytes), built byte by byte:
// the nested storage becomes the tensor's at its place in the outer file; a nested payload makes the outer
// file dangerous; bytes nested too deep to scan are not trusted; a persistent id (which pickle.load refuses)
// ends in an error that still carries the verdict.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { concat, legacyTorch, op, rebuildTensor, SIX_FLOATS, storagePid } from '../../hostile/hostileBytes';
import { CheckpointError } from '../../../src/core/errors';
import { memorySource } from '../../../src/core/io/memorySource';
import { openCheckpoint } from '../../../src/core/openCheckpoint';
import { readTensor } from '../../../src/core/tensors/tensorReader';

/** BINBYTES: protocol 3's bytes literal, kept as it is in the file. */
const binbytes = (b: Uint8Array) => concat([0x42], new Uint8Array(new Uint32Array([b.length]).buffer), b);
const loadFromBytes = (blob: Uint8Array) => concat(op.global('torch.storage', '_load_from_bytes'), op.mark, binbytes(blob), op.tuple, op.reduce);
/** _rebuild_tensor_v2(<storage expression>, 0, (2, 3), (3, 1), False, OrderedDict()) */
const tensorOf = (storage: Uint8Array) => concat(
  op.global('torch._utils', '_rebuild_tensor_v2'), op.mark, storage, op.int(0), op.mark, op.int(2), op.int(3), op.tuple,
  op.mark, op.int(3), op.int(1), op.tuple, op.false, op.global('collections', 'OrderedDict'), op.emptyTuple, op.reduce, op.tuple, op.reduce,
);
const plain = (body: Uint8Array) => concat([0x80, 3], body, op.stop);
/** A legacy torch.save of one storage: what StorageBase.__reduce__ writes into the bytes. */
// null: the legacy format's None view (storagePid writes N for it).
const savedStorage = () => legacyTorch(concat(op.proto, storagePid('0', 6, null as never), op.stop));

const open = (bytes: Uint8Array) => openCheckpoint(memorySource('outer.pkl', bytes));

describe('embedded torch.save bytes in a plain pickle', () => {
  it('the embedded storage becomes the tensor, read at its place in the outer file', async () => {
    const bytes = plain(concat(op.emptyDict, op.str('w'), tensorOf(loadFromBytes(savedStorage())), op.setitem));
    const index = await open(bytes);
    assert.equal(index.format, 'pickle');
    const [w] = index.tensors;
    assert.deepEqual([w?.name, w?.dtype, [...w!.shape]], ['w', 'float32', [2, 3]]);
    const values = await readTensor(memorySource('outer.pkl', bytes), w!);
    assert.deepEqual([...new Float32Array(values.slice().buffer)], [...new Float32Array(SIX_FLOATS.buffer)]);
    assert.equal(index.safety.globals.find((g) => g.name === 'torch.storage._load_from_bytes')?.verdict, 'not-weights-only');
  });

  it('a payload inside the embedded bytes makes the outer file dangerous, even when the call result is dropped', async () => {
    const payload = plain(concat(op.global('os', 'system'), op.mark, op.str('touch x'), op.tuple, op.reduce));
    const index = await open(plain(concat(loadFromBytes(payload), op.pop, op.emptyDict)));
    assert.equal(index.safety.verdict, 'dangerous');
    assert.equal(index.safety.globals.find((g) => g.name === 'os.system')?.verdict, 'dangerous');
  });

  it('bytes nested deeper than the reader scans are not trusted: _load_from_bytes is dangerous, with the reason', async () => {
    let blob = plain(concat(op.emptyDict));
    for (let i = 0; i < 6; i++) blob = plain(concat(loadFromBytes(blob), op.pop, op.emptyDict));
    const index = await open(blob);
    const loader = index.safety.globals.find((g) => g.name === 'torch.storage._load_from_bytes');
    assert.equal(index.safety.verdict, 'dangerous');
    assert.equal(loader?.verdict, 'dangerous');
    assert.match(loader?.reason ?? '', /could not be scanned .*nested more than 4 deep/);
  });

  it('a persistent id in a plain pickle is an error naming it, and the error still carries the verdict', async () => {
    const bytes = plain(concat(op.emptyDict, op.str('w'), rebuildTensor(storagePid('0', 6), 0n, [6n], [1n]), op.setitem,
      op.str('p'), op.global('os', 'system'), op.setitem));
    const err = await open(bytes).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof CheckpointError, String(err));
    assert.match(err.message, /^outer\.pkl: tensor w: a plain pickle holds a persistent id, which pickle\.load refuses$/);
    assert.equal(err.safety?.verdict, 'dangerous');
  });
});
