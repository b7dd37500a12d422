// The unpickler keeps torch's per-tensor `_rebuild_tensor_v2` call in a compact form only when its
// arguments are exactly what torch.save writes; anything else stays a generic call for the torch layer.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { concat, op, rebuildTensor, storagePid } from '../../hostile/hostileBytes';
import { unpickle } from '../../../src/core/pickle/unpickler';
import type { PyTensorCall, PyValue } from '../../../src/core/pickle/values';

const ctx = { file: 'calls.pkl' };

/** A protocol-2 pickle of a list of the given values. */
function listOf(...values: Uint8Array[]): PyValue[] {
  const { value } = unpickle(concat(op.proto, op.emptyList, ...values.flatMap((v) => [v, op.append]), op.stop), ctx);
  assert.ok(typeof value === 'object' && value !== null && value.kind === 'list');
  return value.items;
}

function kindOf(value: PyValue | undefined): string {
  return typeof value === 'object' && value !== null ? value.kind : typeof value;
}

function asTensorCall(value: PyValue | undefined): PyTensorCall {
  assert.equal(kindOf(value), 'tensor-call');
  return value as PyTensorCall;
}

describe('compact tensor calls', () => {
  it('a well-formed _rebuild_tensor_v2 becomes a tensor-call; equal shapes in a row share one frozen array', () => {
    const [a, b, c] = listOf(
      rebuildTensor(storagePid('0', 24), 4n, [2n, 3n], [3n, 1n]),
      rebuildTensor(storagePid('1', 6), 0n, [2n, 3n], [1n, 2n]),
      rebuildTensor(storagePid('2', 1), 0n, [], []),
    ).map(asTensorCall);
    assert.deepEqual([a!.storageOffset, [...a!.shape], [...a!.stride]], [4, [2, 3], [3, 1]]);
    assert.equal(a!.storage.kind, 'storage-pid');
    assert.equal(b!.shape, a!.shape, 'same size as the previous call: the same array');
    assert.deepEqual([...b!.stride], [1, 2]);
    assert.ok(Object.isFrozen(a!.shape) && Object.isFrozen(b!.stride));
    assert.deepEqual([c!.shape.length, c!.stride.length], [0, 0]);
  });

  it('any other form stays a generic call', () => {
    const listSize = concat(
      op.global('torch._utils', '_rebuild_tensor_v2'), op.mark, storagePid('0', 6), op.long(0n),
      op.emptyList, op.long(6n), op.append, op.mark, op.long(1n), op.tuple, op.false, op.tuple, op.reduce,
    );
    const calls = listOf(
      rebuildTensor(storagePid('0', 6), -1n, [6n], [1n]),
      rebuildTensor(storagePid('0', 6), 0n, [2n, 3n], [1n]),
      rebuildTensor(storagePid('0', 6), 0n, [-2n], [1n]),
      rebuildTensor(storagePid('0', 6), 0n, [2n ** 60n], [1n]),
      rebuildTensor(op.str('not a storage'), 0n, [6n], [1n]),
      listSize,
      concat(op.global('torch._utils', '_rebuild_tensor'), op.mark, storagePid('0', 6), op.long(0n), op.mark, op.long(6n), op.tuple, op.mark, op.long(1n), op.tuple, op.tuple, op.reduce),
    );
    assert.equal(calls.length, 7);
    assert.deepEqual(calls.map(kindOf), Array(7).fill('object'));
  });
});
