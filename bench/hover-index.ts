// Benchmark of key-hover indexing: N torch-written checkpoints of T tensors each are indexed by the
// same catalog the extension uses (metadata only, via openCheckpoint + mapCheckpoint); we measure when
// the first hover can answer, when every file is indexed, and how long a lookup takes afterwards.
//
//   npx esbuild bench/hover-index.ts --bundle --platform=node --format=cjs --outfile=out/bench/hover-index.js
//   node --expose-gc out/bench/hover-index.js [--files 50] [--tensors 1000] [--concurrency 1] [--keep DIR]
//
// Checkpoints are written by real PyTorch (/usr/bin/python3) into a temp dir (or --keep DIR, reused when present).
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { countingSource, type CountingSource } from '../src/core/io/countingSource';
import { openFileSource } from '../src/node/nodeFileSource';
import { CheckpointCatalog, keysReader } from '../src/extension/hover/checkpointCatalog';
import { manyCheckpointPath, writeManyCheckpoints } from '../test/helpers/manyCheckpoints';
import { tempDir } from '../test/helpers/torch';

interface Options {
  files: number;
  tensors: number;
  concurrency: number;
  keep: string | undefined;
}

function parseOptions(argv: readonly string[]): Options {
  const value = (flag: string): string | undefined => {
    const at = argv.indexOf(flag);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  return {
    files: Number(value('--files') ?? 50),
    tensors: Number(value('--tensors') ?? 1000),
    concurrency: Number(value('--concurrency') ?? 1),
    keep: value('--keep'),
  };
}

async function ensureCheckpoints(dir: string, files: number, tensors: number): Promise<string[]> {
  const paths = Array.from({ length: files }, (_, k) => manyCheckpointPath(dir, k));
  if (paths.every((p) => existsSync(p))) return paths;
  const started = performance.now();
  await writeManyCheckpoints(dir, files, tensors);
  console.log(`wrote ${files} checkpoints with torch in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return paths;
}

function gcHeapMiB(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const tmp = opts.keep ? undefined : tempDir('hover-bench-');
  const dir = opts.keep ?? (tmp as { dir: string }).dir;
  mkdirSync(dir, { recursive: true });
  try {
    const paths = await ensureCheckpoints(dir, opts.files, opts.tensors);
    const totalBytes = paths.reduce((n, p) => n + statSync(p).size, 0);
    const sources: CountingSource[] = [];
    const catalog = new CheckpointCatalog(
      keysReader(async (path) => {
        const s = countingSource(await openFileSource(path));
        sources.push(s);
        return s;
      }),
      opts.concurrency,
    );
    const heapBefore = gcHeapMiB();

    // The hover of a key every file holds answers as soon as the first file is indexed; the key only
    // the last file holds answers when that file is done.
    const commonKey = 'bench.shared';
    const lastKey = `module.marker_${opts.files - 1}`;
    const answered: Record<string, number> = {};
    const started = performance.now();
    catalog.onDidChange(() => {
      for (const key of [commonKey, lastKey]) {
        if (answered[key] === undefined && catalog.lookup(key).length > 0) answered[key] = performance.now() - started;
      }
    });
    for (const path of paths) {
      const st = statSync(path);
      catalog.add({ path, mtimeMs: st.mtimeMs, size: st.size });
    }
    await catalog.whenIdle();
    const allMs = performance.now() - started;
    const heapAfter = gcHeapMiB();

    const lookups = 20_000;
    const time = (text: string): number => {
      const t0 = performance.now();
      for (let i = 0; i < lookups; i++) catalog.lookup(text);
      return ((performance.now() - t0) / lookups) * 1000;
    };
    const hitUs = time('module.v.blocks.0.attn.qkv.weight');
    const missUs = time('some.unrelated.string.in.code');

    const reads = sources.reduce((n, s) => n + s.reads, 0);
    const bytesRead = sources.reduce((n, s) => n + s.bytesRead, 0);
    const result = {
      node: process.version,
      files: opts.files,
      tensorsPerFile: opts.tensors,
      concurrency: opts.concurrency,
      indexed: catalog.indexedCount,
      failed: catalog.failedCount,
      totalFileMiB: +(totalBytes / 1024 / 1024).toFixed(1),
      firstHoverMs: +(answered[commonKey] ?? NaN).toFixed(1),
      lastFileKeyMs: +(answered[lastKey] ?? NaN).toFixed(1),
      allIndexedMs: +allMs.toFixed(1),
      perFileMs: +(allMs / opts.files).toFixed(1),
      lookupHitMicros: +hitUs.toFixed(2),
      lookupMissMicros: +missUs.toFixed(2),
      reads,
      metadataMiBRead: +(bytesRead / 1024 / 1024).toFixed(2),
      heapMiBForIndex: +(heapAfter - heapBefore).toFixed(1),
    };
    console.log(JSON.stringify(result, null, 2));
    if (catalog.indexedCount !== opts.files) process.exitCode = 1;
  } finally {
    tmp?.cleanup();
  }
}

void main();
