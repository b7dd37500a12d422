// Benchmark of the reading core against torch.load on an SSAST-Base-shaped checkpoint (about 345 MB):
// how long listing takes and how much it reads, and how fast tensors stream (sha256, statistics).
//
//   npx esbuild bench/listing.ts --bundle --platform=node --format=cjs --outfile=out/bench/listing.js
//   node --expose-gc out/bench/listing.js [--keep DIR]      (from the repository root; writes bench/listing.results.md)
//
// The checkpoint is written by real PyTorch (/usr/bin/python3), in the zip and the legacy format.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { countingSource } from '../src/core/io/countingSource';
import { openFileSource } from '../src/node/nodeFileSource';
import { openCheckpoint } from '../src/core/openCheckpoint';
import { tensorStatistics } from '../src/core/tensors/statistics';
import { tensorSha256 } from '../src/node/tensorSha256';
import { runPython, runPythonJson, tempDir } from '../test/helpers/torch';

const WRITE_SSAST_BASE = String.raw`
import collections, sys, torch
folder = sys.argv[1]
torch.manual_seed(0)
sd = collections.OrderedDict()
sd['module.v.cls_token'] = torch.randn(1, 1, 768)
sd['module.v.dist_token'] = torch.randn(1, 1, 768)
sd['module.v.pos_embed'] = torch.randn(1, 514, 768)
sd['module.v.patch_embed.proj.weight'] = torch.randn(768, 1, 16, 16)
sd['module.v.patch_embed.proj.bias'] = torch.randn(768)
for i in range(12):
    for name, shape in [('norm1.weight', (768,)), ('norm1.bias', (768,)), ('attn.qkv.weight', (2304, 768)),
                        ('attn.qkv.bias', (2304,)), ('attn.proj.weight', (768, 768)), ('attn.proj.bias', (768,)),
                        ('norm2.weight', (768,)), ('norm2.bias', (768,)), ('mlp.fc1.weight', (3072, 768)),
                        ('mlp.fc1.bias', (3072,)), ('mlp.fc2.weight', (768, 3072)), ('mlp.fc2.bias', (768,))]:
        sd['module.v.blocks.%d.%s' % (i, name)] = torch.randn(*shape)
sd['module.v.norm.weight'] = torch.randn(768)
sd['module.v.norm.bias'] = torch.randn(768)
torch.save(sd, folder + '/ssast-base.pth')
torch.save(sd, folder + '/ssast-base-legacy.pth', _use_new_zipfile_serialization=False)
`;

const TORCH_LOAD = String.raw`
import json, resource, sys, time, torch
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
torch.load(sys.argv[1])
seconds = time.perf_counter() - start
print(json.dumps({'seconds': seconds, 'maxRssMiB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 'rssBeforeLoadMiB': before / 1024}))
`;

async function measure(file: string): Promise<string[]> {
  const torch = await runPythonJson<{ seconds: number; maxRssMiB: number; rssBeforeLoadMiB: number }>(TORCH_LOAD, [file]);
  const source = countingSource(await openFileSource(file));
  try {
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    const index = await openCheckpoint(source);
    const listMs = performance.now() - started;
    gc?.();
    const heap = gc ? `index kept: ${((process.memoryUsage().heapUsed - heapBefore) / 2 ** 20).toFixed(1)} MiB of heap` : 'run with --expose-gc';
    const listed = { bytes: source.bytesRead, reads: source.reads };

    const hashStart = performance.now();
    for (const tensor of index.tensors) await tensorSha256(source, tensor);
    const hashSeconds = (performance.now() - hashStart) / 1000;
    const largest = [...index.tensors].sort((a, b) => b.bytes - a.bytes)[0]!;
    const statsStart = performance.now();
    await tensorStatistics(source, largest);
    const statsMs = performance.now() - statsStart;
    const totalMiB = index.tensors.reduce((s, t) => s + t.bytes, 0) / 2 ** 20;
    return [
      `### ${index.format}: ${(source.size / 1e6).toFixed(0)} MB, ${index.tensors.length} tensors`,
      '',
      '| | time | memory | read |',
      '|---|---|---|---|',
      `| torch.load (after import torch) | ${(torch.seconds * 1000).toFixed(0)} ms | peak RSS ${torch.maxRssMiB.toFixed(0)} MiB (${torch.rssBeforeLoadMiB.toFixed(0)} before the load) | whole file |`,
      `| openCheckpoint (list) | ${listMs.toFixed(1)} ms | ${heap} | ${listed.bytes} bytes in ${listed.reads} reads |`,
      `| sha256 of every tensor | ${hashSeconds.toFixed(2)} s (${(totalMiB / hashSeconds).toFixed(0)} MiB/s) | one 4 MiB chunk | every tensor once |`,
      `| statistics of ${largest.name} (${(largest.bytes / 2 ** 20).toFixed(1)} MiB) | ${statsMs.toFixed(0)} ms | one 4 MiB chunk | the tensor twice |`,
      '',
    ];
  } finally {
    await source.close();
  }
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--keep');
  const kept = at >= 0 ? process.argv[at + 1] : undefined;
  const tmp = kept ? undefined : tempDir('bench-listing-');
  const dir = kept ?? tmp!.dir;
  try {
    mkdirSync(dir, { recursive: true });
    if (!existsSync(join(dir, 'ssast-base-legacy.pth'))) await runPython(WRITE_SSAST_BASE, [dir]);
    const lines = [
      '# Listing benchmark results',
      '',
      `${new Date().toISOString()}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}, Node ${process.version}`,
      '',
      ...(await measure(join(dir, 'ssast-base.pth'))),
      ...(await measure(join(dir, 'ssast-base-legacy.pth'))),
    ];
    writeFileSync(join('bench', 'listing.results.md'), lines.join('\n') + '\n');
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    tmp?.cleanup();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
