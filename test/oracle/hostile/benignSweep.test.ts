// Zero false alarms: every benign file real torch writes for the tests (test/hostile/make_benign.py: state dicts in
// fp32/fp16/bf16, Lightning-style .ckpt with hyper_parameters, optimizer and scheduler state, numpy arrays inside,
// containers and paths, a whole module, TorchScript, zip at pickle protocols 2 and 4, legacy, raw pickles), the
// committed SSAST sample and SSAST-style checkpoints: none is rated dangerous, none has a finding, and the
// not-weights-only ones get add_safe_globals advice only for their known data types.
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SafetyReport } from '../../../src/core/checkpointIndex';
import { CheckpointError } from '../../../src/core/errors';
import { openFileSource } from '../../../src/node/nodeFileSource';
import { openCheckpoint } from '../../../src/core/openCheckpoint';
import { isDataTypeRef } from '../../../src/core/safety/classifyGlobals';
import { writeManyCheckpoints } from '../../helpers/manyCheckpoints';
import { projectFixturesDir } from '../../helpers/ssastSample';
import { runPythonJson, tempDir } from '../../helpers/torch';

const SCRIPT = join(process.cwd(), 'test', 'hostile', 'make_benign.py');

/** The verdict of `file`; files refused with a verdict are added to `refused`. */
async function safetyOf(file: string, refused: string[] = []): Promise<SafetyReport> {
  const source = await openFileSource(file);
  try {
    return (await openCheckpoint(source)).safety;
  } catch (err) {
    // Raw pickles are refused as not a checkpoint, and a legacy whole-module save (persistent id "module") is not
    // read yet: their verdict rides on the error.
    assert.ok(err instanceof CheckpointError && err.safety, `${basename(file)}: ${String(err)}`);
    refused.push(basename(file));
    return err.safety;
  } finally {
    await source.close();
  }
}

describe('benign torch-written files: never dangerous', () => {
  const tmp = tempDir('benign-sweep-');
  let files: string[] = [];
  after(() => tmp.cleanup());
  before(async () => {
    files = await runPythonJson<string[]>(`import runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')`, [SCRIPT, tmp.dir]);
    const sample = join(tmp.dir, 'ssast-tiny-sample.pth');
    copyFileSync(join(projectFixturesDir(), 'ssast-tiny-sample.pth'), sample);
    files.push(sample, ...(await writeManyCheckpoints(tmp.dir, 3, 40)));
  });

  it('rates every file safe or not-weights-only, with no findings', async (t) => {
    const verdicts: Record<string, number> = {};
    const falseAlarms: string[] = [];
    const refused: string[] = [];
    for (const file of files) {
      const safety = await safetyOf(file, refused);
      verdicts[safety.verdict] = (verdicts[safety.verdict] ?? 0) + 1;
      if (safety.verdict === 'dangerous' || safety.findings) falseAlarms.push(`${basename(file)}: ${JSON.stringify(safety)}`);
    }
    t.diagnostic(`${files.length} files: ${JSON.stringify(verdicts)}; false positives: ${falseAlarms.length}; verdict on a refusal: ${refused.join(', ')}`);
    assert.ok(files.length >= 45, `${files.length} files`);
    assert.deepEqual(falseAlarms, []);
  });

  it('plain checkpoints are safe; extras are known data types; modules and TorchScript are unknown code, not danger', async () => {
    const unknownOf = async (stem: string) => {
      const safety = await safetyOf(files.find((f) => basename(f).startsWith(stem))!);
      return { verdict: safety.verdict, unknown: safety.globals.filter((g) => g.verdict === 'not-weights-only' && !isDataTypeRef(g)).map((g) => g.name) };
    };
    for (const stem of ['state-dict-zip-p2', 'state-dict-bf16-legacy', 'lightning-zip-p4', 'optimizer-adam-zip-p2', 'parameter-legacy', 'ssast-tiny-sample']) {
      assert.equal((await unknownOf(stem)).verdict, 'safe', stem);
    }
    for (const stem of ['lightning-namespace-zip-p2', 'numpy-inside-zip-p4', 'numpy-inside-legacy', 'containers-zip-p2']) {
      assert.deepEqual(await unknownOf(stem), { verdict: 'not-weights-only', unknown: [] }, stem);
    }
    assert.deepEqual(await unknownOf('whole-module-zip-p2'), {
      verdict: 'not-weights-only',
      unknown: ['torch.nn.modules.container.Sequential', 'torch.nn.modules.linear.Linear', 'torch.nn.modules.normalization.LayerNorm'],
    });
    assert.deepEqual(await unknownOf('torchscript-trace'), { verdict: 'not-weights-only', unknown: ['__torch__.Tiny', '__torch__.torch.nn.modules.linear.Linear'] });
  });
});
