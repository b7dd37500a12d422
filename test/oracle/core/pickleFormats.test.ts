// Every pickle-based file is listed, not refused (issue 13): plain pickles (tensors through
// torch.storage._load_from_bytes), joblib dumps, numpy .npy (format 1.0/2.0/3.0) and .npz (stored and
// compressed), sparse and quantized tensors, and legacy whole-module saves. Files are written by the real
// writers (test/fixtures/make_pickle_formats.py); the expected names, dtypes, shapes, hashes and layouts are
// what torch/numpy/joblib report in the same run. Hostile variants are flagged, and nothing runs.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../helpers/cli';
import { runPython, runPythonJson, tempDir } from '../../helpers/torch';
import { openFileSource } from '../../../src/node/nodeFileSource';
import { openCheckpoint } from '../../../src/core/openCheckpoint';
import { tensorStatistics } from '../../../src/core/tensors/statistics';
import { tensorSha256 } from '../../../src/node/tensorSha256';
import type { CheckpointIndex, ModuleSource, SafetyReport } from '../../../src/core/checkpointIndex';

const SCRIPT = join(process.cwd(), 'test', 'fixtures', 'make_pickle_formats.py');
const RUN_SCRIPT = `import runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')`;

interface Expected { name: string; dtype: string; shape: number[]; sha256?: string; layout?: string; sparse?: boolean }
interface BenignFile { file: string; format: string; verdict: string; readable: boolean; tensors: Expected[]; moduleSources?: ModuleSource[]; npyVersion?: number[] }
interface HostileFile { file: string; format: string; global: string; sentinel: string }

async function indexOf(file: string): Promise<CheckpointIndex> {
  const source = await openFileSource(file);
  try {
    return await openCheckpoint(source);
  } finally {
    await source.close();
  }
}

