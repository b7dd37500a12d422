// Conversion never loses or corrupts data. Extends test/oracle/ast/crashSafety.test.ts (kills at fixed
// write stages, cancel): here 20 SIGKILLs at seeded random moments of a whole `convert` run, each
// leaving either no destination or one identical to an uninterrupted conversion; a disk that fills up
// (ENOSPC on a 1 MiB tmpfs) is reported and leaves nothing behind; the source's sha256 never changes.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { removeStaleStaging } from '../../../src/node/stagingFolder';
import { CLI_PATH, runCli } from '../../helpers/cli';
import { runPython, tempDir } from '../../helpers/torch';

const HELPERS = join(process.cwd(), 'test', 'helpers');
const BUILD = String.raw`
import sys
sys.path.insert(0, sys.argv[1])
import ast_models as m
m.save_as_ssast(m.build(seed=11, dim=768, heads=12, depth=2), sys.argv[2] + '/base.pth')
m.save_as_ssast(m.build(seed=12, dim=192, heads=3, depth=2), sys.argv[2] + '/small.pth')
`;
const KILLS = 20;
/** Files an uninterrupted conversion writes whose bytes do not depend on when it ran. */
const DETERMINISTIC = ['model.safetensors', 'config.json', 'preprocessor_config.json'];

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Runs `convert` and SIGKILLs it after `delayMs`; resolves whether the kill landed before it exited. */
function convertKilledAfter(source: string, out: string, delayMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI_PATH, 'convert', source, '--out', out], { stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      resolve(signal === 'SIGKILL');
    });
  });
}

describe('conversion safety', () => {
  const tmp = tempDir('conversion-safety-');
  const dir = tmp.dir;
  let sourceHash = '';
  let small = '';
  let smallHash = '';
  const source = join(dir, 'base.pth');
  after(() => tmp.cleanup());
  before(async () => {
    await runPython(BUILD, [HELPERS, dir]);
    sourceHash = sha256(source);
    small = join(dir, 'small.pth');
    smallHash = sha256(small);
  });

  it(`${KILLS} SIGKILLs at random moments: no destination, or a complete one identical to an uninterrupted run`, async (t) => {
    const started = Date.now();
    const reference = await runCli(['convert', source, '--out', join(dir, 'reference')]);
    const fullMs = Date.now() - started;
    assert.equal(reference.code, 0, reference.stderr);
    const expected = new Map(DETERMINISTIC.map((f) => [f, sha256(join(dir, 'reference', f))]));
    let seed = 20261127;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    let absent = 0;
    let complete = 0;
    for (let i = 0; i < KILLS; i++) {
      const out = join(dir, `kill-${i}`);
      const delay = Math.round(random() * fullMs * 2);
      const killed = await convertKilledAfter(source, out, delay);
      if (!existsSync(out)) {
        absent++;
        assert.ok(killed, `kill ${i} at ${delay} ms: the conversion exited on its own without a destination`);
      } else {
        complete++;
        for (const [file, hash] of expected) assert.equal(sha256(join(out, file)), hash, `kill ${i} at ${delay} ms: ${file} differs from an uninterrupted conversion`);
        assert.ok(existsSync(join(out, 'conversion-report.md')), `kill ${i}: report missing`);
      }
      assert.equal(sha256(source), sourceHash, `kill ${i}: the source changed`);
    }
    t.diagnostic(`conversion takes ${fullMs} ms; ${KILLS} kills: ${absent} left no destination, ${complete} a complete one`);
    assert.ok(absent >= 5, `only ${absent} kills landed before the rename; the test did not exercise mid-write kills`);
    // Killed runs leave only their own staging folders, which the next conversion to the same place removes.
    const rerun = await runCli(['convert', source, '--out', join(dir, 'kill-0'), '--force']);
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith('.kill-0.')), []);
  });

  it('a replace (--force) killed between its two renames gets the previous destination back, not deleted', async () => {
    const out = join(dir, 'replaced');
    mkdirSync(out);
    writeFileSync(join(out, 'config.json'), '{"previous": true}');
    // The state such a kill leaves: the old folder moved aside under a dead process id, no destination.
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid!;
    renameSync(out, join(dir, `.replaced.replaced-${deadPid}`));
    await removeStaleStaging(out);
    assert.equal(readFileSync(join(out, 'config.json'), 'utf8'), '{"previous": true}');
    assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith('.replaced.')), []);
  });

  it('options asking for a grid whose position embeddings pass 1 GiB are refused before anything is allocated', async () => {
    for (const args of [['--max-length', '100000000'], ['--num-mel-bins', '1000000', '--max-length', '1000000'], ['--time-stride', '1', '--frequency-stride', '1', '--max-length', '40000']]) {
      const out = join(dir, 'huge-grid');
      const started = Date.now();
      const run = await runCli(['convert', small, '--out', out, ...args]);
      assert.equal(run.code, 3, run.stderr);
      assert.match(run.stderr, /^refused: .*: invalid options: numMelBins \d+ and maxLength \d+ with strides \d+×\d+ give \d+ × \d+ = \d+ patches, whose position embeddings \(\d+ bytes as float32\) pass the 1073741824-byte limit/);
      assert.ok(Date.now() - started < 10_000, `${args.join(' ')}: ${Date.now() - started} ms`);
      assert.equal(existsSync(out), false);
    }
    assert.equal(sha256(small), smallHash, 'the source changed');
  });

  it('a full disk (ENOSPC on a 1 MiB tmpfs) is reported and leaves nothing behind', async () => {
    const mount = join(dir, 'full-disk');
    mkdirSync(mount);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mount]);
    } catch (err) {
      assert.fail(`cannot mount a 1 MiB tmpfs (needs root): ${err instanceof Error ? err.message : String(err)}`);
    }
    try {
      const run = await runCli(['convert', small, '--out', join(mount, 'out')]);
      assert.notEqual(run.code, 0, 'the conversion claimed success on a full disk');
      assert.match(run.stderr, /ENOSPC|no space left on device/i);
      assert.ok(!run.stderr.trim().includes('\n    at '), `a stack trace instead of a message: ${run.stderr}`);
      assert.deepEqual(readdirSync(mount), [], 'the failed conversion left files on the full disk');
      assert.equal(sha256(small), smallHash, 'the source changed');
    } finally {
      execFileSync('umount', [mount]);
    }
  });
});
