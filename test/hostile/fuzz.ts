// Seeded fuzzer: mutates real torch checkpoints (byte flips, boundary values, truncations, splices, pickle
// opcodes inserted into data.pkl / the legacy object pickle) and opens each mutant as the editor does
// (openCheckpoint, read a few tensors, key mapping, model detection, conversion planning). A failure is any
// exception that is not a CheckpointError (or a ConversionRefusedError), a case slower than --slow-ms, or a hang (the case still runs after --hang-ms:
// the worker running it is terminated and the fuzz goes on with the next case).
//
//   npm run fuzz -- --seed S --cases N [--from K] [--hang-ms 10000] [--slow-ms 2000] [--out DIR]
//
// Case K of seed S is always the same mutant: `--seed S --from K --cases 1` reproduces it, and every
// failing mutant is written to DIR (default out/fuzz) for a regression test.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { detectModel } from '../../src/ast/detect';
import { ConversionRefusedError } from '../../src/ast/errors';
import { mapCheckpoint } from '../../src/ast/mapping';
import { defaultConversionOptions, describeGrid, validateConversionOptions } from '../../src/ast/options';
import { planConversion } from '../../src/ast/plan';
import { CheckpointError, PickleFormatError } from '../../src/core/errors';
import { Op } from '../../src/core/pickle/opcodes';
import { openZip } from '../../src/core/zip/zipArchive';
import { runPython } from '../helpers/torch';
import { attempt, memorySource } from './attempt';
import { concat, dictPickle, op, rebuildTensor, storagePid, torchZip, zipArchive } from './hostileBytes';

const WRITE_SEEDS = String.raw`
import argparse, collections, struct, sys, json, numpy as np, torch
folder = sys.argv[1]
torch.manual_seed(0)
w = torch.randn(6, 8)
sd = collections.OrderedDict([('module.v.cls_token', torch.randn(1, 1, 8)), ('module.v.pos_embed', torch.randn(1, 5, 8)[:, 1:]),
    ('module.v.blocks.0.attn.qkv.weight', w), ('module.v.blocks.0.attn.qkv.weight_t', w.t()), ('half', torch.randn(3).half()),
    ('bf', torch.randn(4).bfloat16()), ('ints', torch.arange(5)), ('mask', torch.tensor([True, False])), ('expanded', torch.ones(1).expand(4))])
sd._metadata = collections.OrderedDict([('', {'version': 1})])
ckpt = {'state_dict': sd, 'epoch': 7, 'args': argparse.Namespace(fstride=10, lr=1e-4), 'best': np.float64(0.5),
        'optimizer': {'state': {0: {'step': 3, 'exp_avg': torch.zeros(2)}}, 'param_groups': [{'lr': 0.1, 'params': [0]}]},
        'p': torch.nn.Parameter(torch.randn(2, 2))}
for protocol in (2, 4):
    torch.save(ckpt, '%s/zip-p%d.pth' % (folder, protocol), pickle_protocol=protocol)
torch.save(ckpt, folder + '/legacy.pth', _use_new_zipfile_serialization=False)
class Tiny(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = torch.nn.Linear(3, 2)
    def forward(self, x):
        return self.proj(x).relu()
torch.jit.save(torch.jit.trace(Tiny(), torch.randn(1, 3)), folder + '/torchscript.pt')  # trace: -c code has no source to script
header, data = {'__metadata__': {'format': 'pt'}}, b''
for name, t in [('a', torch.randn(3, 4)), ('b', torch.arange(6, dtype=torch.int32)), ('c', torch.randn(2).half())]:
    raw = t.numpy().tobytes()
    header[name] = {'dtype': {torch.float32: 'F32', torch.int32: 'I32', torch.float16: 'F16'}[t.dtype], 'shape': list(t.shape), 'data_offsets': [len(data), len(data) + len(raw)]}
    data += raw
text = json.dumps(header).encode()
open(folder + '/tensors.safetensors', 'wb').write(struct.pack('<Q', len(text)) + text + data)

import io, pickletools, zipfile
def opcodes(stream):
    # [position, length, name] of each opcode of the pickle at the stream's position (positions absolute)
    ops = list(pickletools.genops(stream))
    return [[pos, (nxt[2] if nxt else pos + 1) - pos, op.name] for (op, _, pos), nxt in zip(ops, ops[1:] + [None])]
import pickle, joblib
with open(folder + '/plain.pkl', 'wb') as f:  # pickle.dump of tensors: embedded torch.save bytes
    pickle.dump({'w': w, 'h': torch.randn(3).half(), 'epoch': 7}, f, protocol=4)
joblib.dump({'a': np.arange(12.0).reshape(3, 4), 'f': np.asfortranarray(np.ones((2, 3))), 'o': np.array([None, 1], dtype=object)}, folder + '/arrays.joblib')
np.save(folder + '/array.npy', np.arange(6, dtype=np.float32).reshape(2, 3))
np.savez(folder + '/arrays.npz', x=np.ones((2, 2)), o=np.array([{'k': 1}], dtype=object))
def pickle_ops(name):
    path = folder + '/' + name
    if name.endswith(('.safetensors', '.joblib', '.npy', '.npz')): return []  # raw bytes between or before the opcodes
    if name.endswith('.pkl'): return opcodes(io.BytesIO(open(path, 'rb').read()))
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            return opcodes(io.BytesIO(z.read([n for n in z.namelist() if n.endswith('data.pkl')][0])))
    stream = io.BytesIO(open(path, 'rb').read())
    return [op for _ in range(5) for op in opcodes(stream)]  # magic, protocol, sys info, object, storage keys
import shutil
shutil.copy(sys.argv[2], folder + '/ssast-tiny-sample.pth')  # the committed SSAST sample: detection and planning run on its mutants
names = ['zip-p2.pth', 'zip-p4.pth', 'legacy.pth', 'tensors.safetensors', 'torchscript.pt', 'ssast-tiny-sample.pth',
         'plain.pkl', 'arrays.joblib', 'array.npy', 'arrays.npz']
print(json.dumps({name: pickle_ops(name) for name in names}))
`;

