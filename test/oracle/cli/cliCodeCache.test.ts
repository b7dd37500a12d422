// `node dist/cli.js inspect` across processes with its code cache (copies of the built CLI in a temp folder, and
// XDG_CACHE_HOME there too, so runs elsewhere never see this test's caches): the first successful run writes the
// cache into the user's cache folder and nothing into the install folder, later runs take it (V8 accepts it: it
// is not rewritten), a cache V8 refuses is replaced, and the listing never changes.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cacheFileOf } from '../../../src/cli/commandBundle';
import { CLI_PATH } from '../../helpers/cli';
import { runPythonJson, tempDir } from '../../helpers/torch';

const WRITE = String.raw`
import json, sys, torch
torch.manual_seed(0)
state = {'v.cls_token': torch.randn(1, 1, 8), 'v.blocks.0.attn.qkv.weight': torch.randn(24, 8).half(), 'v.norm.bias': torch.zeros(8)}
torch.save({'model': state, 'epoch': 3}, sys.argv[1])
print(json.dumps([[k, list(v.shape)] for k, v in state.items()]))
`;

interface Run { code: number; stdout: string; stderr: string }

describe('CLI code cache across processes', () => {
  const tmp = tempDir('cli-cache-');
  const install = join(tmp.dir, 'install');
  const cli = join(install, 'cli.js');
  const xdgCache = join(tmp.dir, 'xdg-cache');
  const cache = cacheFileOf(join(install, 'cli-inspect.js'), join(xdgCache, 'ckpt-ast'));
  const checkpoint = join(tmp.dir, 'model.pth');
  let expected: [string, number[]][];
  before(async () => {
    mkdirSync(install);
    for (const name of ['cli.js', 'cli-inspect.js']) copyFileSync(join(CLI_PATH, '..', name), join(install, name));
    expected = await runPythonJson<[string, number[]][]>(WRITE, [checkpoint]);
  });
  after(() => tmp.cleanup());

  const run = (args: string[]): Promise<Run> =>
    new Promise((resolve, reject) => {
      execFile(process.execPath, [cli, ...args], { env: { ...process.env, XDG_CACHE_HOME: xdgCache } }, (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') reject(err);
        else resolve({ code: err ? (err.code as number) : 0, stdout, stderr });
      });
    });
  /** Changes whenever the cache is (re)written: it is renamed into place, so it gets a new inode. */
  const cacheIdentity = (): string => {
    const s = statSync(cache, { bigint: true });
    return `${s.ino} ${s.mtimeNs}`;
  };

  it('help and failed runs write no cache; the first listing does, and later ones use it unchanged', async () => {
    rmSync(cache, { force: true });
    assert.equal((await run(['inspect', '--help'])).code, 0);
    assert.equal((await run(['inspect', join(tmp.dir, 'missing.pth')])).code, 2);
    assert.ok(!existsSync(cache), 'no cache from --help or a failed run: it would lack the listing code');

    const first = await run(['inspect', checkpoint, '--json']);
    assert.equal(first.code, 0, first.stderr);
    const listed = (JSON.parse(first.stdout) as { tensors: { name: string; shape: number[] }[] }).tensors;
    assert.deepEqual(listed.map((t) => [t.name, t.shape]), expected.map(([k, shape]) => [`model.${k}`, shape]));
    assert.ok(existsSync(cache));
    assert.deepEqual(readdirSync(install).sort(), ['cli-inspect.js', 'cli.js'], 'nothing is written into the install folder');
    const written = cacheIdentity();

    for (let i = 0; i < 2; i++) {
      const again = await run(['inspect', checkpoint, '--json']);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(again.stdout, first.stdout);
      assert.equal(cacheIdentity(), written, 'V8 accepted the cache, so it was not rewritten');
    }
  });

  it('a cache V8 refuses is replaced and the listing stays the same', async () => {
    const reference = await run(['inspect', checkpoint]);
    assert.equal(reference.code, 0, reference.stderr);
    const bytes = readFileSync(cache);
    // Keep our two header lines (they still name this bundle); spoil V8's own header, which comes next.
    const v8Start = bytes.indexOf('\n', bytes.indexOf('\n') + 1) + 1;
    bytes.fill(0, v8Start, v8Start + 16);
    writeFileSync(cache, bytes);
    const spoiled = cacheIdentity();

    const rejected = await run(['inspect', checkpoint]);
    assert.equal(rejected.code, 0, rejected.stderr);
    assert.equal(rejected.stdout, reference.stdout);
    const rewritten = cacheIdentity();
    assert.notEqual(rewritten, spoiled, 'the refused cache was rewritten');

    const next = await run(['inspect', checkpoint]);
    assert.equal(next.stdout, reference.stdout);
    assert.equal(cacheIdentity(), rewritten, 'and the rewritten one is accepted');
  });
});
