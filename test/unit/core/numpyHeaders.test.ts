// .npy headers (NEP 1, versions 1.0/2.0/3.0) parsed by our own reader from hand-built bytes: the Python
// literal of the header, every version's length field, Fortran order, and one-line errors with the offset
// for malformed headers. An object array's pickle is scanned for its globals and never run.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { concat } from '../../hostile/hostileBytes';
import { NumpyFormatError } from '../../../src/core/errors';
import { memorySource } from '../../../src/core/io/memorySource';
import { openCheckpoint } from '../../../src/core/openCheckpoint';
import { parsePythonLiteral } from '../../../src/core/numpy/pythonLiteral';

/** An .npy of `version` with header text `dict` (padded to 64 as numpy pads it) and `data`. */
function npy(dict: string, data: Uint8Array, version = 1): Uint8Array {
  const lengthSize = version === 1 ? 2 : 4;
  const unpadded = 8 + lengthSize + dict.length + 1;
  const text = dict + ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const length = new Uint8Array(4);
  new DataView(length.buffer).setUint32(0, text.length, true);
  return concat([0x93], 'NUMPY', [version, 0], length.subarray(0, lengthSize), new TextEncoder().encode(text), data);
}

const floats = new Uint8Array(new Float32Array([0, 1, 2, 3, 4, 5]).buffer);

async function open(bytes: Uint8Array, name = 'a.npy') {
  return openCheckpoint(memorySource(name, bytes));
}

describe('.npy headers', () => {
  it('parses the Python literals numpy writes: dicts, tuples, strings, booleans, lists of fields', () => {
    const header = parsePythonLiteral("{'descr': [('x', '<f4'), ('y', '<i8', (2,))], 'fortran_order': False, 'shape': (3, 4), }");
    assert.ok(header instanceof Map);
    assert.deepEqual(header.get('shape'), [3, 4]);
    assert.equal(header.get('fortran_order'), false);
    assert.deepEqual(header.get('descr'), [['x', '<f4'], ['y', '<i8', [2]]]);
    assert.throws(() => parsePythonLiteral("{'shape': (3,"), /unexpected end|expected/);
    assert.throws(() => parsePythonLiteral("__import__('os')"), /unexpected/);
  });

  for (const version of [1, 2, 3]) {
    it(`version ${version}.0: lists the array from its header, data in place`, async () => {
      const bytes = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", floats, version);
      const index = await open(bytes);
      assert.equal(index.format, 'numpy');
      assert.deepEqual(index.tensors.map((t) => [t.name, t.dtype, [...t.shape], [...t.stride], t.byteRange[1] - t.byteRange[0]]), [['array', 'float32', [2, 3], [3, 1], 24]]);
      assert.equal(index.tensors[0]!.byteRange[0], bytes.length - floats.length);
      assert.equal(index.safety.verdict, 'safe');
    });
  }

  it('Fortran order gives column-major strides and says so', async () => {
    const index = await open(npy("{'descr': '>f8', 'fortran_order': True, 'shape': (2, 3), }", new Uint8Array(48)));
    const [t] = index.tensors;
    assert.deepEqual([t!.dtype, [...t!.stride], t!.layout, t!.storage.bigEndian], ['float64', [1, 2], 'Fortran order', true]);
  });

  it('an object array is not a tensor; its pickle is scanned, and a payload in it is dangerous', async () => {
    const payload = concat([0x80, 0x02], 'cos\nsystem\n', '(X', new Uint8Array(new Uint32Array([5]).buffer), 'touch', 'tR.');
    const index = await open(npy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", payload));
    assert.deepEqual(index.tensors, []);
    assert.equal(index.safety.verdict, 'dangerous');
    assert.equal(index.safety.globals[0]?.name, 'os.system');
  });

  const broken: [string, Uint8Array, RegExp][] = [
    ['version 4.0', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", floats, 4), /format version 4\.0 is not one of 1\.0, 2\.0, 3\.0 \(at byte 6\)/],
    ['a header that is code', npy("__import__('os').system('x')", floats), /header is not a Python dict literal/],
    ['no shape', npy("{'descr': '<f4', 'fortran_order': False}", floats), /shape is not a tuple of non-negative integers/],
    ['data cut short', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 3), }", floats), /needs 48 bytes of data, more than the 24 after its header/],
    ['a header longer than the file', concat([0x93], 'NUMPY', [1, 0], [0xff, 0x7f], "{'descr'"), /header of 32767 bytes runs past the end/],
  ];
  for (const [what, bytes, message] of broken) {
    it(`refuses ${what} with a one-line NumpyFormatError naming the file`, async () => {
      const err = await open(bytes, 'broken.npy').then(() => undefined, (e: unknown) => e);
      assert.ok(err instanceof NumpyFormatError, String(err));
      assert.match(err.message, /^broken\.npy: /);
      assert.match(err.message, message);
      assert.ok(!err.message.includes('\n'));
      assert.equal(err.code, 'numpy-format');
    });
  }
});
