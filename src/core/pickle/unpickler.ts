import { CheckpointError, PickleFormatError } from '../errors';
import { safetyReport, type PickleScan } from '../safety/classifyGlobals';
import { memoReads } from './memoReads';
import { Op } from './opcodes';
import { pythonThreeName } from './pythonNames';
import { Utf8Text } from '../io/utf8Text';
import { PreviousShape, tensorCall } from './tensorCall';
import { decodeQuotedString, decodeRawUnicodeEscape } from './textLiterals';
import { persistentId } from './storagePid';
import type { PyBytes, PyDict, PyGlobal, PyObject, PyPersistentId, PyValue } from './values';

/** Bounds that make a hostile pickle end with an error instead of exhausting time or memory. */
export interface PickleLimits {
  /** Values created in total (each push counts). */
  readonly maxItems: number;
  /** Nested MARKs. */
  readonly maxMarkDepth: number;
  readonly maxMemo: number;
  /** Bytes of one Python int (LONG1/LONG4/LONG). */
  readonly maxIntBytes: number;
}

export const DEFAULT_PICKLE_LIMITS: PickleLimits = {
  maxItems: 5_000_000,
  maxMarkDepth: 100_000,
  maxMemo: 5_000_000,
  maxIntBytes: 65_536,
};

/** Where the pickle sits, for error messages: the file, the zip entry, and the offset of byte 0. */
export interface PickleContext {
  readonly file: string;
  readonly entry?: string;
  /** Added to positions in the buffer so offsets in errors are file offsets (legacy format). */
  readonly baseOffset?: number;
  /** Set for dialects that put data between opcodes (joblib); the unpickler then keeps every memo entry. */
  readonly observer?: PickleObserver;
}

/**
 * What a reader of a pickle dialect sees while the opcodes run: joblib writes raw array bytes (or a whole
 * second pickle) right after a wrapper object's BUILD, which its own unpickler reads from the file there.
 */
export interface PickleObserver {
  /** After BUILD on a placeholder object: the buffer position to go on from (`position` when nothing follows). */
  afterBuild(target: PyObject, bytes: Uint8Array, position: number): number;
  /** Every call the pickle makes, whether or not the result is kept (torch.load runs them all). */
  called(call: PyObject): void;
}

/** The value, plus what torch.load would run (PickleScan: globals, dotted names, hazards). */
export interface UnpickleResult extends PickleScan {
  readonly value: PyValue;
  /** Position just after STOP, relative to the buffer. */
  readonly end: number;
  /** Every persistent id in pickle order (torch storages). */
  readonly persistents: readonly PyPersistentId[];
}

/** Hazards kept per pickle: one is enough for the verdict, a few show the pattern, a million would be a memory attack. */
const MAX_HAZARDS = 16;

/** The pickle ended before STOP: distinct so a reader can fetch more bytes and try again. */
export class PickleTruncatedError extends PickleFormatError {
  constructor(file: string, problem: string, where: { offset?: number; entry?: string },
    /** Bytes from the start of the buffer the pickle needs at least: what to fetch before retrying. */
    readonly needed: number) {
    super(file, problem, where);
  }
}

const latin1 = new TextDecoder('latin1');
/** Shapes, strides and counts are mostly small ints: sharing their (immutable) bigints spares the GC ~6 objects per tensor. */
const SMALL_INTS: readonly bigint[] = Array.from({ length: 256 }, (_, i) => BigInt(i));
/** Items of every empty tuple, and of every call until its first SETITEM/APPEND (2 per tensor): frozen, so sharing is safe. */
const NO_ITEMS = Object.freeze([]) as never[];

/**
 * Runs the pickle opcodes in `bytes` from `start` up to STOP and returns the inert value they
 * build. Never imports, never calls: see values.ts. A CheckpointError thrown on the way carries
 * the safety report of what was read before it (`err.safety`): torch.load would already have
 * imported and called those globals when it hit the same error.
 */
export function unpickle(bytes: Uint8Array, context: PickleContext, start = 0, limits = DEFAULT_PICKLE_LIMITS): UnpickleResult {
  return new Machine(bytes, context, start, limits).run();
}

