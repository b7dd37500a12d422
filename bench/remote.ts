// Benchmark of `inspect URL`: listing a ~2.4 GiB checkpoint over HTTP Range requests from a loopback server
// that adds 50 ms to every request (a nearby CDN's round trip), beside the alternative without ranges:
// downloading the whole file from the same server (the CLI's own fallback: temp file, then list).
//
//   npm run bench:remote [-- --keep DIR] [--latency MS]    (from the repository root; writes bench/remote.results.md)
//
// Files are written by real PyTorch (/usr/bin/python3) at run time: SSAST at ViT-Huge size as a torch zip, and
// the same tensors as safetensors. Each command is one whole `node dist/cli.js inspect … --json` process.
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runCli } from '../test/helpers/cli';
import { startRangeServer, type RangeServerOptions } from '../test/helpers/rangeServer';
import { runPython, tempDir } from '../test/helpers/torch';
import { fixturesDir, projectRoot } from '../test/harness/paths';
import { describeMachine, loadAverage } from './sideBySide/machine';

const WRITE = String.raw`
import os, sys, torch
sys.path[:0] = [sys.argv[1], sys.argv[2]]
import make_fixtures, hf_files
folder = sys.argv[3]
if not os.path.exists(folder + '/ssast-huge.pth'):
    make_fixtures.write_ssast_huge_pretrained(folder + '/ssast-huge.pth')
if not os.path.exists(folder + '/ssast-huge.safetensors'):
    hf_files.save_safetensors(torch.load(folder + '/ssast-huge.pth'), folder + '/ssast-huge.safetensors')
`;

const FILES = ['ssast-huge.pth', 'ssast-huge.safetensors'] as const;

interface Row {
  readonly file: string;
  readonly how: string;
  readonly seconds: number;
  readonly requests: number;
  readonly bytesSent: number;
  readonly sameJson: boolean;
}

function flag(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

async function timedRemote(file: string, local: string, how: string, server: Omit<RangeServerOptions, 'files'>, folder: string): Promise<Row> {
  const srv = await startRangeServer({ ...server, files: { [`/${file}`]: join(folder, file) } });
  try {
    const started = performance.now();
    const run = await runCli(['inspect', `${srv.origin}/${file}`, '--json'], 3_600_000, { HF_TOKEN: '', CKPT_AST_HTTP_TIMEOUT: '60' });
    const seconds = (performance.now() - started) / 1000;
    if (run.code !== 0) throw new Error(`inspect ${file} (${how}) failed: ${run.stderr}`);
    return { file, how, seconds, requests: srv.stats.requests, bytesSent: srv.stats.bytesSent, sameJson: run.stdout === local };
  } finally {
    await srv.close();
  }
}

async function main(): Promise<void> {
  const latencyMs = Number(flag('--latency') ?? 50);
  const keep = flag('--keep');
  const tmp = keep ? undefined : tempDir('bench-remote-');
  const folder = keep ?? tmp!.dir;
  if (keep && !existsSync(keep)) mkdirSync(keep, { recursive: true });
  const loadBefore = loadAverage();
  const startedAt = new Date();
  try {
    await runPython(WRITE, [fixturesDir(), join(projectRoot(), 'test', 'helpers'), folder], 3_600_000);
    const rows: Row[] = [];
    for (const file of FILES) {
      const started = performance.now();
      const local = await runCli(['inspect', join(folder, file), '--json']);
      const localSeconds = (performance.now() - started) / 1000;
      if (local.code !== 0) throw new Error(`local inspect ${file}: ${local.stderr}`);
      rows.push({ file, how: 'local file (no server)', seconds: localSeconds, requests: 0, bytesSent: 0, sameJson: true });
      rows.push(await timedRemote(file, local.stdout, `Range requests, +${latencyMs} ms per request`, { latencyMs }, folder));
      rows.push(await timedRemote(file, local.stdout, `whole download (server without Range), +${latencyMs} ms per request`, { latencyMs, ignoreRange: true }, folder));
      process.stderr.write(`${file}: done\n`);
    }
    const machine = describeMachine();
    const size = (f: string): string => `${(statSync(join(folder, f)).size / 1024 ** 3).toFixed(2)} GiB`;
    const bytes = (n: number): string => (n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(2)} GiB` : n >= 1024 * 1024 ? `${(n / 1024 ** 2).toFixed(1)} MiB` : `${(n / 1024).toFixed(1)} KiB`);
    const md = [
      '# Remote listing benchmark results',
      '',
      `Written by \`npm run bench:remote\` (bench/remote.ts) on ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC; one run each (the machine is shared). ` +
        `Whole processes: \`node dist/cli.js inspect URL --json\`, wall time from spawn to exit. The server is test/helpers/rangeServer.ts on 127.0.0.1, ` +
        `adding ${latencyMs} ms before answering each request; "bytes sent" and "requests" are its own counts. Files are in the page cache.`,
      '',
      `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB.toFixed(0)} GiB; Node ${machine.node}; Python ${machine.python}, torch ${machine.torch}. ` +
        `Load average (1, 5, 15 min): ${loadBefore} at the start, ${loadAverage()} at the end.`,
      '',
      `Files: ${FILES.map((f) => `${f} (${size(f)})`).join(', ')}: SSAST pretraining layout at ViT-Huge size (D=1280, 32 blocks), written by torch; the safetensors file holds the same tensors.`,
      '',
      '| file | how | wall | requests | bytes sent | JSON = local |',
      '|---|---|---:|---:|---:|---|',
      ...rows.map((r) => `| ${r.file} | ${r.how} | ${r.seconds.toFixed(2)} s | ${r.requests || '–'} | ${r.bytesSent ? bytes(r.bytesSent) : '–'} | ${r.sameJson ? 'yes' : '**no**'} |`),
      '',
    ].join('\n');
    writeFileSync(join(projectRoot(), 'bench', 'remote.results.md'), md);
    process.stdout.write(md);
  } finally {
    tmp?.cleanup();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench/remote: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
});
