import { Op } from './opcodes';

/** Opcodes followed by an argument of fixed size, in bytes. */
const FIXED_ARGUMENT: ReadonlyMap<number, number> = new Map([
  [Op.PROTO, 1], [Op.FRAME, 8], [Op.BININT, 4], [Op.BININT1, 1], [Op.BININT2, 2], [Op.BINFLOAT, 8],
  [Op.EXT1, 1], [Op.EXT2, 2], [Op.EXT4, 4], [Op.BINPUT, 1], [Op.LONG_BINPUT, 4],
]);
/** Opcodes followed by a little-endian length of this many bytes, then that many bytes. */
const LENGTH_PREFIX: ReadonlyMap<number, number> = new Map([
  [Op.LONG1, 1], [Op.SHORT_BINSTRING, 1], [Op.SHORT_BINUNICODE, 1], [Op.SHORT_BINBYTES, 1],
  [Op.LONG4, 4], [Op.BINSTRING, 4], [Op.BINUNICODE, 4], [Op.BINBYTES, 4],
  [Op.BINUNICODE8, 8], [Op.BINBYTES8, 8], [Op.BYTEARRAY8, 8],
]);
/** Opcodes followed by this many newline-terminated lines. */
const TEXT_LINES: ReadonlyMap<number, number> = new Map([
  [Op.INT, 1], [Op.LONG, 1], [Op.FLOAT, 1], [Op.STRING, 1], [Op.UNICODE, 1], [Op.PERSID, 1], [Op.GLOBAL, 2], [Op.INST, 2],
]);
const NO_ARGUMENT = new Set<number>([
  Op.MARK, Op.POP, Op.POP_MARK, Op.DUP, Op.NONE, Op.NEWTRUE, Op.NEWFALSE, Op.EMPTY_TUPLE, Op.TUPLE, Op.TUPLE1,
  Op.TUPLE2, Op.TUPLE3, Op.EMPTY_LIST, Op.LIST, Op.EMPTY_DICT, Op.DICT, Op.EMPTY_SET, Op.FROZENSET, Op.APPEND,
  Op.APPENDS, Op.ADDITEMS, Op.SETITEM, Op.SETITEMS, Op.STACK_GLOBAL, Op.OBJ, Op.REDUCE, Op.NEWOBJ, Op.NEWOBJ_EX,
  Op.BUILD, Op.BINPERSID, Op.NEXT_BUFFER, Op.READONLY_BUFFER,
]);

/** Per opcode byte, how its argument is laid out (a table, not map lookups: 3.5 M opcodes in a 100 k-tensor file). */
const enum Layout { Unknown, None, Fixed, LengthPrefix, TextLines }
const LAYOUT = new Uint8Array(256);
/** The size of the Fixed argument, of the LengthPrefix, or the number of TextLines. */
const LAYOUT_SIZE = new Uint8Array(256);
for (const op of NO_ARGUMENT) LAYOUT[op] = Layout.None;
for (const [layout, sizes] of [[Layout.Fixed, FIXED_ARGUMENT], [Layout.LengthPrefix, LENGTH_PREFIX], [Layout.TextLines, TEXT_LINES]] as const) {
  for (const [op, size] of sizes) {
    LAYOUT[op] = layout;
    LAYOUT_SIZE[op] = size;
  }
}

/** What skipping over a pickle's opcodes found. */
export interface MemoScan {
  /** Memo keys read (BINGET, LONG_BINGET) up to STOP, or up to the end of the bytes when they end first. */
  readonly reads: Set<number>;
  /** False when the bytes end before STOP: the pickle is cut off, or longer than the bytes given. */
  readonly complete: boolean;
  /** Complete: the position just after STOP. Cut off: how many bytes from the start of the buffer the scan needs at least to go on. */
  readonly needed: number;
}

/**
 * The memo keys the pickle from `start` to its STOP ever reads, found by skipping over the opcodes without
 * running them. torch.save memoizes every value it writes but reads back only a few (globals, repeated
 * strings): the unpickler keeps just those, so the other values can die young instead of all living until
 * STOP. When the bytes end before STOP, a run over them can only read the keys found up to there before it
 * stops, cut off. Undefined when the opcodes are not all understood here (text-protocol PUT/GET, MEMOIZE, an
 * unknown opcode, a negative length): then the unpickler keeps every memo entry.
 */
export function memoReads(bytes: Uint8Array, start: number): MemoScan | undefined {
  const data = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const reads = new Set<number>();
  const cutOff = (needed: number): MemoScan => ({ reads, complete: false, needed });
  let at = start;
  while (at < bytes.length) {
    const op = bytes[at++]!;
    if (op === Op.STOP) return { reads, complete: true, needed: at };
    const layout = LAYOUT[op]!;
    if (layout === Layout.None) continue;
    if (op === Op.BINGET || op === Op.LONG_BINGET) {
      const size = op === Op.BINGET ? 1 : 4;
      if (at + size > bytes.length) return cutOff(at + size);
      reads.add(op === Op.BINGET ? bytes[at]! : data.getUint32(at, true));
      at += size;
      continue;
    }
    const size = LAYOUT_SIZE[op]!;
    if (layout === Layout.Fixed) at += size;
    else if (layout === Layout.LengthPrefix) {
      if (at + size > bytes.length) return cutOff(at + size);
      const length = size === 1 ? bytes[at]! : size === 4 ? data.getInt32(at, true) : Number(data.getBigUint64(at, true));
      if (length < 0) return undefined;
      at += size + length;
    } else if (layout === Layout.TextLines) {
      for (let i = 0; i < size; i++) {
        const end = bytes.indexOf(0x0a, at);
        if (end < 0) return cutOff(bytes.length + 1);
        at = end + 1;
      }
    } else return undefined;
  }
  // Past the end: a Fixed or LengthPrefix argument runs over it (or the bytes end just before an opcode).
  return cutOff(Math.max(at, bytes.length + 1));
}