class Machine {
  private pos: number;
  private stack: PyValue[] = [];
  private readonly metastack: PyValue[][] = [];
  /** Indexed by memo key; pickles number them densely from 0, so an array beats a Map here. */
  private readonly memo: PyValue[] = [];
  /** Keys written (Python's len(memo), which MEMOIZE uses as its key; memoReads never filters a pickle that has MEMOIZE). */
  private memoCount = 0;
  /** The keys the pickle reads back (memoReads.ts): only these are stored. Undefined: store every key. */
  private readonly memoKept: ReadonlySet<number> | undefined;
  private readonly globals = new Map<string, number>();
  /** module and name of globals whose name is a dotted attribute path (the split is not the last dot). */
  private readonly attributePaths = new Map<string, readonly [string, string]>();
  private readonly hazards: string[] = [];
  /** End of the current FRAME (protocol 4+), as a buffer position; 0 when no frame was seen. */
  private frameEnd = 0;
  private readonly persistents: PyPersistentId[] = [];
  private readonly bigU16: bigint[] = [];
  private items = 0;
  private opStart = 0;
  private readonly data: DataView;
  private readonly text: Utf8Text;
  private readonly previousShape = new PreviousShape();

  constructor(
    private readonly bytes: Uint8Array,
    private readonly context: PickleContext,
    start: number,
    private readonly limits: PickleLimits,
  ) {
    this.pos = start;
    this.data = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.text = new Utf8Text(bytes);
    // An opcode scan cannot step over a dialect's inline data: then every memo entry is kept.
    this.memoKept = context.observer === undefined ? memoReads(bytes, start)?.reads : undefined;
  }

  run(): UnpickleResult {
    try {
      for (;;) {
        this.opStart = this.pos;
        const op = this.u8();
        if (op === Op.STOP) {
          if (this.pos < this.frameEnd) this.framingMismatch(`the frame runs ${this.frameEnd - this.pos} bytes past STOP, into whatever follows the pickle`);
          const value = this.pop();
          return { value, end: this.pos, persistents: this.persistents, ...this.scan() };
        }
        this.step(op);
      }
    } catch (err) {
      if (err instanceof CheckpointError && err.safety === undefined) err.safety = safetyReport(this.scan());
      throw err;
    }
  }

  private scan(): PickleScan {
    return { globals: this.globals, attributePaths: this.attributePaths, hazards: this.hazards };
  }

  private hazard(reason: string): void {
    if (this.hazards.length < MAX_HAZARDS) this.hazards.push(reason);
  }

  /**
   * CPython's file unpickler buffers exactly one frame and, when an opcode or argument runs past its end,
   * drops the rest of the frame and reads on from the file; the in-memory reader reads straight through.
   * The two run different programs, so no reading of the bytes tells what torch.load runs.
   */
  private framingMismatch(detail: string): void {
    this.hazard(`framing mismatch at byte ${this.where(this.opStart).offset}: ${detail}`);
  }