/** A seed file and, for zips, its entries (so data.pkl can be mutated and the archive rebuilt consistently). */
interface Seed {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly entries?: { name: string; data: Uint8Array }[];
  /** [position, length, name] of each pickle opcode (in data.pkl for zips, in the file for legacy files). */
  readonly ops: [number, number, string][];
}

interface CaseFailure {
  readonly case: number;
  readonly kind: 'crash' | 'slow' | 'hang';
  readonly message: string;
  readonly file?: string;
}

// ---------------------------------------------------------------- deterministic mutation

/** mulberry32 seeded by (seed, case): case K is reproducible on its own. */
function rng(seed: number, caseNo: number): () => number {
  let a = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(caseNo + 1, 0xc2b2ae35)) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Heap of the worker running cases: the memory bound a case must stay within. */
const WORKER_HEAP_MB = 1024;
const OPCODES = Object.values(Op).filter((v): v is number => typeof v === 'number');
const BOUNDARY = [0, 1, 0x7f, 0x80, 0xff, 0x7fffffff, 0x80000000, 0xffffffff];

function splice(bytes: Uint8Array, at: number, removeAtMost: number, insert: Uint8Array): Uint8Array {
  const remove = Math.min(removeAtMost, bytes.length - at);
  const out = new Uint8Array(bytes.length - remove + insert.length);
  out.set(bytes.subarray(0, at));
  out.set(insert, at);
  out.set(bytes.subarray(at + remove), at + insert.length);
  return out;
}

