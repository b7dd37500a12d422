// Byte-level builders for malformed checkpoints: pickle opcodes, a stored zip whose declared sizes can
// lie, and the legacy torch layout. Tests use them to write exactly the broken structure they attack.
import { deflateRawSync } from 'node:zlib';

const encoder = new TextEncoder();

export function concat(...parts: (Uint8Array | number[] | string)[]): Uint8Array {
  const arrays = parts.map((p) => (typeof p === 'string' ? encoder.encode(p) : p instanceof Uint8Array ? p : Uint8Array.from(p)));
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

export function repeat(part: Uint8Array | number[] | string, times: number): Uint8Array {
  const unit = concat(part);
  const out = new Uint8Array(unit.length * times);
  for (let i = 0; i < times; i++) out.set(unit, i * unit.length);
  return out;
}

const le32 = (n: number) => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, n, true); return b; };
const i32 = (n: number) => { const b = new Uint8Array(4); new DataView(b.buffer).setInt32(0, n, true); return b; };
const le16 = (n: number) => [n & 0xff, (n >> 8) & 0xff];
export const le64 = (n: bigint) => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, n, true); return b; };

/** Protocol-2 pickle pieces, named after CPython's opcodes. */
export const op = {
  proto: [0x80, 2],
  str: (s: string) => { const b = encoder.encode(s); return concat([0x58], le32(b.length), b); },
  int: (n: number) => concat([0x4a], i32(n)),
  /** Any Python int, as LONG1 (two's complement little-endian). */
  long: (n: bigint) => {
    const bytes: number[] = [];
    let v = n;
    do { bytes.push(Number(v & 0xffn)); v >>= 8n; } while (!((v === 0n && !(bytes[bytes.length - 1]! & 0x80)) || (v === -1n && bytes[bytes.length - 1]! & 0x80)));
    return concat([0x8a, bytes.length], bytes);
  },
  global: (module: string, name: string) => `c${module}\n${name}\n`,
  mark: '(', tuple: 't', tuple1: [0x85], emptyTuple: ')', emptyList: ']', emptyDict: '}', list: 'l',
  append: 'a', setitem: 's', reduce: 'R', build: 'b', pop: '0', stop: '.', binpersid: 'Q', false: [0x89],
  put: (i: number) => [0x71, i], get: (i: number) => [0x68, i],
  longGet: (i: number) => concat([0x6a], le32(i)), longPut: (i: number) => concat([0x72], le32(i)),
};

/** ('storage', torch.FloatStorage, key, 'cpu', numel[, view]) as BINPERSID. */
export function storagePid(key: string, numel: number, view?: { key: string; offset: bigint; numel: number }): Uint8Array {
  const viewPart = view ? concat(op.mark, op.str(view.key), op.long(view.offset), op.int(view.numel), op.tuple) : view === undefined ? '' : 'N';
  return concat(op.mark, op.str('storage'), op.global('torch', 'FloatStorage'), op.str(key), op.str('cpu'), op.int(numel), viewPart, op.tuple, op.binpersid);
}

/** torch._utils._rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict()) with any ints. */
export function rebuildTensor(pid: Uint8Array, offset: bigint, size: bigint[], stride: bigint[]): Uint8Array {
  const tuple = (xs: bigint[]) => concat(op.mark, ...xs.map(op.long), op.tuple);
  return concat(
    op.global('torch._utils', '_rebuild_tensor_v2'), op.mark, pid, op.long(offset), tuple(size), tuple(stride), op.false,
    op.global('collections', 'OrderedDict'), op.emptyTuple, op.reduce, op.tuple, op.reduce,
  );
}

/** A protocol-2 pickle of a dict {key: value-bytes …}. */
export function dictPickle(entries: [string, Uint8Array | string][]): Uint8Array {
  return concat(op.proto, op.emptyDict, ...entries.flatMap(([k, v]) => [op.str(k), v, op.setitem]), op.stop);
}

export interface ZipItem {
  name: string;
  data: Uint8Array;
  /** Deflate the data (method 8). */
  deflate?: boolean;
  /** Declared sizes that differ from the data: written as ZIP64 extra fields when they exceed 32 bits. */
  declaredSize?: bigint;
}

/** A zip written by hand so its directory says exactly what the test wants, true or not. */
export function zipArchive(items: ZipItem[]): Uint8Array {
  const local: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const item of items) {
    const name = encoder.encode(item.name);
    const body = item.deflate ? new Uint8Array(deflateRawSync(item.data)) : item.data;
    const method = item.deflate ? 8 : 0;
    const declared = item.declaredSize ?? BigInt(item.data.length);
    const compressed = item.declaredSize !== undefined && !item.deflate ? declared : BigInt(body.length);
    const zip64 = declared > 0xfffffffen || compressed > 0xfffffffen;
    const size32 = (n: bigint) => (zip64 ? 0xffffffff : Number(n));
    const extra = zip64 ? concat(le16(1), le16(16), le64(declared), le64(compressed)) : new Uint8Array(0);
    const header = concat(le32(0x04034b50), le16(20), le16(0), le16(method), le16(0), le16(0), le32(0), le32(size32(compressed)), le32(size32(declared)), le16(name.length), le16(0), name);
    central.push(concat(le32(0x02014b50), le16(45), le16(20), le16(0), le16(method), le16(0), le16(0), le32(0), le32(size32(compressed)), le32(size32(declared)),
      le16(name.length), le16(extra.length), le16(0), le16(0), le16(0), le32(0), le32(offset), name, extra));
    local.push(header, body);
    offset += header.length + body.length;
  }
  const directory = concat(...central);
  return concat(...local, directory, le32(0x06054b50), le16(0), le16(0), le16(items.length), le16(items.length), le32(directory.length), le32(offset), le16(0));
}

/** Six float32 values 0..5: the storage every malformed torch file points at. */
export const SIX_FLOATS = new Uint8Array(new Float32Array([0, 1, 2, 3, 4, 5]).buffer);

/** A torch zip (archive/data.pkl + archive/data/0 holding SIX_FLOATS). */
export function torchZip(dataPkl: Uint8Array, storage: Uint8Array = SIX_FLOATS): Uint8Array {
  return zipArchive([{ name: 'archive/data.pkl', data: dataPkl }, { name: 'archive/data/0', data: storage }, { name: 'archive/version', data: encoder.encode('3\n') }]);
}

/** A legacy torch file: magic, protocol, sys info, the object pickle, the key list ['0'], then SIX_FLOATS. */
export function legacyTorch(objectPickle: Uint8Array): Uint8Array {
  const magic = concat(op.proto, op.long(0x1950a86a20f9469cfc6cn), op.stop);
  const protocol = concat(op.proto, op.int(1001), op.stop);
  const sysInfo = concat(op.proto, op.emptyDict, op.str('little_endian'), [0x88], op.setitem, op.stop);
  const keys = concat(op.proto, op.mark, op.str('0'), op.list, op.stop);
  return concat(magic, protocol, sysInfo, objectPickle, keys, le64(6n), SIX_FLOATS);
}
