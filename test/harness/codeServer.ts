// Real VS Code for tests and `npm start`: code-server 4.100.3 (VS Code 1.100.3, the newest that runs on
// Node 20), installed on demand into a cache folder OUTSIDE node_modules and started on a free loopback port
// with throw-away user-data and extensions folders. Every server is stopped by its process id.
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerCleanup } from './cleanup';
import { projectRoot } from './paths';

export const CODE_SERVER_VERSION = '4.100.3';

/** Where code-server is installed; CODE_SERVER_CACHE overrides (default `.vscode-test/code-server`). */
export function codeServerCacheDir(): string {
  return process.env.CODE_SERVER_CACHE ?? join(projectRoot(), '.vscode-test', 'code-server');
}

function entryScript(cache = codeServerCacheDir()): string {
  return join(cache, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
}

function installedVersion(cache: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(cache, 'node_modules', 'code-server', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return undefined;
  }
}

/**
 * @vscode/ripgrep's postinstall downloads rg from GitHub (no internet here) but looks in a cache first:
 * put Debian's /usr/bin/rg there, packed the way the release tarball is.
 */
function seedRipgrepCache(): void {
  const dir = join(tmpdir(), 'vscode-ripgrep-cache-1.15.11');
  const tarball = join(dir, 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz');
  if (existsSync(tarball)) return;
  const rg = process.env.RIPGREP_PATH ?? '/usr/bin/rg';
  if (!existsSync(rg)) throw new Error(`code-server install: ${rg} is missing; install it with: apt-get install -y ripgrep`);
  const staging = mkdtempSync(join(tmpdir(), 'rg-staging-'));
  try {
    copyFileSync(rg, join(staging, 'rg'));
    mkdirSync(dir, { recursive: true });
    execFileSync('tar', ['-czf', tarball + '.part', '-C', staging, 'rg']);
    execFileSync('mv', ['-f', tarball + '.part', tarball]);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Waits for (or takes) a lock folder so that two test runs never install into the same cache at once. */
async function withInstallLock<T>(cache: string, fn: () => Promise<T>): Promise<T> {
  const lock = cache + '.lock';
  mkdirSync(join(cache, '..'), { recursive: true });
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch {
      const owner = Number(readFileSafe(join(lock, 'pid')));
      if (!owner || !isAlive(owner)) rmSync(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`code-server install: lock ${lock} held by pid ${owner} for too long`);
      else await sleep(2000);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Installs code-server into the cache folder unless the right version is already there. Returns its entry script. */
export async function ensureCodeServer(log: (line: string) => void = console.log): Promise<string> {
  const cache = codeServerCacheDir();
  if (installedVersion(cache) === CODE_SERVER_VERSION && existsSync(entryScript(cache))) return entryScript(cache);
  return withInstallLock(cache, async () => {
    if (installedVersion(cache) === CODE_SERVER_VERSION && existsSync(entryScript(cache))) return entryScript(cache);
    const started = Date.now();
    log(`code-server: installing ${CODE_SERVER_VERSION} into ${cache} (about a minute)…`);
    seedRipgrepCache();
    mkdirSync(cache, { recursive: true });
    writeFileSync(join(cache, 'package.json'), JSON.stringify({ name: 'code-server-cache', private: true }, null, 2) + '\n');
    // npm here is configured yes=false; node-pty's postinstall runs `npx node-gyp`, which would be cancelled.
    const env = { ...process.env, npm_config_yes: 'true' };
    await run('npm', ['install', '--unsafe-perm', '--no-audit', '--no-fund', '--no-save', `code-server@${CODE_SERVER_VERSION}`], cache, env, log);
    if (installedVersion(cache) !== CODE_SERVER_VERSION) throw new Error(`code-server install: ${cache} holds no code-server ${CODE_SERVER_VERSION} after npm install`);
    log(`code-server: installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    return entryScript(cache);
  });
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (chunk: Buffer): void => {
      tail = (tail + chunk.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else {
        log(tail);
        reject(new Error(`${cmd} ${args.join(' ')} failed in ${cwd} with exit code ${code}`));
      }
    });
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface CodeServerOptions {
  /** Folder opened in the workbench. */
  workspace: string;
  /** Extra user settings (merged over quiet test defaults). */
  settings?: Record<string, unknown>;
  /** Extra environment for the server and so for the extension host it spawns. */
  env?: NodeJS.ProcessEnv;
  /** Ms to wait until the server answers (default 60 s). */
  startTimeoutMs?: number;
  /** Port to listen on (default: a free one). */
  port?: number;
  /** An extension folder to install by linking it into the extensions folder (instead of a development host). */
  linkExtension?: string;
  /**
   * 'untrusted': workspace trust on (no `--disable-workspace-trust`) in a fresh user-data folder, where no folder
   * is trusted yet. Default: trust off. In code-server 4.100.3 only that flag turns trust off: the trust settings
   * are application settings, which the web workbench takes from the browser's user settings, not from the
   * Machine settings written here; so the workbench asks on opening (see Workbench.start).
   */
  workspaceTrust?: 'untrusted';
}

export interface CodeServer {
  readonly port: number;
  readonly pid: number;
  /** Base URL, e.g. http://127.0.0.1:PORT */
  readonly url: string;
  readonly userDataDir: string;
  readonly configFile: string;
  readonly logFile: string;
  /** `vscode-remote://` URI of an absolute path on this machine, as payloads need. */
  remoteUri(absPath: string): string;
  /** Workbench URL opening `workspace`, optionally with a development extension, a test module, a file to show. */
  workbenchUrl(opts?: { extensionDevelopmentPath?: string; extensionTestsPath?: string; openFile?: string }): string;
  stop(): Promise<void>;
}

/**
 * Quiet defaults: no welcome page, no trust prompt, no telemetry or update checks during tests.
 * Written as the remote MACHINE settings: code-server's web workbench keeps USER settings in the browser,
 * while Machine/settings.json is read from the server's disk and re-applied when it changes.
 */
const TEST_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'git.enabled': false,
  'window.restoreWindows': 'none',
};

export async function startCodeServer(opts: CodeServerOptions): Promise<CodeServer> {
  const entry = await ensureCodeServer();
  // A free port can be taken by someone else between freePort() and code-server's listen(): try another.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(entry, opts, opts.port ?? (await freePort()));
    } catch (err) {
      if (opts.port !== undefined || attempt >= 3 || !/EADDRINUSE/.test(String(err))) throw err;
    }
  }
}

async function startOnce(entry: string, opts: CodeServerOptions, port: number): Promise<CodeServer> {
  const base = mkdtempSync(join(tmpdir(), 'code-server-'));
  const userDataDir = join(base, 'user-data');
  const extensionsDir = join(base, 'extensions');
  mkdirSync(join(userDataDir, 'Machine'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(join(userDataDir, 'Machine', 'settings.json'), JSON.stringify({ ...TEST_SETTINGS, ...opts.settings }, null, 2));
  if (opts.linkExtension) {
    const m = JSON.parse(readFileSync(join(opts.linkExtension, 'package.json'), 'utf8')) as { publisher: string; name: string; version: string };
    symlinkSync(opts.linkExtension, join(extensionsDir, `${m.publisher}.${m.name}-${m.version}`), 'dir');
  }
  const logFile = join(base, 'code-server.log');
  const configFile = join(base, 'config.yaml');
  const out = createWriteStream(logFile);
  const args = [
    entry,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    ...(opts.workspaceTrust === 'untrusted' ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    '--config', configFile,
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    opts.workspace,
  ];
  // detached: the server gets its own process group, so stop() ends it and the extension hosts it spawned.
  const child = spawn(process.execPath, args, {
    cwd: opts.workspace,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout.pipe(out);
  child.stderr.pipe(out);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`code-server: failed to start ${entry}`);
  // .ci/run's last-resort cleanup kills whatever is listed here and still alive.
  if (process.env.AST_SERVER_PIDS_FILE) appendFileSync(process.env.AST_SERVER_PIDS_FILE, `${pid}\n`);
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });

  const killGroup = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
  };
  const stop = registerCleanup(
    async () => {
      killGroup('SIGTERM');
      for (let i = 0; i < 50 && !exited; i++) await sleep(100);
      killGroup('SIGKILL');
      out.end();
      rmSync(base, { recursive: true, force: true });
    },
    () => {
      killGroup('SIGKILL');
      rmSync(base, { recursive: true, force: true });
    },
  );

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
  for (;;) {
    if (exited) {
      const log = readFileSafe(logFile);
      await stop();
      throw new Error(`code-server exited during startup (port ${port}):\n${log.slice(-2000)}`);
    }
    if (await answers(`${url}/healthz`)) break;
    if (Date.now() > deadline) {
      const log = readFileSafe(logFile);
      await stop();
      throw new Error(`code-server did not answer on ${url} within ${opts.startTimeoutMs ?? 60_000} ms:\n${log.slice(-2000)}`);
    }
    await sleep(250);
  }

  const remoteUri = (absPath: string): string => `vscode-remote://127.0.0.1:${port}${absPath}`;
  return {
    port,
    pid,
    url,
    userDataDir,
    configFile,
    logFile,
    remoteUri,
    workbenchUrl(o = {}) {
      const payload: [string, string][] = [];
      if (o.extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remoteUri(o.extensionDevelopmentPath)]);
      if (o.extensionTestsPath) payload.push(['extensionTestsPath', remoteUri(o.extensionTestsPath)]);
      if (o.openFile) payload.push(['openFile', remoteUri(o.openFile)]);
      payload.push(['skipWelcome', 'true']);
      return `${url}/?folder=${encodeURIComponent(opts.workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    },
    stop,
  };
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return res.ok;
  } catch {
    return false;
  }
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