/** One random edit of `bytes`; `pickle` enables opcode insertions (the bytes are a pickle stream). */
function mutate(bytes: Uint8Array, random: () => number, others: readonly Seed[], pickle: boolean): Uint8Array {
  const pick = (n: number) => Math.floor(random() * n);
  const at = pick(bytes.length + 1);
  const kinds = pickle ? 9 : 6;
  switch (pick(kinds)) {
    case 0: { // flip 1-8 bits
      const out = bytes.slice();
      for (let i = pick(8) + 1; i > 0 && out.length > 0; i--) out[pick(out.length)]! ^= 1 << pick(8);
      return out;
    }
    case 1: { // a boundary value written over a 1/2/4/8-byte field
      const out = bytes.slice();
      const width = [1, 2, 4, 8][pick(4)]!;
      const value = BOUNDARY[pick(BOUNDARY.length)]!;
      for (let i = 0; i < width && at + i < out.length; i++) out[at + i] = i < 4 ? (value >>> (8 * i)) & 0xff : random() < 0.5 ? 0 : 0xff;
      return out;
    }
    case 2: // truncate
      return bytes.subarray(0, pick(bytes.length));
    case 3: { // splice in a chunk of another seed (or this one)
      const donor = random() < 0.5 ? bytes : others[pick(others.length)]!.bytes;
      const from = pick(donor.length);
      return splice(bytes, at, pick(64), donor.subarray(from, from + pick(256)));
    }
    case 4: // delete a range
      return splice(bytes, at, pick(32) + 1, new Uint8Array(0));
    case 5: { // duplicate a range
      const from = pick(bytes.length);
      return splice(bytes, at, 0, bytes.slice(from, from + pick(128) + 1));
    }
    case 6:
    case 7: { // a small int argument (shape, stride, offset, numel, memo index) set to a boundary value
      const ints = [];
      for (let i = 0; i < bytes.length - 1; i++) if (bytes[i] === Op.BININT1 || bytes[i] === Op.BININT2 || bytes[i] === Op.BININT) ints.push(i);
      if (ints.length === 0) return bytes;
      const out = bytes.slice();
      const opAt = ints[pick(ints.length)]!;
      const width = out[opAt] === Op.BININT1 ? 1 : out[opAt] === Op.BININT2 ? 2 : 4;
      const value = [0, 1, 2, 0x7f, 0xff, 0xffff, 0x7fffffff, 0xffffffff, pick(64)][pick(9)]!;
      for (let i = 0; i < width && opAt + 1 + i < out.length; i++) out[opAt + 1 + i] = (value >>> (8 * i)) & 0xff;
      return out;
    }
    default: { // insert a pickle opcode with random argument bytes
      const arg = Uint8Array.from({ length: pick(9) }, () => (random() < 0.3 ? [0, 0xff, 0x0a][pick(3)]! : pick(256)));
      return splice(bytes, at, 0, Uint8Array.of(OPCODES[pick(OPCODES.length)]!, ...arg));
    }
  }
}

/** Opcodes that only push a value: replacing one with another value keeps the pickle well formed. */
const PUSHES = new Set(['NONE', 'NEWTRUE', 'NEWFALSE', 'BININT', 'BININT1', 'BININT2', 'LONG1', 'BINFLOAT', 'BINUNICODE', 'SHORT_BINUNICODE',
  'BINSTRING', 'SHORT_BINSTRING', 'EMPTY_TUPLE', 'EMPTY_LIST', 'EMPTY_DICT', 'BINGET', 'LONG_BINGET', 'GLOBAL', 'BINBYTES', 'SHORT_BINBYTES']);

