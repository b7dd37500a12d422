// `npm pack` and `npm install -g` of the tarball into a temporary prefix, as a user installs the CLI: the tarball
// holds only the CLI's bundles and the documents, the install pulls in no package (no network: --offline), and
// the installed `ckpt-ast` prints its help and lists a committed checkpoint, writing nothing into its install.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fixturesDir, projectRoot } from '../../harness/paths';
import { tempDir } from '../../helpers/torch';
import type { Golden } from '../core/goldenFixtures.test';

interface Run { code: number; stdout: string; stderr: string }

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd: projectRoot(), env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') reject(err);
      else resolve({ code: err ? (err.code as number) : 0, stdout, stderr });
    });
  });
}

/** Every file and folder under `dir`, relative, sorted. */
function entriesUnder(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).sort();
}

describe('npm pack + npm install -g of the CLI', () => {
  const tmp = tempDir('global-install-');
  const prefix = join(tmp.dir, 'prefix');
  // npm's own cache and the CLI's code cache in the temp folder: the test touches nothing of the user's.
  const env = { ...process.env, npm_config_cache: join(tmp.dir, 'npm-cache'), XDG_CACHE_HOME: join(tmp.dir, 'xdg-cache') };
  let packed: { filename: string; files: { path: string }[] };
  let installed: string;
  before(async () => {
    // --ignore-scripts: prepack would rebuild dist/ under the other tests' feet; test/run.mjs has just built it.
    const pack = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp.dir], env);
    assert.equal(pack.code, 0, pack.stderr);
    packed = (JSON.parse(pack.stdout) as (typeof packed)[])[0]!;
    const install = await run('npm', ['install', '--global', '--offline', '--no-audit', '--no-fund', '--prefix', prefix, join(tmp.dir, packed.filename)], env);
    assert.equal(install.code, 0, install.stderr);
    installed = join(prefix, 'lib', 'node_modules', 'ssast-hf-ast');
  });
  after(() => tmp.cleanup());

  it('the tarball holds the CLI bundles, package.json, README and LICENSE, nothing else', () => {
    assert.deepEqual(packed.files.map((f) => f.path).sort(), ['LICENSE', 'README.md', 'dist/cli-convert.js', 'dist/cli-diff.js', 'dist/cli-inspect.js', 'dist/cli.js', 'package.json']);
  });

  it('installs no dependency', () => {
    assert.ok(existsSync(join(installed, 'package.json')), `${installed} missing`);
    assert.ok(!existsSync(join(installed, 'node_modules')), 'the install brought node_modules');
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { dependencies?: object };
    assert.equal(manifest.dependencies, undefined);
  });

  it('ckpt-ast --help and ckpt-ast inspect work from the prefix, and write nothing into the install', async () => {
    const before = entriesUnder(installed);
    const bin = join(prefix, 'bin', 'ckpt-ast');
    const help = await run(bin, ['--help'], env);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /^usage: ckpt-ast <command> \[options\]/);

    const golden = JSON.parse(readFileSync(join(fixturesDir(), 'golden', 'zip.pth.expected.json'), 'utf8')) as Golden;
    const listing = await run(bin, ['inspect', join(fixturesDir(), 'golden', 'zip.pth'), '--json', '--hash'], env);
    assert.equal(listing.code, 0, listing.stderr);
    const tensors = (JSON.parse(listing.stdout) as Golden).tensors.map(({ name, dtype, shape, sha256 }) => ({ name, dtype, shape, sha256 }));
    assert.deepEqual(tensors, golden.tensors);
    assert.deepEqual(entriesUnder(installed), before, 'the CLI wrote into its install folder');
    assert.ok(readdirSync(join(tmp.dir, 'xdg-cache', 'ckpt-ast')).length > 0, 'its code cache went to XDG_CACHE_HOME');
  });
});