  private step(op: number): void {
    switch (op) {
      case Op.PROTO: {
        const protocol = this.u8();
        if (protocol > 5) this.fail(`unsupported pickle protocol ${protocol}`);
        return;
      }
      case Op.FRAME: {
        if (this.opStart < this.frameEnd) this.framingMismatch(`a new frame starts ${this.frameEnd - this.opStart} bytes before the current one ends`);
        const length = this.length64();
        this.frameEnd = this.pos + length; // the data follows inline; only the boundaries matter
        return;
      }
      case Op.MARK:
        if (this.metastack.length >= this.limits.maxMarkDepth) this.fail(`more than ${this.limits.maxMarkDepth} nested marks`);
        this.metastack.push(this.stack);
        this.stack = [];
        return;
      case Op.POP: if (this.stack.length > 0) this.pop(); else this.popMark(); return;
      case Op.POP_MARK: this.popMark(); return;
      case Op.DUP: this.push(this.top()); return;

      case Op.NONE: this.push(null); return;
      case Op.NEWTRUE: this.push(true); return;
      case Op.NEWFALSE: this.push(false); return;
      case Op.INT: this.push(this.textInt(this.line())); return;
      case Op.LONG: this.push(this.parseDecimal(this.line().replace(/L$/, ''))); return;
      case Op.BININT: this.push(BigInt(this.data.getInt32(this.advance(4), true))); return;
      case Op.BININT1: this.push(SMALL_INTS[this.u8()]!); return;
      case Op.BININT2: this.push(this.u16int()); return;
      case Op.LONG1: this.push(this.longBytes(this.u8())); return;
      case Op.LONG4: this.push(this.longBytes(this.data.getInt32(this.advance(4), true))); return;
      case Op.FLOAT: this.push(Number.parseFloat(this.line())); return;
      case Op.BINFLOAT: this.push(this.data.getFloat64(this.advance(8), false)); return;

      case Op.STRING: {
        const decoded = decodeQuotedString(this.line());
        if (decoded === undefined) this.fail('STRING opcode argument is not a quoted string');
        this.push(this.pyString(decoded));
        return;
      }
      case Op.BINSTRING: this.push(this.pyString(this.take(this.u32()))); return;
      case Op.SHORT_BINSTRING: this.push(this.pyString(this.take(this.u8()))); return;
      case Op.UNICODE: this.push(decodeRawUnicodeEscape(this.line())); return;
      case Op.BINUNICODE: this.push(this.utf8(this.u32())); return;
      case Op.SHORT_BINUNICODE: this.push(this.utf8(this.u8())); return;
      case Op.BINUNICODE8: this.push(this.utf8(this.length64())); return;
      case Op.BINBYTES: this.push(this.bytesLiteral(this.u32())); return;
      case Op.SHORT_BINBYTES: this.push(this.bytesLiteral(this.u8())); return;
      case Op.BINBYTES8:
      case Op.BYTEARRAY8: this.push(this.bytesLiteral(this.length64())); return;
      case Op.NEXT_BUFFER: return this.fail('pickle refers to an out-of-band buffer, which a file cannot provide');
      case Op.READONLY_BUFFER: return;

      case Op.EMPTY_TUPLE: this.push({ kind: 'tuple', items: NO_ITEMS }); return;
      // slice(): the mark's stack grew by push (room for 17); the tuple keeps only its items (100 k tensors = 2 tuples each).
      case Op.TUPLE: this.push({ kind: 'tuple', items: this.popMark().slice() }); return;
      // Array literals of exact length, not splice: shapes, strides and the args of 100 k tensors are built here.
      case Op.TUPLE1: this.push({ kind: 'tuple', items: [this.pop()] }); return;
      case Op.TUPLE2: { const b = this.pop(); const a = this.pop(); this.push({ kind: 'tuple', items: [a, b] }); return; }
      case Op.TUPLE3: { const c = this.pop(); const b = this.pop(); const a = this.pop(); this.push({ kind: 'tuple', items: [a, b, c] }); return; }
      case Op.EMPTY_LIST: this.push({ kind: 'list', items: [] }); return;
      case Op.LIST: this.push({ kind: 'list', items: this.popMark() }); return;
      case Op.EMPTY_DICT: this.push({ kind: 'dict', keyValues: [] }); return;
      case Op.DICT: {
        const dict: PyDict = { kind: 'dict', keyValues: [] };
        this.setItems(dict, this.popMark());
        this.push(dict);
        return;
      }
      case Op.EMPTY_SET: this.push({ kind: 'set', items: [] }); return;
      case Op.FROZENSET: this.push({ kind: 'frozenset', items: this.popMark() }); return;
      case Op.APPEND: { const item = this.pop(); this.append(this.top(), [item]); return; }
      case Op.APPENDS: { const items = this.popMark(); this.append(this.top(), items); return; }
      case Op.ADDITEMS: { const items = this.popMark(); this.append(this.top(), items); return; }
      case Op.SETITEM: { const value = this.pop(); const key = this.pop(); this.setItems(this.top(), [key, value]); return; }
      case Op.SETITEMS: { const items = this.popMark(); this.setItems(this.top(), items); return; }

      case Op.GLOBAL: { const module = this.line(); const name = this.line(); this.push(this.global(module, name)); return; }
      case Op.STACK_GLOBAL: {
        const [module, name] = this.popN(2);
        if (typeof module === 'string' && typeof name === 'string') this.push(this.global(module, name));
        else this.push(this.computedGlobal(module!, name!));
        return;
      }
      case Op.INST: {
        const cls = this.global(this.line(), this.line());
        this.push(this.object(cls, this.popMark()));
        return;
      }
      case Op.OBJ: {
        const [cls, ...args] = this.popMark();
        if (cls === undefined) this.fail('OBJ without a class');
        this.push(this.object(cls, args));
        return;
      }
      case Op.EXT1: this.push(this.extension(this.u8())); return;
      case Op.EXT2: this.push(this.extension(this.u16())); return;
      case Op.EXT4: this.push(this.extension(this.data.getInt32(this.advance(4), true))); return;
      case Op.REDUCE: {
        const argTuple = this.pop();
        const callee = this.pop();
        const args = this.sequence(argTuple, 'REDUCE arguments');
        this.push(tensorCall(callee, args, this.previousShape) ?? this.object(callee, args));
        return;
      }
      case Op.NEWOBJ: {
        const [cls, args] = this.popN(2);
        this.push(this.object(cls!, this.sequence(args!, 'NEWOBJ arguments')));
        return;
      }
      case Op.NEWOBJ_EX: {
        const [cls, args, kwargs] = this.popN(3);
        this.push(this.object(cls!, this.sequence(args!, 'NEWOBJ_EX arguments'), kwargs));
        return;
      }
      case Op.BUILD: {
        const state = this.pop();
        const target = this.top();
        // Only placeholder objects keep state; BUILD on anything else would be a no-op or a Python error.
        if (typeof target === 'object' && target !== null && target.kind === 'object') {
          target.state = state;
          if (this.context.observer) this.pos = this.context.observer.afterBuild(target, this.bytes, this.pos);
        } else if (typeof target === 'object' && target !== null && target.kind === 'global') {
          this.hazard(`BUILD at byte ${this.where(this.opStart).offset} sets attributes of ${target.module}.${target.name} itself (a module or class): every later use of it runs the file's replacements`);
        }
        return;
      }
      case Op.PERSID: this.persistent(this.line()); return;
      case Op.BINPERSID: this.persistent(this.pop()); return;

      case Op.PUT: this.put(this.decimalIndex(this.line())); return;
      case Op.BINPUT: this.put(this.u8()); return;
      case Op.LONG_BINPUT: this.put(this.u32()); return;
      case Op.MEMOIZE: this.put(this.memoCount); return;
      case Op.GET: this.get(this.decimalIndex(this.line())); return;
      case Op.BINGET: this.get(this.u8()); return;
      case Op.LONG_BINGET: this.get(this.u32()); return;
      default:
        this.fail(`unknown opcode 0x${op.toString(16).padStart(2, '0')}; the data is not a pickle or is corrupt`);
    }
  }