const text = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
/** Values that make reader checks work: wrong types, boundary ints, huge and negative numbers, globals, memo reads. */
function valueSnippet(random: () => number): Uint8Array {
  const pick = (n: number) => Math.floor(random() * n);
  const snippets = [
    'N', '\x88', '\x89', 'K\x00', 'K\x01', 'M\xff\xff', 'J\xff\xff\xff\xff', 'J\x00\x00\x00\x80', 'J\xff\xff\xff\x7f',
    '\x8a\x08\xff\xff\xff\xff\xff\xff\xff\x7f', '\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00\x01', '\x8a\x01\xff',
    'G\x7f\xf8\x00\x00\x00\x00\x00\x00', 'X\x07\x00\x00\x00storage', 'X\x00\x00\x00\x00', ')', ']', '}',
    'ctorch\nFloatStorage\n', 'cos\nsystem\n', 'ctorch._utils\n_rebuild_tensor_v2\n', 'ccollections\nOrderedDict\n',
    '(K\x02K\x03t', '(J\xff\xff\xff\x7fJ\xff\xff\xff\x7ft', '(\x8a\x01\xfft', '(K\x00t', '(t',
  ];
  if (random() < 0.2) return Uint8Array.of(Op.BINGET, pick(256));
  return text(snippets[pick(snippets.length)]!);
}

/** A well-formed edit: a pushed value replaced by another, or a value pushed and popped at an opcode boundary. */
function mutateValue(bytes: Uint8Array, ops: readonly [number, number, string][], random: () => number): Uint8Array {
  const pick = (n: number) => Math.floor(random() * n);
  const pushes = ops.filter(([, , name]) => PUSHES.has(name));
  if (pushes.length > 0 && random() < 0.7) {
    const [at, length] = pushes[pick(pushes.length)]!;
    return splice(bytes, at, length, valueSnippet(random));
  }
  const [at] = ops[pick(ops.length)]!;
  return splice(bytes, at, 0, Uint8Array.of(...valueSnippet(random), Op.POP));
}

/**
 * The tricks scanner bypasses use (make_scanner_attacks.py), as stack-neutral snippets inserted at an opcode
 * boundary: each pushes something the scan must judge dangerous and pops it. A file that still lists must then be
 * rated dangerous; FRAME with a random length is also inserted, for robustness only (it may happen to be legal).
 */
const TRICKS: Readonly<Record<string, string>> = {
  'computed STACK_GLOBAL': 'cbuiltins\nstr\n(Vos\ntRVsystem\n\x930',
  'BUILD on a module': 'ctorch\n_utils\n}Vx\nNsb0',
  'SETITEM into sys.modules': 'csys\nmodules\nVx\nNs0',
  'dotted attribute path': '\x8c\x13torch.serialization\x8c\x09os.system\x930',
  'alias nt': 'cnt\nsystem\n0',
  'alias _operator': 'c_operator\nattrgetter\n0',
  '__builtins__ path': '\x8c\x0c__builtins__\x8c\x04eval\x930',
  'dunder walk': '\x8c\x08builtins\x8c\x0dstr.__class__\x930',
};
const TRICK_NAMES = Object.keys(TRICKS);

function scannerTrick(bytes: Uint8Array, ops: readonly [number, number, string][], random: () => number): { bytes: Uint8Array; trick: string } {
  const pick = (n: number) => Math.floor(random() * n);
  const [at] = ops[pick(ops.length)]!;
  if (random() < 0.2) {
    const frame = new Uint8Array(9);
    frame[0] = Op.FRAME;
    new DataView(frame.buffer).setBigUint64(1, BigInt(pick(80)), true);
    return { bytes: splice(bytes, at, 0, frame), trick: 'lying FRAME' };
  }
  const trick = TRICK_NAMES[pick(TRICK_NAMES.length)]!;
  return { bytes: splice(bytes, at, 0, text(TRICKS[trick]!)), trick };
}

/** safetensors: one number of the JSON header (shape, offsets) replaced by a boundary value, length field fixed up. */
function mutateHeaderNumber(bytes: Uint8Array, random: () => number): Uint8Array {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = new TextDecoder().decode(bytes.subarray(8, 8 + length));
  const numbers = [...header.matchAll(/\d+/g)];
  const target = numbers[Math.floor(random() * numbers.length)]!;
  const values = ['-1', '0', '1', '1e300', '0.5', '9007199254740993', '18446744073709551616', '4294967296', '[]', '"x"', 'null', String(Math.floor(random() * 300))];
  const edited = header.slice(0, target.index) + values[Math.floor(random() * values.length)]! + header.slice(target.index! + target[0].length);
  const text = new TextEncoder().encode(edited);
  const out = new Uint8Array(8 + text.length + bytes.length - 8 - length);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  out.set(bytes.subarray(8 + length), 8 + text.length);
  return out;
}

