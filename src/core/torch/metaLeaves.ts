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
    case 'persistent':
    case 'storage-pid': return { kind: 'object', type: 'persistent id', args: [] };
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

/** Longer non-string keys are cut: a tuple key can nest or share itself into an exponentially long repr. */
const MAX_KEY_LENGTH = 1000;

/** How a dict key reads in a tensor name: strings as is, other keys as Python would print them (cut at MAX_KEY_LENGTH). */
export function pythonKey(key: PyValue): string {
  if (typeof key === 'string') return key;
  const parts: string[] = [];
  let length = 0;
  const write = (text: string): boolean => {
    parts.push(text);
    length += text.length;
    return length <= MAX_KEY_LENGTH;
  };
  // Each tuple level writes at least "(", so the budget also bounds the recursion depth.
  const visit = (k: PyValue): boolean => {
    if (typeof k !== 'object' || k === null || k.kind !== 'tuple') return write(scalarKey(k));
    if (!write('(')) return false;
    for (let i = 0; i < k.items.length; i++) if ((i > 0 && !write(', ')) || !visit(k.items[i]!)) return false;
    return write(k.items.length === 1 ? ',)' : ')');
  };
  return visit(key) ? parts.join('') : `${parts.join('').slice(0, MAX_KEY_LENGTH)}…`;
}

function scalarKey(key: PyValue): string {
  if (typeof key === 'string') return key;
  if (key === null) return 'None';
  if (typeof key === 'boolean') return key ? 'True' : 'False';
  if (typeof key === 'bigint' || typeof key === 'number') return String(key);
  if (key.kind === 'global') return `${key.module}.${key.name}`;
  return `<${key.kind}>`;
}