  // ---- values ----

  private global(module: string, name: string): PyGlobal {
    const [m, n] = pythonThreeName(module, name);
    const full = `${m}.${n}`;
    this.globals.set(full, (this.globals.get(full) ?? 0) + 1);
    if (n.includes('.')) this.attributePaths.set(full, [m, n]);
    return { kind: 'global', module: m, name: n };
  }

  /**
   * STACK_GLOBAL on values that are not literal strings. CPython imports whatever they are at load time; a call's
   * result (getattr, str.join, itemgetter on a memoized dict…) can be any name, so no scan can say which.
   * Literal non-strings (ints, None, tuples) are the error CPython raises too.
   */
  private computedGlobal(module: PyValue, name: PyValue): PyGlobal {
    // Only a call's result can be a str at load time; a literal of another type, a class or a tensor never is.
    const computed = (v: PyValue): boolean => typeof v === 'object' && v !== null && v.kind === 'object';
    if (!(typeof module === 'string' || computed(module)) || !(typeof name === 'string' || computed(name))) this.fail('STACK_GLOBAL needs two strings on the stack');
    const spell = (v: PyValue): string => (typeof v === 'string' ? v : '<computed>');
    this.hazard(`STACK_GLOBAL at byte ${this.where(this.opStart).offset} imports a name computed at load time (${spell(module)}.${spell(name)}), not a literal string: it can be any global, os.system included`);
    return { kind: 'global', module: spell(module), name: spell(name) };
  }

  private persistent(pid: PyValue): void {
    const value = persistentId(pid);
    this.persistents.push(value);
    this.push(value);
  }

  /** The copyreg extension registry is process state the file cannot carry: name the code. */
  private extension(code: number): PyGlobal {
    return this.global('copyreg', `_extension_registry[${code}]`);
  }