/** A mutant; `trick` names the scanner trick it holds (its only edit), see TRICKS. */
interface FuzzCase { readonly name: string; readonly bytes: Uint8Array; readonly trick?: string }

function makeCase(seeds: readonly Seed[], seed: number, caseNo: number): FuzzCase {
  const random = rng(seed, caseNo);
  const base = seeds[Math.floor(random() * seeds.length)]!;
  const edits = [1, 1, 1, 2, 2, 3][Math.floor(random() * 6)]!;
  const name = `fuzz-s${seed}-c${caseNo}-${base.name}`;
  if (base.ops.length > 0 && random() < 0.2) {
    if (base.entries) {
      const entries = base.entries.map((e) => ({ ...e }));
      const pkl = entries.find((e) => e.name.endsWith('data.pkl'))!;
      const { bytes, trick } = scannerTrick(pkl.data, base.ops, random);
      pkl.data = bytes;
      return { name, bytes: zipArchive(entries), trick };
    }
    return { name, ...scannerTrick(base.bytes, base.ops, random) };
  }
  // Half the pickle cases start with a well-formed value edit (positions come from the unmutated opcodes).
  const structured = base.ops.length > 0 && random() < 0.5;
  const edit = (bytes: Uint8Array, pickle: boolean): Uint8Array => {
    if (structured) return random() < 0.3 ? mutate(mutateValue(bytes, base.ops, random), random, seeds, pickle) : mutateValue(bytes, base.ops, random);
    let out = bytes;
    for (let i = 0; i < edits; i++) out = mutate(out, random, seeds, pickle);
    return out;
  };
  if (base.entries && (structured || random() < 0.6)) {
    // Mutate data.pkl itself and rebuild a consistent zip: reaches the pickle machine past the zip checks.
    const entries = base.entries.map((e) => ({ ...e }));
    // An .npz has no data.pkl: one of its .npy entries is mutated instead.
    const pkl = entries.find((e) => e.name.endsWith('data.pkl')) ?? entries[Math.floor(random() * entries.length)]!;
    pkl.data = edit(pkl.data, pkl.name.endsWith('data.pkl'));
    return { name, bytes: zipArchive(entries) };
  }
  if (base.name.endsWith('.safetensors') && random() < 0.5) return { name, bytes: mutateHeaderNumber(base.bytes, random) };
  return { name, bytes: edit(base.bytes, base.name.startsWith('legacy') || base.name.endsWith('.pkl')) };
}

// ---------------------------------------------------------------- one case

/**
 * Runs a mutant as the editor would; returns a failure message, or undefined when it ended well. Besides crashes:
 * a broken pickle must still carry a verdict, and a listed file holding a scanner trick must be rated dangerous.
 */
