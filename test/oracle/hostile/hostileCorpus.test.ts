// The hostile corpus (test/hostile/make_hostile.py): payloads calling os.system, subprocess.Popen, eval,
// getattr chains and the modules denylists forget (cProfile, pdb, timeit, ctypes, runpy…) through GLOBAL,
// STACK_GLOBAL, INST and OBJ at protocols 0–5, as raw pickles, torch zips and legacy torch files. Our core
// and our CLI must list each one, call it dangerous naming the global, and run nothing (sentinels stay
// absent). The same payloads aimed at other sentinels are loaded by pickle/torch to prove they are live.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../helpers/cli';
import { runPython, runPythonJson, tempDir } from '../../helpers/torch';
import { openFileSource } from '../../../src/node/nodeFileSource';
import { openCheckpoint } from '../../../src/core/openCheckpoint';
import { readTensor } from '../../../src/core/tensors/tensorReader';
import type { SafetyReport } from '../../../src/core/checkpointIndex';

const SCRIPT = join(process.cwd(), 'test', 'hostile', 'make_hostile.py');

interface HostileFile {
  file: string;
  container: 'raw' | 'zip' | 'legacy';
  payload: string;
  opcode: string;
  protocol: number;
  global: string;
  sentinel: string;
  live: boolean;
}

/** One file per (payload, container), cycling through the protocol/opcode variants: what the CLI and torch runs get. */
function sample(corpus: readonly HostileFile[]): HostileFile[] {
  const variants = [...new Set(corpus.map((c) => `${c.protocol}/${c.opcode}`))];
  const payloads = [...new Set(corpus.map((c) => c.payload))];
  return corpus.filter((c) => {
    const i = payloads.indexOf(c.payload) + ['raw', 'zip', 'legacy'].indexOf(c.container) * 5;
    return `${c.protocol}/${c.opcode}` === variants[i % variants.length];
  });
}

function assertFlagged(safety: SafetyReport | undefined, item: HostileFile): void {
  assert.equal(safety?.verdict, 'dangerous', `${basename(item.file)}: verdict`);
  const named = safety.globals.find((g) => g.name === item.global);
  assert.equal(named?.verdict, 'dangerous', `${basename(item.file)}: ${item.global} is flagged`);
}

describe('hostile corpus: listed, flagged, never run', () => {
  const tmp = tempDir('hostile-corpus-');
  let corpus: HostileFile[] = [];
  after(() => tmp.cleanup());
  before(async () => {
    await runPython(`import runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')`, [SCRIPT, tmp.dir]);
    corpus = JSON.parse(readFileSync(join(tmp.dir, 'manifest.json'), 'utf8')) as HostileFile[];
  });

  it('covers every payload, container, protocol 0–5 and opcode', () => {
    assert.ok(corpus.length >= 900, `${corpus.length} files`);
    for (const container of ['raw', 'zip', 'legacy']) assert.ok(corpus.some((c) => c.container === container));
    for (let p = 0; p <= 5; p++) assert.ok(corpus.some((c) => c.protocol === p && c.opcode === 'STACK_GLOBAL'));
    for (const g of ['os.system', 'subprocess.Popen', 'builtins.eval', 'builtins.exec', 'builtins.getattr', 'cProfile.run', 'pdb.run',
      'timeit.timeit', '_posixsubprocess.fork_exec', 'ctypes.CDLL', 'importlib.import_module', 'runpy.run_path', 'profile.run',
      '_thread.start_new_thread', 'logging.config.listen', 'zipimport.zipimporter', 'subprocess.getoutput']) {
      assert.ok(corpus.some((c) => c.global === g), g);
    }
  });

  it('the core lists every file, flags it dangerous with its global named, and reads its weight', async (t) => {
    let maxMs = 0;
    for (const item of corpus) {
      const started = performance.now();
      const source = await openFileSource(item.file);
      try {
        if (item.container === 'raw') {
          // A plain pickle is listed like a checkpoint: its payload call is an inert object in the tree.
          const index = await openCheckpoint(source);
          assertFlagged(index.safety, item);
          assert.equal(index.format, 'pickle', basename(item.file));
          assert.deepEqual(index.tensors, [], basename(item.file));
        } else {
          const index = await openCheckpoint(source);
          assertFlagged(index.safety, item);
          assert.equal(index.format, item.container === 'zip' ? 'torch-zip' : 'torch-legacy');
          const weight = index.tensors.find((x) => x.name === 'weight');
          assert.deepEqual(weight?.shape, [2, 3], basename(item.file));
          assert.deepEqual([...new Float32Array((await readTensor(source, weight)).slice().buffer)], [0, 1, 2, 3, 4, 5]);
        }
      } finally {
        await source.close();
      }
      maxMs = Math.max(maxMs, performance.now() - started);
    }
    t.diagnostic(`${corpus.length} files, slowest ${maxMs.toFixed(1)} ms`);
  });

  it('the CLI (inspect --json) flags them too', async () => {
    const picked = sample(corpus);
    assert.ok(picked.length >= 50, `${picked.length} sampled`);
    const queue = [...picked];
    const worker = async (): Promise<void> => {
      for (let item = queue.shift(); item; item = queue.shift()) {
        const run = await runCli(['inspect', '--json', item.file]);
        assert.equal(run.code, 0, run.stderr);
        const json = JSON.parse(run.stdout) as { format: string; safety: SafetyReport; unsafeGlobals: string[] };
        assertFlagged(json.safety, item);
        assert.ok(json.unsafeGlobals.includes(item.global));
        if (item.container === 'raw') assert.equal(json.format, 'pickle');
      }
    };
    await Promise.all([worker(), worker(), worker()]);
  });

  it('no sentinel exists: nothing ran', () => {
    const ran = corpus.filter((c) => existsSync(c.sentinel)).map((c) => basename(c.sentinel));
    assert.deepEqual(ran, []);
  });

  it('the payloads are live: pickle.load / torch.load of the live copies create their sentinels', async (t) => {
    const picked = sample(corpus).filter((c) => c.live);
    const proved = await runPythonJson<Record<string, boolean>>(
      `import runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')`,
      [SCRIPT, '--prove', tmp.dir, ...picked.map((c) => basename(c.file))],
    );
    const dead = picked.filter((c) => proved[basename(c.file)] !== true).map((c) => basename(c.file));
    t.diagnostic(`${picked.length - dead.length} of ${picked.length} sampled payloads ran under pickle/torch`);
    assert.deepEqual(dead, []);
  });
});
