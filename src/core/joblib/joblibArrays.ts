import type { MetaValue } from '../checkpointIndex';
import { arrayMeta, fortranStrides } from '../numpy/arrayShape';
import { PickleFormatError } from '../errors';
import { numpyDtype } from '../numpy/numpyDtype';
import { unpickle } from '../pickle/unpickler';
import { globalName, type PyObject, type PyValue } from '../pickle/values';
import { contiguousStrides, ITEMSIZE, product } from '../tensors/dtypeInfo';
import type { TensorDescription } from '../torch/tensorRebuild';

const WRAPPER = 'joblib.numpy_pickle.NumpyArrayWrapper';

/**
 * joblib.dump's arrays (joblib ≥ 0.10): each is a NumpyArrayWrapper whose BUILD state gives shape, order and
 * dtype, followed in the file by the array itself, outside the pickle's opcodes: a padding-length byte and that
 * many padding bytes when the state has `numpy_array_alignment_bytes`, then the elements in the wrapper's order;
 * object arrays are a whole protocol-2 pickle instead. joblib.load reads them from the file there; so do we,
 * listing the raw arrays and scanning the object arrays' pickles (their globals join the file's).
 */
export class JoblibArrays {
  private readonly arrays = new Map<PyObject, TensorDescription>();
  /** Object arrays and arrays of dtypes without a torch equivalent: the walk shows their wrappers in the metadata. */
  private readonly others = new Map<PyObject, MetaValue>();
  readonly globals = new Map<string, number>();
  readonly warnings: string[] = [];

  constructor(private readonly file: string) {}

  get count(): number {
    return this.arrays.size + this.others.size;
  }

  /** The PickleObserver hook: steps over the data that follows a wrapper's BUILD. */
  afterBuild(target: PyObject, bytes: Uint8Array, position: number): number {
    if (globalName(target.callee) !== WRAPPER) return position;
    const state = stateDict(target.state);
    const shape = naturals(state.get('shape'));
    const dtype = pickledDtype(state.get('dtype'));
    const fail = (problem: string): never => {
      throw new PickleFormatError(this.file, `joblib array: ${problem}`, { offset: position });
    };
    if (shape === undefined || dtype === undefined) return fail('NumpyArrayWrapper state has no shape or dtype');
    const described = numpyDtype(dtype.code, dtype.byteOrder);
    if (described.isObject) {
      const inner = unpickle(bytes, { file: this.file, observer: { afterBuild: (t, b, p) => this.afterBuild(t, b, p), called: () => undefined } }, position);
      for (const [name, count] of inner.globals) this.globals.set(name, (this.globals.get(name) ?? 0) + count);
      this.others.set(target, arrayMeta(shape, described.descr, 'object array: a pickle, scanned, not run'));
      return inner.end;
    }
    let at = position;
    if (state.has('numpy_array_alignment_bytes')) {
      if (at >= bytes.length) fail('file ends before the padding byte');
      at += 1 + bytes[at]!;
    }
    const itemsize = described.dtype === undefined ? dtype.itemsize : ITEMSIZE[described.dtype];
    const length = product(shape) * itemsize;
    if (!Number.isSafeInteger(length) || at + length > bytes.length) return fail(`${length} bytes of array data run past the end of the file`);
    if (described.dtype === undefined) {
      this.others.set(target, arrayMeta(shape, described.descr, 'dtype without a torch equivalent; not listed as a tensor'));
      return at + length;
    }
    const fortran = state.get('order') === 'F';
    const numel = product(shape);
    this.arrays.set(target, {
      dtype: described.dtype, shape, stride: fortran ? fortranStrides(shape) : contiguousStrides(shape), storageOffset: 0, isParameter: false,
      storage: { key: `joblib array at byte ${at}`, dtype: described.dtype, numel, byteStart: at, byteLength: length, ...(described.bigEndian ? { bigEndian: true } : {}) },
      ...(fortran ? { layout: 'Fortran order' } : {}),
    });
    return at + length;
  }

  tensor(obj: PyObject): TensorDescription | undefined {
    return this.arrays.get(obj);
  }
}

function stateDict(state: PyValue | undefined): Map<string, PyValue> {
  const out = new Map<string, PyValue>();
  if (typeof state === 'object' && state !== null && state.kind === 'dict') {
    for (let i = 0; i + 1 < state.keyValues.length; i += 2) {
      const key = state.keyValues[i];
      if (typeof key === 'string') out.set(key, state.keyValues[i + 1]!);
    }
  }
  return out;
}

function naturals(value: PyValue | undefined): number[] | undefined {
  if (typeof value !== 'object' || value === null || value.kind !== 'tuple') return undefined;
  const out: number[] = [];
  for (const item of value.items) {
    if (typeof item !== 'bigint' || item < 0n || item > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
    out.push(Number(item));
  }
  return out;
}

/** `numpy.dtype('f4', False, True)` with BUILD state `(3, '<', None, None, None, elsize, alignment, flags)`. */
function pickledDtype(value: PyValue | undefined): { code: string; byteOrder: string; itemsize: number } | undefined {
  if (typeof value !== 'object' || value === null || value.kind !== 'object' || !globalName(value.callee)?.endsWith('dtype')) return undefined;
  const [code] = value.args;
  if (typeof code !== 'string') return undefined;
  const state = typeof value.state === 'object' && value.state !== null && value.state.kind === 'tuple' ? value.state.items : [];
  const byteOrder = typeof state[1] === 'string' ? state[1] : '=';
  // Flexible types (strings, records) carry their item size in the state; the others in their code.
  const elsize = typeof state[5] === 'bigint' && state[5] > 0n ? Number(state[5]) : Number(/\d+$/.exec(code)?.[0] ?? 0);
  return { code, byteOrder, itemsize: elsize };
}
