import type { MetaValue } from '../checkpointIndex';
import { bytesOf, type PyObject, type PyValue } from '../pickle/values';
import { numpyValue } from './numpyValues';

const MAX_STRING = 2000;
const BYTES_PREVIEW = 32;

/** A MetaValue for a value that holds no other values (containers are walked by the caller). */
export function metaLeaf(value: PyValue): MetaValue {
  if (value === null) return { kind: 'none' };
  switch (typeof value) {
    case 'boolean': return { kind: 'bool', value };
    case 'bigint': return { kind: 'int', value: value.toString() };
    case 'number': return { kind: 'float', value };
    case 'string': return { kind: 'str', value: value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value };
  }
  switch (value.kind) {
    case 'bytes': return bytesMeta(value.bytes);
    case 'global': return { kind: 'object', type: 'global', args: [{ kind: 'str', value: `${value.module}.${value.name}` }] };
    case 'persistent': return { kind: 'object', type: 'persistent id', args: [] };
    default: return { kind: 'ref', note: value.kind };
  }
}

/** Calls whose result is plain data (bytes, numpy values): shown as that data instead of as a call. */
export function inertCall(obj: PyObject): MetaValue | undefined {
  const bytes = bytesOf(obj);
  return bytes === undefined ? numpyValue(obj) : bytesMeta(bytes);
}

function bytesMeta(bytes: Uint8Array): MetaValue {
  const hex = Array.from(bytes.subarray(0, BYTES_PREVIEW), (b) => b.toString(16).padStart(2, '0')).join('');
  return { kind: 'bytes', length: bytes.length, preview: hex };
}

/** How a dict key reads in a tensor name: strings as is, other keys as Python would print them. */
export function pythonKey(key: PyValue): string {
  if (typeof key === 'string') return key;
  if (key === null) return 'None';
  if (typeof key === 'boolean') return key ? 'True' : 'False';
  if (typeof key === 'bigint' || typeof key === 'number') return String(key);
  if (key.kind === 'tuple') return `(${key.items.map(pythonKey).join(', ')}${key.items.length === 1 ? ',' : ''})`;
  if (key.kind === 'global') return `${key.module}.${key.name}`;
  return `<${key.kind}>`;
}