describe('pickle-based formats: listed like checkpoints', () => {
  const tmp = tempDir('pickle-formats-');
  let benign: BenignFile[] = [];
  let hostile: HostileFile[] = [];
  after(() => tmp.cleanup());
  before(async () => {
    await runPython(RUN_SCRIPT, [SCRIPT, tmp.dir]);
    const manifest = JSON.parse(readFileSync(join(tmp.dir, 'manifest.json'), 'utf8')) as { benign: BenignFile[]; hostile: HostileFile[] };
    benign = manifest.benign;
    hostile = manifest.hostile;
  });

  it('the generator wrote every class: plain pickles p2/p4/p5, joblib, .npy 1.0/2.0/3.0, .npz stored and compressed, sparse/quantized, whole module', () => {
    const formats = new Set(benign.map((b) => b.format));
    for (const f of ['pickle', 'joblib', 'numpy', 'npz', 'torch-zip', 'torch-legacy']) assert.ok(formats.has(f), f);
    assert.deepEqual(new Set(benign.filter((b) => b.npyVersion).map((b) => b.npyVersion![0])), new Set([1, 2, 3]));
    assert.equal(hostile.length, 4);
  });

  it('lists each file with the names, dtypes, shapes and layouts Python reports, and the expected verdict', async () => {
    for (const item of benign) {
      const index = await indexOf(item.file);
      const what = basename(item.file);
      assert.equal(index.format, item.format, what);
      assert.equal(index.safety.verdict, item.verdict, what);
      assert.deepEqual(
        index.tensors.map((t) => ({ name: t.name, dtype: t.dtype, shape: [...t.shape], ...(t.layout ? { layout: t.layout } : {}) })),
        item.tensors.map((e) => ({ name: e.name, dtype: e.dtype, shape: e.shape, ...(e.layout ? { layout: e.layout } : {}) })),
        what,
      );
    }
  });

  it('reads the values of every readable tensor byte for byte as Python holds them (sha256)', async (t) => {
    let hashed = 0;
    for (const item of benign) {
      const source = await openFileSource(item.file);
      try {
        const index = await openCheckpoint(source);
        for (const e of item.tensors.filter((x) => x.sha256)) {
          const tensor = index.tensors.find((x) => x.name === e.name)!;
          if (!item.readable) {
            assert.ok(tensor.unreadable, `${basename(item.file)} ${e.name} should say why its values are not read`);
            await assert.rejects(tensorSha256(source, tensor), /values not available/);
            continue;
          }
          assert.equal(await tensorSha256(source, tensor), e.sha256, `${basename(item.file)} ${e.name}`);
          hashed++;
        }
      } finally {
        await source.close();
      }
    }
    t.diagnostic(`${hashed} tensors hashed`);
    assert.ok(hashed >= 15, `${hashed}`);
  });

  it('a sparse tensor is one row; statistics say they are not available instead of failing oddly', async () => {
    const item = benign.find((b) => b.file.endsWith('sparse-quantized-zip.pth'))!;
    const source = await openFileSource(item.file);
    try {
      const index = await openCheckpoint(source);
      const coo = index.tensors.find((t) => t.name === 'coo')!;
      assert.equal(index.tensors.length, item.tensors.length);
      await assert.rejects(tensorStatistics(source, coo), /not available for sparse tensors/);
      // Quantized values are their stored integers, readable as such.
      const stats = await tensorStatistics(source, index.tensors.find((t) => t.name === 'qt')!);
      assert.equal(stats.count, 3);
    } finally {
      await source.close();
    }
  });

  it('a legacy whole-module save opens and keeps the module source torch saved', async () => {
    const item = benign.find((b) => b.moduleSources)!;
    const index = await indexOf(item.file);
    assert.deepEqual(index.moduleSources, item.moduleSources);
    const run = await runCli(['inspect', '--json', item.file]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual((JSON.parse(run.stdout) as { moduleSources: ModuleSource[] }).moduleSources, item.moduleSources);
  });

  it('the CLI lists them (exit 0) with format, layout and unreadable fields in --json', async () => {
    for (const item of benign) {
      const run = await runCli(['inspect', '--json', item.file]);
      assert.equal(run.code, 0, `${basename(item.file)}: ${run.stderr}`);
      const json = JSON.parse(run.stdout) as { format: string; tensors: { name: string; layout?: string; unreadable?: string }[] };
      assert.equal(json.format, item.format);
      for (const e of item.tensors.filter((x) => x.layout)) assert.equal(json.tensors.find((x) => x.name === e.name)?.layout, e.layout);
      for (const e of item.tensors.filter((x) => x.sparse)) assert.match(json.tensors.find((x) => x.name === e.name)?.unreadable ?? '', /sparse/);
    }
  });

  it('hostile variants are listed as dangerous, naming the payload global, in the core and the CLI', async () => {
    for (const item of hostile) {
      const index = await indexOf(item.file);
      assert.equal(index.format, item.format, basename(item.file));
      assert.equal(index.safety.verdict, 'dangerous', basename(item.file));
      assert.equal(index.safety.globals.find((g) => g.name === item.global)?.verdict, 'dangerous', basename(item.file));
      const run = await runCli(['inspect', '--json', item.file]);
      assert.equal(run.code, 0, run.stderr);
      const json = JSON.parse(run.stdout) as { safety: SafetyReport; unsafeGlobals: string[] };
      assert.equal(json.safety.verdict, 'dangerous');
      assert.ok(json.unsafeGlobals.includes(item.global));
    }
    // Next to the payload, the real tensors are still listed.
    assert.deepEqual((await indexOf(hostile.find((h) => h.file.endsWith('payload-next-to-tensors.pkl'))!.file)).tensors.map((t) => t.name), ['w']);
  });

  it('no sentinel exists: nothing ran', () => {
    assert.deepEqual(hostile.filter((h) => existsSync(h.sentinel)).map((h) => basename(h.sentinel)), []);
  });

  it('the payloads are live: np.load / pickle.load / joblib.load of the live copies create their sentinels', async () => {
    const ran = await runPythonJson<Record<string, boolean>>(RUN_SCRIPT, [SCRIPT, '--prove', tmp.dir]);
    assert.deepEqual(Object.entries(ran).filter(([, v]) => !v).map(([k]) => k), []);
    assert.equal(Object.keys(ran).length, hostile.length);
  });
});