  private object(callee: PyValue, args: readonly PyValue[], kwargs?: PyValue): PyObject {
    // Two literals rather than a conditional spread: one object shape, no per-object property copying.
    const call: PyObject = kwargs === undefined
      ? { kind: 'object', callee, args, dictKeyValues: NO_ITEMS, listItems: NO_ITEMS }
      : { kind: 'object', callee, args, kwargs, dictKeyValues: NO_ITEMS, listItems: NO_ITEMS };
    this.context.observer?.called(call);
    return call;
  }

  private sequence(value: PyValue, what: string): readonly PyValue[] {
    if (typeof value === 'object' && value !== null && (value.kind === 'tuple' || value.kind === 'list')) return value.items;
    this.fail(`${what} are not a tuple`);
  }

  private append(target: PyValue, items: PyValue[]): void {
    this.count(items.length);
    if (this.mutatesGlobal(target, 'appends to')) return;
    if (typeof target === 'object' && target !== null) {
      if (target.kind === 'list' || target.kind === 'set') { for (const item of items) target.items.push(item); return; }
      if (target.kind === 'object') {
        if (target.listItems === NO_ITEMS) target.listItems = [];
        for (const item of items) target.listItems.push(item);
        return;
      }
    }
    this.fail(`cannot append items to ${describe(target)}`);
  }

  private setItems(target: PyValue, flat: PyValue[]): void {
    if (flat.length % 2 !== 0) this.fail('odd number of items for a dict');
    this.count(flat.length / 2);
    if (this.mutatesGlobal(target, 'stores items into')) return;
    let keyValues: PyValue[];
    if (typeof target === 'object' && target !== null && target.kind === 'dict') keyValues = target.keyValues;
    else if (typeof target === 'object' && target !== null && target.kind === 'object') {
      if (target.dictKeyValues === NO_ITEMS) target.dictKeyValues = [];
      keyValues = target.dictKeyValues;
    }
    else this.fail(`cannot set items on ${describe(target)}`);
    for (const item of flat) keyValues.push(item);
  }

  /** SETITEM(S)/APPEND(S) on a global object (`sys.modules`, a module's dict): CPython does it, rewiring the interpreter. */
  private mutatesGlobal(target: PyValue, what: string): boolean {
    if (typeof target !== 'object' || target === null || target.kind !== 'global') return false;
    this.hazard(`byte ${this.where(this.opStart).offset} ${what} ${target.module}.${target.name} itself: the file rewrites a global object (e.g. sys.modules) that later code trusts`);
    return true;
  }

  /**
   * Bytes stored as they are: a view, not a copy (a plain pickle of tensors is mostly such bytes, and the buffer
   * lives while the tree is walked anyway), with where they start in the file (embedded torch.save bytes are read there).
   */
  private bytesLiteral(n: number): PyBytes {
    const at = this.advance(n);
    return { kind: 'bytes', bytes: this.bytes.subarray(at, at + n), offset: this.where(at).offset };
  }

