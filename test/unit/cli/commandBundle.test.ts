// The CLI's code cache (src/cli/commandBundle.ts) on real files: written after a run into the cache folder it is
// given (never beside the bundle), used by the next one, and ignored (then rewritten) when it no longer belongs
// to the bundle, even one of the same length.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { cacheFileOf, loadCommandBundle } from '../../../src/cli/commandBundle';
import { tempDir } from '../../helpers/torch';

type Answer = { answer: (n: number) => string; dir: string };

/** A CommonJS bundle as esbuild writes one; `tag` changes its code without changing its length. */
function bundleText(tag: 'A' | 'B'): string {
  return `"use strict";\nconst path = require("node:path");\nmodule.exports = { answer: (n) => "${tag}" + (n * 2), dir: path.basename(__dirname) };\n`;
}

describe('CLI command bundles: V8 code cache', () => {
  const tmp = tempDir('cli-bundle-');
  after(() => tmp.cleanup());
  const cacheDir = join(tmp.dir, 'user-cache', 'ckpt-ast');
  let count = 0;
  const freshBundle = (): string => {
    const dir = join(tmp.dir, `b${count++}`);
    mkdirSync(dir);
    const file = join(dir, 'cli-test.js');
    writeFileSync(file, bundleText('A'));
    return file;
  };

  it('runs without a cache, writes one on saveCache, and the next load uses it', () => {
    const file = freshBundle();
    const first = loadCommandBundle<Answer>(file, cacheDir);
    assert.equal(first.cache, 'missing');
    assert.equal(first.exports.answer(21), 'A42');
    assert.equal(first.exports.dir, 'b0', '__dirname is the bundle\'s folder');
    assert.ok(!existsSync(cacheDir), 'nothing is written before saveCache');
    first.saveCache();
    assert.ok(statSync(cacheFileOf(file, cacheDir)).size > 0);
    assert.equal(statSync(cacheDir).mode & 0o777, 0o700, 'the cache folder is private to the user');
    assert.deepEqual(readdirSync(join(file, '..')), ['cli-test.js'], 'nothing is written into the install folder');

    // In one process V8 may serve the second load from its own in-memory cache; the header check is what is
    // tested here (cliCodeCache.test.ts checks across processes that V8 takes the cache).
    const second = loadCommandBundle<Answer>(file, cacheDir);
    assert.equal(second.cache, 'used');
    assert.equal(second.exports.answer(21), 'A42');
    const before = readFileSync(cacheFileOf(file, cacheDir));
    second.saveCache();
    assert.deepEqual(readFileSync(cacheFileOf(file, cacheDir)), before, 'a used cache is not rewritten');
  });

  it('a rebuilt bundle of the same length gets a new cache and runs its own code', () => {
    const file = freshBundle();
    loadCommandBundle<Answer>(file, cacheDir).saveCache();
    const rebuilt = bundleText('B');
    assert.equal(rebuilt.length, bundleText('A').length, 'V8 alone would accept the old cache for this source');
    writeFileSync(file, rebuilt);
    // Builds are far apart in time; the test must not depend on the file system's timestamp granularity.
    const later = new Date(statSync(file).mtimeMs + 5000);
    utimesSync(file, later, later);

    const loaded = loadCommandBundle<Answer>(file, cacheDir);
    assert.equal(loaded.cache, 'stale');
    assert.equal(loaded.exports.answer(21), 'B42');
    loaded.saveCache();
    assert.equal(loadCommandBundle<Answer>(file, cacheDir).cache, 'used');
  });

  it('a cache folder that cannot be created is skipped, never a hang (below /proc mkdir answers ENOENT for ever)', () => {
    const file = freshBundle();
    // Elsewhere than Linux: below a regular file, which no mkdir can create either.
    const impossible = process.platform === 'linux' ? join('/proc', 'ckpt-ast-cache-test', 'ckpt-ast') : join(file, 'cache');
    const loaded = loadCommandBundle<Answer>(file, impossible);
    assert.doesNotThrow(() => loaded.saveCache());
    assert.equal(loaded.exports.answer(4), 'A8');
    assert.ok(!existsSync(impossible));
  });

  it('two installs of the same bundle keep separate caches', () => {
    const one = freshBundle();
    const other = freshBundle();
    assert.notEqual(cacheFileOf(one, cacheDir), cacheFileOf(other, cacheDir));
    loadCommandBundle<Answer>(one, cacheDir).saveCache();
    assert.equal(loadCommandBundle<Answer>(other, cacheDir).cache, 'missing');
    assert.equal(loadCommandBundle<Answer>(one, cacheDir).cache, 'used');
  });

  it('garbage or an empty file where the cache should be is stale, not an error', () => {
    const file = freshBundle();
    for (const junk of [Buffer.alloc(0), Buffer.from('not a cache\n'), Buffer.from('ckpt-ast code cache 2\nv0 other 1 2 3\nxx')]) {
      writeFileSync(cacheFileOf(file, cacheDir), junk);
      const loaded = loadCommandBundle<Answer>(file, cacheDir);
      assert.equal(loaded.cache, 'stale');
      assert.equal(loaded.exports.answer(2), 'A4');
    }
  });

  it('a cache that cannot be written is skipped silently (read-only install)', () => {
    const file = freshBundle();
    // A folder in the cache's place: reading it and renaming onto it both fail, as on a read-only file system.
    mkdirSync(cacheFileOf(file, cacheDir), { recursive: true });
    const loaded = loadCommandBundle<Answer>(file, cacheDir);
    assert.equal(loaded.cache, 'missing');
    assert.doesNotThrow(() => loaded.saveCache());
    assert.equal(loaded.exports.answer(3), 'A6');
    assert.ok(statSync(cacheFileOf(file, cacheDir)).isDirectory());
    assert.ok(!existsSync(`${cacheFileOf(file, cacheDir)}.${process.pid}.partial`), 'the half-written cache is removed');
  });
});
