import type { MetaValue } from '../checkpointIndex';
import { bytesOf, globalName, type PyObject, type PyValue } from '../pickle/values';

/**
 * numpy values as checkpoints hold them (best accuracy as np.float64, arrays of labels…), shown
 * as data rather than as the `_reconstruct` / `scalar` calls that pickle them.
 */
export function numpyValue(obj: PyObject): MetaValue | undefined {
  const callee = globalName(obj.callee);
  if (callee === undefined || !/^numpy\.(_?core)\.multiarray\.(scalar|_reconstruct)$/.test(callee)) return undefined;
  if (callee.endsWith('.scalar')) return numpyScalar(obj.args[0], obj.args[1]);
  // _reconstruct(ndarray, (0,), b'b') then BUILD (version, shape, dtype, is_fortran, raw bytes).
  const state = obj.state;
  if (!isKind(state, 'tuple')) return undefined;
  const [, shape, dtype, , raw] = state.items;
  if (!isKind(shape, 'tuple')) return undefined;
  const shapeMeta: MetaValue = { kind: 'tuple', items: shape.items.map((n) => ({ kind: 'int', value: String(n) })) };
  const rawLength = bytesOf(raw)?.length;
  return {
    kind: 'object',
    type: 'numpy.ndarray',
    args: [shapeMeta, { kind: 'str', value: dtypeCode(dtype) ?? '?' }, ...(rawLength === undefined ? [] : [{ kind: 'int' as const, value: String(rawLength) }])],
  };
}

function numpyScalar(dtype: PyValue | undefined, raw: PyValue | undefined): MetaValue | undefined {
  const code = dtypeCode(dtype);
  const bytes = bytesOf(raw);
  if (code === undefined || bytes === undefined) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fits = (n: number) => bytes.length === n;
  if (code === 'f8' && fits(8)) return { kind: 'float', value: view.getFloat64(0, true) };
  if (code === 'f4' && fits(4)) return { kind: 'float', value: view.getFloat32(0, true) };
  if (code === 'i8' && fits(8)) return { kind: 'int', value: view.getBigInt64(0, true).toString() };
  if (code === 'i4' && fits(4)) return { kind: 'int', value: String(view.getInt32(0, true)) };
  if (code === 'b1' && fits(1)) return { kind: 'bool', value: bytes[0] !== 0 };
  return { kind: 'object', type: 'numpy.scalar', args: [{ kind: 'str', value: code }] };
}

/** `numpy.dtype('f8', False, True)` → 'f8'. */
function dtypeCode(dtype: PyValue | undefined): string | undefined {
  if (!isKind(dtype, 'object') || !globalName(dtype.callee)?.endsWith('dtype')) return undefined;
  const [code] = dtype.args;
  return typeof code === 'string' ? code : undefined;
}

function isKind<K extends string>(value: PyValue | undefined, kind: K): value is Extract<PyValue, { kind: K }> {
  return typeof value === 'object' && value !== null && value.kind === kind;
}