async function runCase({ name, bytes, trick }: FuzzCase, outcomes: Map<string, number>): Promise<string | undefined> {
  const source = memorySource(name, bytes);
  const result = await attempt(source);
  if (result.crash !== undefined) return describe(result.crash);
  const count = (outcome: string) => outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  if (!result.index) {
    const error = result.error!;
    if (error instanceof PickleFormatError && error.safety === undefined) return `an error without a verdict: ${error.message}`;
    count(trick === undefined ? error.name : `trick refused (${error.name})`);
    return undefined;
  }
  if (trick !== undefined) {
    if (trick !== 'lying FRAME' && result.index.safety.verdict !== 'dangerous') return `${trick} listed as ${result.index.safety.verdict}`;
    count(`trick listed ${result.index.safety.verdict}`);
    return undefined;
  }
  // Listed: the editor goes on with key mapping and model detection, the convert command with planning.
  let planned = false;
  try {
    mapCheckpoint(result.index);
    const detection = await detectModel(result.index, source);
    const options = detection.refusal ? undefined : defaultConversionOptions(detection);
    if (options && validateConversionOptions(detection, options).length === 0) {
      describeGrid(detection, options);
      planConversion(result.index, detection, options);
      planned = true;
    }
  } catch (err) {
    if (!(err instanceof CheckpointError) && !(err instanceof ConversionRefusedError)) return `model detection: ${describe(err)}`;
  }
  count(`${planned ? 'planned' : 'listed'} ${result.index.format}`);
  return undefined;
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const frame = err.stack?.split('\n').find((l) => l.includes('/src/'))?.trim() ?? '';
  return `${err.name}: ${err.message.slice(0, 300)} ${frame}`;
}

// ---------------------------------------------------------------- worker: runs cases, publishes progress

interface WorkerInput { seeds: Seed[]; seed: number; from: number; to: number; slowMs: number; progress: SharedArrayBuffer }
type WorkerMessage = { failure: CaseFailure } | { done: true; outcomes: [string, number][]; slowest: { case: number; ms: number } };

async function workerMain(input: WorkerInput): Promise<void> {
  // progress[0] = case being run, progress[1] = cases finished
  const progress = new Int32Array(input.progress);
  const outcomes = new Map<string, number>();
  const slowest = { case: -1, ms: 0 };
  // Self-test of the watchdog: FUZZ_INJECT_HANG=K makes case K spin forever.
  const injectedHang = Number(process.env.FUZZ_INJECT_HANG ?? -1);
  for (let c = input.from; c < input.to; c++) {
    Atomics.store(progress, 0, c);
    while (c === injectedHang) { /* spin: the main thread must notice and move on */ }
    const mutant = makeCase(input.seeds, input.seed, c);
    const started = performance.now();
    const problem = await runCase(mutant, outcomes);
    const ms = performance.now() - started;
    if (ms > slowest.ms) Object.assign(slowest, { case: c, ms });
    if (problem !== undefined) parentPort!.postMessage({ failure: { case: c, kind: 'crash', message: problem } } satisfies WorkerMessage);
    else if (ms > input.slowMs) parentPort!.postMessage({ failure: { case: c, kind: 'slow', message: `took ${ms.toFixed(0)} ms` } } satisfies WorkerMessage);
    Atomics.add(progress, 1, 1);
  }
  parentPort!.postMessage({ done: true, outcomes: [...outcomes], slowest } satisfies WorkerMessage);
}

// ---------------------------------------------------------------- main: watchdog, restarts, summary

export interface FuzzSummary {
  seed: number;
  from: number;
  cases: number;
  failures: CaseFailure[];
  /** How the cases ended: `listed <format>` or the CheckpointError class (cases of a terminated worker are not counted). */
  outcomes: Record<string, number>;
  /** The slowest case that finished (wall clock, ms). */
  slowest: { case: number; ms: number };
  elapsedMs: number;
}