  /** Python 2 `str` (BINSTRING…): torch.load decodes it as UTF-8; keep bytes when it is not text. */
  private pyString(raw: Uint8Array): PyValue {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      return latin1.decode(raw);
    }
  }

  private textInt(text: string): PyValue {
    if (text === '01') return true;
    if (text === '00') return false;
    return this.parseDecimal(text);
  }

  private parseDecimal(text: string): bigint {
    if (!/^[-+]?\d+$/.test(text.trim()) || text.length > this.limits.maxIntBytes) this.fail(`bad integer literal "${text.slice(0, 40)}"`);
    return BigInt(text.trim());
  }

  private decimalIndex(text: string): number {
    if (!/^\d+$/.test(text)) this.fail(`bad memo index "${text.slice(0, 40)}"`);
    return Number(text);
  }

  /** LONG1/LONG4: little-endian two's complement of `n` bytes. */
  private longBytes(n: number): bigint {
    if (n < 0 || n > this.limits.maxIntBytes) this.fail(`integer of ${n} bytes is larger than the ${this.limits.maxIntBytes}-byte limit`);
    const raw = this.take(n);
    let value = 0n;
    for (let i = n - 1; i >= 0; i--) value = (value << 8n) | BigInt(raw[i]!);
    if (n > 0 && raw[n - 1]! & 0x80) value -= 1n << BigInt(8 * n);
    return value;
  }

  // ---- stack and memo ----

  private push(value: PyValue): void {
    this.count(1);
    this.stack.push(value);
  }

  private count(n: number): void {
    this.items += n;
    if (this.items > this.limits.maxItems) this.fail(`more than ${this.limits.maxItems} values; refusing to build more`);
  }

  private pop(): PyValue {
    if (this.stack.length === 0) this.fail('stack underflow');
    return this.stack.pop()!;
  }

  private popN(n: number): PyValue[] {
    if (this.stack.length < n) this.fail('stack underflow');
    return this.stack.splice(this.stack.length - n, n);
  }

  private top(): PyValue {
    if (this.stack.length === 0) this.fail('stack underflow');
    return this.stack[this.stack.length - 1]!;
  }

  private popMark(): PyValue[] {
    const items = this.stack;
    const outer = this.metastack.pop();
    if (outer === undefined) this.fail('no MARK to pop to');
    this.stack = outer;
    return items;
  }

  private put(index: number): void {
    const value = this.top();
    // A key never read back is not stored, but still counts: every write adds a key to a real pickler's memo.
    const kept = this.memoKept === undefined || this.memoKept.has(index);
    if (!kept || this.memo[index] === undefined) {
      if (this.memoCount >= this.limits.maxMemo) this.fail(`memo grew past ${this.limits.maxMemo} entries`);
      this.memoCount++;
    }
    if (kept) this.memo[index] = value;
  }

  private get(index: number): void {
    const value = this.memo[index];
    if (value === undefined) this.fail(`memo entry ${index} is read before it is written`);
    this.push(value);
  }

  // ---- bytes ----

  private u8(): number {
    return this.bytes[this.advance(1)]!;
  }

  private u16(): number {
    return this.data.getUint16(this.advance(2), true);
  }

  /** BININT2 (e.g. 768, 2304 in SSAST shapes): one bigint per distinct value, cached in `bigU16`. */
  private u16int(): bigint {
    const n = this.u16();
    return n < 256 ? SMALL_INTS[n]! : (this.bigU16[n] ??= BigInt(n));
  }

  private u32(): number {
    return this.data.getUint32(this.advance(4), true);
  }

  /** Moves past `n` bytes and returns where they start; reports a cut-off pickle when they are not there. */
  private advance(n: number): number {
    const at = this.pos;
    if (at < this.frameEnd && at + n > this.frameEnd) this.crossesFrame(at + n);
    if (at + n > this.bytes.length) {
      throw new PickleTruncatedError(
        this.context.file,
        `pickle is cut off: opcode needs ${n} bytes at byte ${this.where(at).offset}, ${this.bytes.length - at} left`,
        this.where(this.opStart),
        at + n,
      );
    }
    this.pos = at + n;
    return at;
  }

  /** BINUNICODE text. */
  private utf8(n: number): string {
    const at = this.advance(n);
    return this.text.slice(at, at + n);
  }

  private take(n: number): Uint8Array {
    const at = this.advance(n);
    return this.bytes.subarray(at, at + n);
  }

  private length64(): number {
    const n = this.data.getBigUint64(this.advance(8), true);
    // The caller's advance(n) reports a truncation with the bytes needed; past 2^53 no file holds them anyway.
    return n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n);
  }

  /** A text-protocol argument: bytes up to the next newline. */
  private line(): string {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end < 0) this.take(this.bytes.length - this.pos + 1); // reports the truncation
    if (this.pos < this.frameEnd && end + 1 > this.frameEnd) this.crossesFrame(end + 1);
    const text = latin1.decode(this.bytes.subarray(this.pos, end));
    this.pos = end + 1;
    return text.endsWith('\r') ? text.slice(0, -1) : text;
  }

  private crossesFrame(until: number): void {
    this.framingMismatch(`the opcode runs ${until - this.frameEnd} bytes past the end of its frame (byte ${this.where(this.frameEnd).offset})`);
    this.frameEnd = 0; // reported once per frame: what follows is read as the in-memory reader reads it
  }

  private where(position: number): { offset: number; entry?: string } {
    const offset = position + (this.context.baseOffset ?? 0);
    return this.context.entry === undefined ? { offset } : { offset, entry: this.context.entry };
  }

  private fail(problem: string): never {
    throw new PickleFormatError(this.context.file, `bad pickle: ${problem}`, this.where(this.opStart));
  }
}

function describe(value: PyValue): string {
  if (value === null) return 'None';
  if (typeof value === 'object') return `a ${value.kind}`;
  return `a ${typeof value}`;
}
