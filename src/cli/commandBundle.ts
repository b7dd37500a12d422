// Loads one command's bundle (dist/cli-inspect.js, dist/cli-convert.js) with a V8 code cache in the user's
// cache folder (userCacheDir.ts). A short command spends more time compiling its JavaScript (the bundle, then
// each function on first call) than parsing the checkpoint; the cache holds the bytecode of every function a
// previous run compiled. Node 22.1+ has this built in (module.enableCompileCache), used when present; on older
// Node the cache is kept here with vm.Script's cachedData.
//
// Our cache is used only when its header names this exact bundle file (path, size, modification time, inode)
// and Node build: V8 itself checks its version and flags but, for the source, only its length, so a rebuilt
// bundle of the same length would otherwise run the old code.
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';

export interface CommandBundle<T> {
  readonly exports: T;
  /** How the cache served this run: 'used', or why it was not; 'node' when Node's own compile cache serves it. */
  readonly cache: 'used' | 'missing' | 'stale' | 'rejected' | 'node';
  /** Writes the cache when this run did not use one. Best effort: an unwritable cache folder simply runs uncached. */
  saveCache(): void;
}

const MAGIC = 'ckpt-ast code cache 2';

type EnableCompileCache = (dir: string) => unknown;

/** The cache of `bundleFile` in `cacheDir`: named by the bundle's path, so two installs keep a cache each. */
export function cacheFileOf(bundleFile: string, cacheDir: string): string {
  return join(cacheDir, `${basename(bundleFile)}-${pathHash(bundleFile)}.v8cache`);
}

export function loadCommandBundle<T>(bundleFile: string, cacheDir: string): CommandBundle<T> {
  const enableCompileCache = (nodeModule as { enableCompileCache?: EnableCompileCache }).enableCompileCache;
  if (enableCompileCache) {
    enableCompileCache(join(cacheDir, 'node'));
    return { exports: nodeModule.createRequire(bundleFile)(bundleFile) as T, cache: 'node', saveCache() {} };
  }
  return loadWithOwnCache(bundleFile, cacheDir);
}

function loadWithOwnCache<T>(bundleFile: string, cacheDir: string): CommandBundle<T> {
  const stamp = bundleStamp(bundleFile);
  const source = readFileSync(bundleFile, 'utf8');
  // Rebuilt while being read: run what was read, but neither trust a cache for it nor write one.
  const steady = bundleStamp(bundleFile) === stamp;
  const cacheFile = cacheFileOf(bundleFile, cacheDir);
  const { data, state } = steady ? readCache(cacheFile, stamp) : { data: undefined, state: 'stale' as const };
  // The wrapper CommonJS gives a module; on the bundle's first line, so its line numbers stay the file's.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: bundleFile,
    ...(data ? { cachedData: data } : {}),
  });
  const cache = state === 'used' && script.cachedDataRejected ? 'rejected' : state;
  const module = { exports: {} as T };
  const wrapper = script.runInThisContext() as (e: T, r: NodeJS.Require, m: { exports: T }, f: string, d: string) => void;
  wrapper(module.exports, nodeModule.createRequire(bundleFile), module, bundleFile, dirname(bundleFile));
  return {
    exports: module.exports,
    cache,
    saveCache() {
      if (cache === 'used' || !steady) return;
      const header = Buffer.from(`${MAGIC}\n${stamp}\n`, 'latin1');
      // Written aside then renamed: a concurrent run reads the old cache or the new one, never half of one.
      const partial = `${cacheFile}.${process.pid}.partial`;
      try {
        makeCacheDir(cacheDir);
        writeFileSync(partial, Buffer.concat([header, script.createCachedData()]));
        renameSync(partial, cacheFile);
      } catch (err) {
        if (!isFileSystemError(err)) throw err;
        rmSync(partial, { force: true });
      }
    },
  };
}

/**
 * `mkdir -p` with private folders. Not mkdirSync's `recursive`: on Node 20 it loops for ever where mkdir keeps
 * answering ENOENT under an existing parent (any path below /proc), and XDG_CACHE_HOME may point anywhere.
 */
function makeCacheDir(dir: string): void {
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    if (code !== 'ENOENT' || dirname(dir) === dir) throw err;
    makeCacheDir(dirname(dir));
    mkdirSync(dir, { mode: 0o700 });
  }
}

/** Identifies the bundle file and the Node build: any rebuild or other Node gives another stamp. */
function bundleStamp(bundleFile: string): string {
  const s = statSync(bundleFile, { bigint: true });
  return `${process.version} ${process.arch} ${s.size} ${s.mtimeNs} ${s.ino} ${bundleFile}`;
}

/** FNV-1a of the path: a short stable file name without loading node:crypto. */
function pathHash(path: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < path.length; i++) h = Math.imul(h ^ path.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

function readCache(cacheFile: string, stamp: string): { data?: Buffer; state: CommandBundle<unknown>['cache'] } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(cacheFile);
  } catch (err) {
    if (isFileSystemError(err)) return { state: 'missing' };
    throw err;
  }
  const expected = `${MAGIC}\n${stamp}\n`;
  if (bytes.length <= expected.length || bytes.toString('latin1', 0, expected.length) !== expected) return { state: 'stale' };
  return { data: bytes.subarray(expected.length), state: 'used' };
}

function isFileSystemError(err: unknown): boolean {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string';
}