function runWorker(seeds: Seed[], seed: number, from: number, to: number, hangMs: number, slowMs: number,
  onFailure: (f: CaseFailure) => void, onProgress: (done: number) => void, outcomes: Record<string, number>,
  slowest: { case: number; ms: number }): Promise<number> {
  // Resolves with the next case to run: `to` when finished, or the case after one that hung.
  return new Promise((resolve) => {
    const progress = new SharedArrayBuffer(8);
    const view = new Int32Array(progress);
    Atomics.store(view, 0, from);
    const worker = new Worker(__filename, {
      workerData: { fuzzWorker: true, seeds, seed, from, to, slowMs, progress } satisfies WorkerInput & { fuzzWorker: true },
      // A mutant that makes the reader exhaust memory kills only this worker, and counts as a failure.
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
    });
    let last = { caseNo: from, since: Date.now() };
    let reported = 0;
    const timer = setInterval(() => {
      const done = Atomics.load(view, 1);
      if (done > reported) { onProgress(done - reported); reported = done; }
      const current = Atomics.load(view, 0);
      if (current !== last.caseNo) last = { caseNo: current, since: Date.now() };
      else if (Date.now() - last.since > hangMs) {
        clearInterval(timer);
        onFailure({ case: current, kind: 'hang', message: `still running after ${hangMs} ms` });
        void worker.terminate().then(() => resolve(current + 1));
      }
    }, 100);
    worker.on('message', (m: WorkerMessage) => {
      if ('failure' in m) onFailure(m.failure);
      else {
        for (const [k, n] of m.outcomes) outcomes[k] = (outcomes[k] ?? 0) + n;
        if (m.slowest.ms > slowest.ms) Object.assign(slowest, m.slowest);
        clearInterval(timer);
        const done = Atomics.load(view, 1);
        if (done > reported) onProgress(done - reported);
        void worker.terminate().then(() => resolve(to));
      }
    });
    worker.on('error', (err) => {
      // An uncaught error or out-of-memory in the worker is the current case's failure.
      clearInterval(timer);
      const current = Atomics.load(view, 0);
      onFailure({ case: current, kind: 'crash', message: `worker died: ${describe(err)}` });
      resolve(current + 1);
    });
    worker.on('exit', () => clearInterval(timer));
  });
}

function nastySeed(): Uint8Array {
  let bomb: Uint8Array = concat(op.str('x'), op.put(0));
  for (let i = 0; i < 20; i++) bomb = concat(bomb, op.pop, op.mark, op.get(0), op.get(0), op.tuple, op.put(0));
  const tensor = (offset: bigint, size: bigint[], stride: bigint[]) => rebuildTensor(storagePid('0', 6), offset, size, stride);
  return torchZip(dictPickle([
    ['w', tensor(0n, [2n, 3n], [3n, 1n])], ['t', tensor(0n, [3n, 2n], [1n, 3n])], ['e', tensor(1n, [4n, 5n], [0n, 0n])],
    ['self', concat(op.emptyList, op.put(1), op.get(1), op.append)], ['bomb', bomb],
    ['keyed', concat(op.emptyDict, op.mark, op.int(1), op.str('a'), op.tuple, tensor(2n, [2n], [2n]), op.setitem)],
  ]));
}

/**
 * The seed checkpoints, written by torch into `dir` (or reused from it when a previous run wrote them).
 * Reuse matters: torch's legacy writer names storages by memory address, so a fresh legacy seed differs
 * from run to run, and `--seed S --from K` reproduces a legacy case only with the same seed files.
 */
async function loadSeeds(dir: string): Promise<Seed[]> {
  mkdirSync(dir, { recursive: true });
  const opsFile = join(dir, 'ops.json');
  if (!existsSync(opsFile)) {
    const printed = (await runPython(WRITE_SEEDS, [dir, join(process.cwd(), 'test', 'fixtures', 'ssast-tiny-sample.pth')])).trim().split('\n').pop()!;
    writeFileSync(opsFile, printed);
  }
  const opsByName = JSON.parse(readFileSync(opsFile, 'utf8')) as Record<string, [number, number, string][]>;
  const seeds: Seed[] = [];
  for (const [name, ops] of Object.entries(opsByName)) {
    const bytes = new Uint8Array(readFileSync(join(dir, name)));
    const archive = await openZip(memorySource(name, bytes));
    const entries = archive && await Promise.all(archive.entries.map(async (e) => ({ name: e.name, data: await archive.readEntry(e, bytes.length) })));
    seeds.push({ name, bytes, ops, ...(entries ? { entries } : {}) });
  }
  // Legal but nasty structures (self-reference, shared-reference bomb, stride-0 view, tuple keys) as seeds too.
  const nasty = nastySeed();
  const archive = (await openZip(memorySource('nasty.pth', nasty)))!;
  const entries = await Promise.all(archive.entries.map(async (e) => ({ name: e.name, data: await archive.readEntry(e, nasty.length) })));
  seeds.push({ name: 'nasty.pth', bytes: nasty, ops: [], entries });
  return seeds;
}

