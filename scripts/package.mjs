// `npm run package`: exactly one .vsix at the project root (any older one is removed first), built by vsce
// from the production bundles (vscode:prepublish). Everything runtime is bundled, hence --no-dependencies.
// Fails when the .vsix is 2 MB or more. With --verify, code-server (from the test cache) must install it.
// vsce prints the .vsix's files; this prints its size.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readmeWithoutRelativeLinks } from './packageReadme.mjs';
import { projectRoot } from './testFiles.mjs';

const MAX_BYTES = 2 * 1024 * 1024;

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: projectRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  if (r.status !== 0) {
    process.stderr.write(r.stdout + r.stderr);
    throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
  }
  return r.stdout + r.stderr;
}

for (const f of readdirSync(projectRoot).filter((n) => n.endsWith('.vsix'))) rmSync(join(projectRoot, f));
const manifest = JSON.parse(run(process.execPath, ['-p', 'JSON.stringify(require("./package.json"))']));
const vsix = `${manifest.name}-${manifest.version}.vsix`;
const vsce = join(projectRoot, 'node_modules', '@vscode', 'vsce', 'vsce');
// README images are relative; vsce rewrites them against the repository, which it only infers for GitHub/GitLab.
// Without a repository they would break on the Marketplace: the packaged README names the files instead.
const repo = String(manifest.repository?.url ?? manifest.repository ?? '').replace(/\.git$/, '');
let readme = [];
if (repo) {
  readme = ['--baseContentUrl', `${repo}/blob/HEAD`, '--baseImagesUrl', `${repo}/raw/HEAD`];
} else {
  // vsce takes the path relative to the project; it ships that file as the package's readme.md.
  const packaged = 'out/package/README.md';
  mkdirSync(join(projectRoot, 'out', 'package'), { recursive: true });
  writeFileSync(join(projectRoot, packaged), readmeWithoutRelativeLinks(readFileSync(join(projectRoot, 'README.md'), 'utf8')));
  readme = ['--readme-path', packaged, '--allow-missing-repository'];
}
process.stdout.write(run(process.execPath, [vsce, 'package', '--no-dependencies', ...readme, '--out', vsix]));
const size = statSync(join(projectRoot, vsix)).size;
console.log(`package: ${vsix} ${(size / 1024 / 1024).toFixed(2)} MB (${size} bytes)`);
if (size >= MAX_BYTES) throw new Error(`package: ${vsix} is ${size} bytes, over the 2 MB limit; check .vscodeignore`);

if (process.argv.includes('--verify')) {
  // code-server's CLI installs into a throw-away extensions folder; it exits non-zero on a rejected .vsix.
  run(process.execPath, ['scripts/build-tests.mjs', 'harness']);
  const entry = run(process.execPath, [join(projectRoot, 'out', 'test', 'harness', 'bin', 'ensureCodeServer.js')]).trim().split(' ').pop();
  const dir = mkdtempSync(join(tmpdir(), 'vsix-check-'));
  try {
    const out = run(process.execPath, [entry, '--extensions-dir', join(dir, 'ext'), '--user-data-dir', join(dir, 'data'), '--install-extension', join(projectRoot, vsix)]);
    const id = `${manifest.publisher}.${manifest.name}`;
    if (!readdirSync(join(dir, 'ext')).some((n) => n.startsWith(id))) throw new Error(`package: code-server did not install ${vsix}:\n${out}`);
    console.log(`package: code-server --install-extension accepted ${vsix} (${id})`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
