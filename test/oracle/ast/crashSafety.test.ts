// A conversion that dies (SIGKILL) or is cancelled (AbortSignal) leaves no destination folder.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openFileSource } from '../../../src/node/nodeFileSource';
import { openCheckpoint } from '../../../src/core/openCheckpoint';
import { convertCheckpoint } from '../../../src/ast/convertCheckpoint';
import { nodeOutputSink } from '../../../src/node/nodeOutputSink';
import { detectModel } from '../../../src/ast/detect';
import { ConversionCancelledError } from '../../../src/ast/errors';
import { defaultConversionOptions } from '../../../src/ast/options';
import { planConversion } from '../../../src/ast/plan';
import { CLI_PATH, runCli } from '../../helpers/cli';
import { runPythonJson, tempDir } from '../../helpers/torch';

const HELPERS = join(process.cwd(), 'test', 'helpers');

// Base width (D=768, 12 heads) with 3 blocks: ~95 MB, big enough to be caught mid-write.
const BUILD = String.raw`
import json, sys
sys.path.insert(0, sys.argv[1])
import ast_models as m
m.save_as_ssast(m.build(seed=5, dim=768, heads=12, depth=3), sys.argv[2] + '/big.pth')
m.save_as_ssast(m.build(seed=6, dim=192, heads=3, depth=2), sys.argv[2] + '/small.pth')
print(json.dumps('ok'))
`;

/** A moment of the conversion, seen from the staging folder it writes into. */
type KillPoint = { label: string; reached: (staging: string) => boolean };

function stagedBytes(staging: string): number {
  try {
    return statSync(join(staging, 'model.safetensors')).size;
  } catch {
    return -1;
  }
}

/** Starts a conversion and SIGKILLs it at `point`; resolves whether it was caught before finishing. */
function killAt(source: string, dir: string, out: string, point: KillPoint): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI_PATH, 'convert', source, '--out', join(dir, out)], { stdio: 'ignore' });
    let killed = false;
    const timer = setInterval(() => {
      if (!killed && point.reached(join(dir, `.${out}.partial-${child.pid}`))) {
        killed = child.kill('SIGKILL');
      }
    }, 1);
    child.on('exit', (_code, signal) => {
      clearInterval(timer);
      resolve(signal === 'SIGKILL');
    });
  });
}

describe('crash and cancel safety', () => {
  const tmp = tempDir('convert-crash-');
  const dir = tmp.dir;
  after(tmp.cleanup);
  before(async () => {
    await runPythonJson(BUILD, [HELPERS, dir]);
  });

  it('SIGKILL at several points of the write leaves no destination folder (loop)', async (t) => {
    const size = statSync(join(dir, 'big.pth')).size;
    const written = (fraction: number): KillPoint => ({
      label: `${Math.round(fraction * 100)}% of model.safetensors written`,
      reached: (staging) => stagedBytes(staging) >= fraction * size,
    });
    const points: KillPoint[] = [
      { label: 'staging folder created', reached: (staging) => existsSync(staging) },
      written(0.01), written(0.25), written(0.5), written(0.75),
      { label: 'verifying (config.json written)', reached: (staging) => existsSync(join(staging, 'config.json')) },
    ];
    let caught = 0;
    for (const [i, point] of points.entries()) {
      const wasKilled = await killAt(join(dir, 'big.pth'), dir, `out${i}`, point);
      if (wasKilled) caught++;
      if (wasKilled) assert.equal(existsSync(join(dir, `out${i}`)), false, `killed when ${point.label}: destination exists`);
    }
    t.diagnostic(`${caught} of ${points.length} conversions killed before they finished`);
    assert.ok(caught >= 4, `only ${caught} kills landed before the conversion finished`);
    // The next conversion to the same place succeeds and sweeps the dead processes' staging folders.
    const run = await runCli(['convert', join(dir, 'big.pth'), '--out', join(dir, 'out0')]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith('.out0.')), []);
  });

  it('AbortSignal during the write: ConversionCancelledError, no destination, no staging folder', async () => {
    const source = await openFileSource(join(dir, 'small.pth'));
    try {
      const index = await openCheckpoint(source);
      const detection = await detectModel(index, source);
      const plan = planConversion(index, detection, defaultConversionOptions(detection));
      const abort = new AbortController();
      const outDir = join(dir, 'cancelled');
      await assert.rejects(
        convertCheckpoint(plan, source, outDir, {
          sink: nodeOutputSink,
          signal: abort.signal,
          sourceFileName: 'small.pth',
          onProgress: (p) => { if (p.tensorsDone === 3) abort.abort(); },
        }),
        ConversionCancelledError,
      );
      assert.deepEqual(readdirSync(dir).filter((n) => n.includes('cancelled')), []);
    } finally {
      await source.close();
    }
  });
});