export async function fuzz(opts: { seed: number; from: number; cases: number; hangMs: number; slowMs: number; outDir: string; seedsDir: string; log: (line: string) => void }): Promise<FuzzSummary> {
  const started = Date.now();
  const seeds = await loadSeeds(opts.seedsDir);
  const failures: CaseFailure[] = [];
  const outcomes: Record<string, number> = {};
  const slowest = { case: -1, ms: 0 };
  const end = opts.from + opts.cases;
  let done = 0;
  let nextReport = 10_000;
  const onFailure = (f: CaseFailure) => {
    const { name, bytes } = makeCase(seeds, opts.seed, f.case);
    mkdirSync(opts.outDir, { recursive: true });
    const file = join(opts.outDir, `${name}.bin`);
    writeFileSync(file, bytes);
    failures.push({ ...f, file });
    opts.log(`FAIL seed ${opts.seed} case ${f.case} (${f.kind}): ${f.message}\n  reproduce: npm run fuzz -- --seed ${opts.seed} --from ${f.case} --cases 1   mutant: ${file}`);
  };
  const onProgress = (n: number) => {
    done += n;
    if (done >= nextReport) {
      opts.log(`${done} cases, ${failures.length} failures, ${((Date.now() - started) / 1000).toFixed(0)} s`);
      nextReport += 10_000;
    }
  };
  for (let next = opts.from; next < end;) {
    next = await runWorker(seeds, opts.seed, next, end, opts.hangMs, opts.slowMs, onFailure, onProgress, outcomes, slowest);
  }
  return { seed: opts.seed, from: opts.from, cases: opts.cases, failures, outcomes, slowest, elapsedMs: Date.now() - started };
}

const FUZZ_OPTIONS = {
  seed: { type: 'string', default: '1' }, cases: { type: 'string', default: '1000' }, from: { type: 'string', default: '0' },
  'hang-ms': { type: 'string', default: '10000' }, 'slow-ms': { type: 'string', default: '2000' }, out: { type: 'string', default: join('out', 'fuzz') },
  seeds: { type: 'string', default: join('out', 'fuzz', 'seeds') }, help: { type: 'boolean', short: 'h' },
} as const;

const USAGE = `usage: npm run fuzz -- [--seed S] [--cases N] [--from K] [--hang-ms MS] [--slow-ms MS] [--out DIR] [--seeds DIR]

  --seed S      which mutants (default 1); case K of seed S is always the same mutant
  --cases N     how many cases (default 1000), starting at --from K (default 0)
  --hang-ms MS  a case still running after MS is a hang: its worker is terminated (default 10000)
  --slow-ms MS  a case slower than MS is a failure (default 2000)
  --out DIR     where failing mutants are written (default out/fuzz)
  --seeds DIR   the torch-written seed files, made once and reused (default out/fuzz/seeds)

Prints a JSON summary; exit status 0 when no case failed, 1 otherwise.`;

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ options: FUZZ_OPTIONS });
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  const { values } = parsed;
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  const summary = await fuzz({
    seed: Number(values.seed), cases: Number(values.cases), from: Number(values.from),
    hangMs: Number(values['hang-ms']), slowMs: Number(values['slow-ms']), outDir: values.out, seedsDir: values.seeds,
    log: (line) => process.stderr.write(line + '\n'),
  });
  process.stdout.write(JSON.stringify(summary) + '\n');
  process.exitCode = summary.failures.length === 0 ? 0 : 1;
}

if (!isMainThread && (workerData as { fuzzWorker?: boolean } | null)?.fuzzWorker) void workerMain(workerData as WorkerInput);
else if (isMainThread && require.main === module) void main();
