// Malformed and hostile structures: each ends in under 2 s of CPU with a one-line CheckpointError naming
// the file and what is wrong (or lists, for structures that are legal but nasty), never another exception;
// the 5M-value case runs in its own CLI process under a heap cap instead (its bound is memory).
// Bounds the core enforces (so memory stays bounded): pickle values 5M, nested MARKs 100k, memo 5M,
// ints 64 KiB, data.pkl 1 GiB (and at most 1032× its deflated size), central directory 256 MiB,
// safetensors header 100 MiB, object walk 1M values / depth 200 / 100k tensors, tensor reads 2 GiB.
import assert from 'node:assert/strict';
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../helpers/cli';
import { runPython, tempDir } from '../../helpers/torch';
import { CheckpointError } from '../../../src/core/errors';
import { openFileSource } from '../../../src/node/nodeFileSource';
import { attempt, type Attempt } from '../../hostile/attempt';
import {
  concat, dictPickle, le64, legacyTorch, op, rebuildTensor, repeat, SIX_FLOATS, storagePid, torchZip, zipArchive,
} from '../../hostile/hostileBytes';

const WRITE_REAL = String.raw`
import json, struct, sys, torch
folder = sys.argv[1]
torch.manual_seed(0)
w = torch.randn(8, 16)
obj = {'state_dict': {'w': torch.nn.Parameter(w), 'wt': w.t(), 'b': torch.arange(10, dtype=torch.int64)[2:7], 'h': torch.randn(5).half()}, 'epoch': 3}
torch.save(obj, folder + '/real.pth')
torch.save(obj, folder + '/real-legacy.pth', _use_new_zipfile_serialization=False)
# safetensors, written to the spec from torch's bytes (torch 1.13 has no safetensors writer)
tensors = {'a': torch.randn(4, 4), 'b': torch.arange(6, dtype=torch.int32)}
header, data = {}, b''
for name, t in tensors.items():
    raw = t.numpy().tobytes()
    header[name] = {'dtype': {torch.float32: 'F32', torch.int32: 'I32'}[t.dtype], 'shape': list(t.shape), 'data_offsets': [len(data), len(data) + len(raw)]}
    data += raw
text = json.dumps(header).encode()
open(folder + '/real.safetensors', 'wb').write(struct.pack('<Q', len(text)) + text + data)
`;

/** CPU time a case may take (CPU, not wall clock: other engineers' processes share the 2 cores), and the wall-clock hang bound. */
const LIMIT_MS = 2000;
const HANG_MS = 10_000;
const MIB = 1024 * 1024;
/** Heap the CLI gets for the value-budget case: 5M values fit (about 80 bytes each), unbounded ones do not. */
const HEAP_CAP_MIB = 768;

describe('malformed inputs: typed one-line errors, fast, bounded', () => {
  const tmp = tempDir('malformed-');
  const real: Record<string, Uint8Array> = {};
  let maxMs = 0;
  let maxName = '';
  let peakRss = 0;
  let cases = 0;
  before(async () => {
    await runPython(WRITE_REAL, [tmp.dir]);
    for (const name of ['real.pth', 'real-legacy.pth', 'real.safetensors']) real[name] = new Uint8Array(readFileSync(join(tmp.dir, name)));
  });
  after(() => {
    console.log(`# malformed: ${cases} cases, slowest ${maxMs.toFixed(0)} ms of CPU (${maxName}), peak RSS ${(peakRss / MIB).toFixed(0)} MiB`);
    tmp.cleanup();
  });

  /** Writes `bytes`, opens it (list + read up to 3 tensors), checks it ended well and fast. */
  async function run(name: string, bytes: Uint8Array): Promise<Attempt & { file: string }> {
    const file = join(tmp.dir, name);
    writeFileSync(file, bytes);
    const source = await openFileSource(file);
    let result: Attempt;
    const cpu = process.cpuUsage();
    try {
      result = await attempt(source);
    } finally {
      await source.close();
    }
    const { user, system } = process.cpuUsage(cpu);
    const cpuMs = (user + system) / 1000;
    cases++;
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    if (cpuMs > maxMs) { maxMs = cpuMs; maxName = name; }
    assert.equal(result.crash, undefined, `${name}: not a CheckpointError: ${result.crash instanceof Error ? result.crash.stack : String(result.crash)}`);
    assert.ok(cpuMs < LIMIT_MS, `${name} took ${cpuMs.toFixed(0)} ms of CPU`);
    assert.ok(result.ms < HANG_MS, `${name} took ${result.ms.toFixed(0)} ms`);
    if (result.error) {
      assert.ok(!result.error.message.includes('\n'), `${name}: one line: ${result.error.message}`);
      assert.ok(result.error.message.startsWith(`${file}: `), `${name}: names the file: ${result.error.message}`);
    }
    return { ...result, file };
  }

  async function fails(name: string, bytes: Uint8Array, expected: RegExp): Promise<CheckpointError> {
    const result = await run(name, bytes);
    assert.ok(result.error, `${name} opened without error`);
    assert.match(result.error.message, expected);
    return result.error;
  }

  const weight = rebuildTensor(storagePid('0', 6), 0n, [2n, 3n], [3n, 1n]);

  it('truncation at every 1/16 of a real torch zip, legacy file and safetensors file', async () => {
    for (const [name, bytes] of Object.entries(real)) {
      for (let k = 1; k < 16; k++) {
        const cut = Math.floor((bytes.length * k) / 16);
        const result = await run(`cut-${k}-${name}`, bytes.subarray(0, cut));
        assert.ok(result.error, `${name} cut at ${cut} of ${bytes.length} opened without error`);
        assert.match(result.error.message, /truncated|cut off|past the end|outside the file|not a checkpoint|corrupt/);
      }
    }
  });

  it('bit flips anywhere in real files end in a listing or a typed error', async () => {
    let seed = 12345;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (const [name, bytes] of Object.entries(real)) {
      for (let i = 0; i < 150; i++) {
        const copy = bytes.slice();
        const at = next() % copy.length;
        copy[at]! ^= 1 << (next() % 8);
        await run(`flip-${name}`, copy);
      }
    }
  });

  it('central directory pointing outside the file', async () => {
    const zip = zipArchive([{ name: 'archive/data.pkl', data: dictPickle([['w', weight]]) }, { name: 'archive/data/0', data: SIX_FLOATS }]);
    const eocd = zip.length - 22;
    const outside = zip.slice();
    new DataView(outside.buffer).setUint32(eocd + 16, 0x7fff0000, true);
    await fails('cd-outside.pth', outside, /corrupt zip: central directory \(\d+ bytes at byte 2147418112\) runs past the end-of-central-directory record \(at byte \d+\)$/);
    const huge = zip.slice();
    new DataView(huge.buffer).setUint32(eocd + 12, 0xfffffff0, true);
    await fails('cd-size-huge.pth', huge, /corrupt zip: central directory \(4294967280 bytes/);
  });

  it('lying ZIP64 fields in a real torch zip', async () => {
    const bytes = real['real.pth']!;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let record = -1;
    for (let at = bytes.length - 98; at >= 0; at--) if (view.getUint32(at, true) === 0x06064b50) { record = at; break; }
    assert.ok(record > 0, 'torch writes a ZIP64 end-of-central-directory record');
    const lie = (name: string, field: number, value: bigint) => {
      const copy = bytes.slice();
      copy.set(le64(value), record + field);
      return run(name, copy);
    };
    const entries = await lie('zip64-entries.pth', 32, 1n << 40n);
    assert.match(entries.error?.message ?? '', /central directory entry \d+ of 1099511627776 is missing or has a bad signature/);
    const size = await lie('zip64-size.pth', 40, 1n << 50n);
    assert.match(size.error?.message ?? '', /runs past the end-of-central-directory record/);
    const offset = await lie('zip64-offset.pth', 48, (1n << 63n) + 5n);
    assert.match(offset.error?.message ?? '', /ZIP64 record sizes are out of range/);
    const locator = bytes.slice();
    locator.set(le64(1n << 52n), bytes.length - 22 - 20 + 8);
    assert.match((await run('zip64-locator.pth', locator)).error?.message ?? '', /ZIP64 locator points outside the file/);
  });

  it('huge declared sizes: safetensors header of 2^63 bytes, a 100 GB zip entry, a deflate bomb claim', async () => {
    await fails('header-2-63.safetensors', concat(le64(1n << 63n), '{"a":1}'), /safetensors|header length over 2\^53 is larger than the 104857600-byte limit/);
    await fails('header-1g.safetensors', concat(le64(1n << 30n), '{"a":1}'), /header length 1073741824 is larger than the 104857600-byte limit/);
    const hundredGb = 100n * 1024n ** 3n;
    await fails('entry-100gb.pth', zipArchive([
      { name: 'archive/data.pkl', data: dictPickle([['w', weight]]) },
      { name: 'archive/data/0', data: SIX_FLOATS, declaredSize: hundredGb },
    ]), /entry data \(107374182400 bytes at byte \d+\) lies outside the file \(\d+ bytes\); the file is truncated or corrupt \(entry archive\/data\/0\)$/);
    const deflated = await run('deflated-ok.pth', zipArchive([{ name: 'archive/data.pkl', data: dictPickle([['w', weight]]), deflate: true }, { name: 'archive/data/0', data: SIX_FLOATS }]));
    assert.deepEqual(deflated.index?.tensors.map((t) => t.name), ['w']);
    // A small deflated data.pkl that claims to inflate to 1 GiB must be refused before 1 GiB is allocated.
    const before = process.memoryUsage.rss();
    await fails('deflate-claim.pth', zipArchive([
      { name: 'archive/data.pkl', data: dictPickle([['w', weight]]), deflate: true, declaredSize: 1n << 30n },
      { name: 'archive/data/0', data: SIX_FLOATS },
    ]), /deflated entry of \d+ bytes claims 1073741824 bytes uncompressed, more than deflate can produce \(entry archive\/data\.pkl\)$/);
    assert.ok(process.memoryUsage.rss() - before < 256 * MIB, 'no 1 GiB buffer was allocated');
  });

  it('a legacy pickle claiming a 4 GB string in a 3 GiB (sparse) file: refused at once, not read', async () => {
    const file = join(tmp.dir, 'sparse-legacy.pth');
    writeFileSync(file, legacyTorch(concat(op.proto, [0x58, 0xf0, 0xff, 0xff, 0xff])));
    truncateSync(file, 3 * 1024 ** 3);
    const source = await openFileSource(file);
    try {
      const rss = process.memoryUsage.rss();
      const result = await attempt(source);
      assert.equal(result.crash, undefined, String(result.crash));
      assert.match(result.error?.message ?? '', /pickle is cut off: opcode needs 4294967280 bytes at byte \d+/);
      assert.ok(result.ms < LIMIT_MS, `${result.ms} ms`);
      assert.ok(process.memoryUsage.rss() - rss < 64 * MIB, 'the claimed bytes were not read');
    } finally {
      await source.close();
    }
  });

  it('10^6 nested MARKs and 10^6 nested lists', async () => {
    await fails('marks.pth', torchZip(concat(op.proto, repeat('(', 1_000_000), op.stop)), /bad pickle: more than 100000 nested marks \(entry archive\/data\.pkl, byte \d+\)$/);
    // [[[[…]]]] a million deep, built with the memo (no marks): legal, listed, the walk stops at its depth bound.
    const deep = concat(op.emptyList, op.put(0), repeat(concat(op.emptyList, op.put(1), op.append, op.pop, op.get(1)), 1_000_000), op.pop, op.get(0));
    const listed = await run('nested-lists.pth', torchZip(dictPickle([['w', weight], ['deep', deep]])));
    assert.deepEqual(listed.index?.tensors.map((t) => t.name), ['w']);
    assert.ok(listed.index?.warnings.some((w) => /nested deeper than/.test(w)));
  });

  it('990k values in a list 190 dicts deep: listed within the walk bounds without copying the path per value', async () => {
    const deepThenWide = concat(repeat(concat(op.emptyDict, op.str('k')), 190), op.emptyList, op.mark, repeat([0x4b, 1], 990_000), 'e', repeat(op.setitem, 190));
    const listed = await run('deep-wide.pth', torchZip(dictPickle([['w', weight], ['x', deepThenWide]])));
    assert.deepEqual(listed.index?.tensors.map((t) => t.name), ['w']);
  });

  it('10^5 nested tuples as a dict key, nested Parameter rebuilds, nested bytearrays', async () => {
    const tuples = concat(op.str('x'), repeat(op.tuple1, 100_000));
    const keyed = await run('nested-tuple-key.pth', torchZip(dictPickle([['w', weight], ['k', concat(op.emptyDict, tuples, weight, op.setitem)]])));
    const cutKey = keyed.index?.tensors.find((t) => t.path[0] === 'k')?.path[1];
    assert.ok(cutKey?.startsWith('(((') && cutKey.endsWith('…') && cutKey.length === 1001, `key cut to 1000 characters: ${cutKey?.slice(0, 20)}`);
    const param = op.global('torch._utils', '_rebuild_parameter');
    const params = concat(param, op.put(0), repeat(op.get(0), 99_999), weight, repeat(concat(op.tuple1, op.reduce), 100_000));
    await fails('nested-parameters.pth', torchZip(dictPickle([['w', params]])), /tensor w: tensor rebuild calls nested more than 16 deep$/);
    const bytearray = op.global('builtins', 'bytearray');
    const arrays = concat(bytearray, op.put(0), repeat(op.get(0), 99_999), op.str('x'), repeat(concat(op.tuple1, op.reduce), 100_000));
    const arraysListed = await run('nested-bytearrays.pth', torchZip(dictPickle([['w', weight], ['b', arrays]])));
    assert.deepEqual(arraysListed.index?.tensors.map((t) => t.name), ['w']);
  });

  it('a pickle past the 5M-value budget ends with an error at the budget, within a 768 MiB heap', async () => {
    // Its own process under a heap cap: what the budget lets a pickle allocate must fit the cap (V8 would abort
    // with exit 134 otherwise), whatever else this test process holds and however busy the machine is.
    const file = join(tmp.dir, 'values-5m.pth');
    writeFileSync(file, torchZip(concat(op.proto, op.emptyList, op.mark, repeat(op.emptyList, 5_000_000), 'e', op.stop)));
    const run = await runCli(['inspect', file], 60_000, { NODE_OPTIONS: `--max-old-space-size=${HEAP_CAP_MIB}` });
    assert.equal(run.code, 2, `exit ${run.code}: ${run.stderr.slice(0, 300)}`);
    assert.match(run.stderr.trim(), /^error: .*values-5m\.pth: bad pickle: more than 5000000 values; refusing to build more \(entry archive\/data\.pkl, byte \d+\); as far as read, it names no unsafe globals$/);
  });

  it('memo indices out of range', async () => {
    await fails('memo-get.pth', torchZip(concat(op.proto, op.get(7), op.stop)), /bad pickle: memo entry 7 is read before it is written/);
    await fails('memo-long-get.pth', torchZip(concat(op.proto, op.longGet(0xffffffff), op.stop)), /memo entry 4294967295 is read before it is written/);
    const put = await run('memo-long-put.pth', torchZip(concat(op.proto, op.emptyDict, op.longPut(0xffffffff), op.str('w'), weight, op.setitem, op.stop)));
    assert.deepEqual(put.index?.tensors.map((t) => t.name), ['w']);
  });

  it('a list and a dict containing themselves', async () => {
    const selfList = concat(op.emptyList, op.put(5), op.get(5), op.append);
    const selfDict = concat(op.emptyDict, op.put(6), op.str('me'), op.get(6), op.setitem);
    const result = await run('self.pth', torchZip(dictPickle([['w', weight], ['l', selfList], ['d', selfDict]])));
    assert.deepEqual(result.index?.tensors.map((t) => t.name), ['w']);
    assert.match(JSON.stringify(result.index?.metadata), /"cycle"/);
  });

  it('shared references exploding combinatorially (60 levels of 2 copies) as values, object args and dict keys', async () => {
    const bomb = (leaf: Uint8Array | string, wrap: (x: Uint8Array) => Uint8Array) => {
      let body: Uint8Array = concat(leaf, op.put(0));
      for (let i = 0; i < 60; i++) body = concat(body, op.pop, wrap(concat(op.get(0), op.get(0))), op.put(0));
      return body;
    };
    const listBomb = bomb(op.str('x'), (two) => concat(op.mark, two, op.list));
    const callBomb = bomb(op.str('x'), (two) => concat(op.global('argparse', 'Namespace'), op.mark, two, op.tuple, op.reduce));
    const tupleBomb = bomb(op.str('x'), (two) => concat(op.mark, two, op.tuple));
    const keyed = concat(op.emptyDict, tupleBomb, op.int(1), op.setitem);
    const result = await run('bombs.pth', torchZip(dictPickle([['w', weight], ['l', listBomb], ['c', callBomb], ['k', keyed]])));
    assert.deepEqual(result.index?.tensors.map((t) => t.name), ['w']);
    assert.ok(JSON.stringify(result.index?.metadata).length < 1_000_000);
  });

  it('shapes whose element count passes 2^53', async () => {
    const big = rebuildTensor(storagePid('0', 6), 0n, [1n << 30n, 1n << 30n, 1n << 30n], [0n, 0n, 0n]);
    await fails('numel-2-90.pth', torchZip(dictPickle([['w', big]])), /tensor w: shape \[1073741824, 1073741824, 1073741824\] has more than 2\^53 elements/);
    const header = JSON.stringify({ a: { dtype: 'F32', shape: [2 ** 27, 2 ** 27], data_offsets: [0, 2 ** 56] } });
    await fails('numel-big.safetensors', concat(le64(BigInt(header.length)), header), /tensor "a": data_offsets is not a pair of non-negative integers/);
    // Expanded (stride 0) views are legal; one of 2^40 elements lists, and reading it is refused, not attempted.
    const expanded = rebuildTensor(storagePid('0', 6), 0n, [1n << 20n, 1n << 20n], [0n, 0n]);
    const listed = await run('expanded.pth', torchZip(dictPickle([['w', expanded]])));
    assert.equal(listed.index?.tensors[0]?.numel, 2 ** 40);
    const { readTensor } = await import('../../../src/core/tensors/tensorReader');
    const source = await openFileSource(listed.file);
    try {
      await assert.rejects(readTensor(source, listed.index!.tensors[0]!), (err: unknown) => {
        assert.ok(err instanceof CheckpointError, String(err));
        assert.match(err.message, /tensor w is 4398046511104 bytes, more than the 2147483648-byte limit for reading it into memory/);
        return true;
      });
    } finally {
      await source.close();
    }
  });

  it('negative strides or offsets, storages smaller than their view', async () => {
    const pid = storagePid('0', 6);
    await fails('negative-stride.pth', torchZip(dictPickle([['w', rebuildTensor(pid, 0n, [2n, 3n], [3n, -1n])]])), /tensor w: stride is not a non-negative integer/);
    await fails('negative-offset.pth', torchZip(dictPickle([['w', rebuildTensor(pid, -2n, [2n], [1n])]])), /tensor w: storage offset is not a non-negative integer/);
    await fails('view-too-big.pth', torchZip(dictPickle([['w', rebuildTensor(pid, 0n, [4n, 3n], [3n, 1n])]])), /tensor w \(shape \[4, 3\], offset 0\) reads past the end of storage 0 \(6 elements\)/);
    await fails('offset-past.pth', torchZip(dictPickle([['w', rebuildTensor(pid, 5n, [2n], [1n])]])), /reads past the end of storage 0/);
    await fails('numel-lies.pth', torchZip(dictPickle([['w', rebuildTensor(storagePid('0', 600), 0n, [6n], [1n])]])), /storage holds 24 bytes but data\.pkl says 600 float32 elements \(2400 bytes\)/);
    // Legacy views carry their own element offset into the root storage: a negative one must not read before it.
    const legacyView = (offset: bigint) => concat(op.proto, op.emptyDict, op.str('w'),
      rebuildTensor(storagePid('0', 6, { key: 'v', offset, numel: 2 }), 0n, [2n], [1n]), op.setitem, op.stop);
    await fails('legacy-negative-view.pth', legacyTorch(legacyView(-4n)), /tensor w: .*negative|before the start of storage/);
    await fails('legacy-view-past.pth', legacyTorch(legacyView(1n << 40n)), /reads past the end of storage 0/);
  });
});
