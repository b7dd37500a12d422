// `npm run bench:diff`: `ckpt-ast diff` beside `cmp` of the same pair and a torch script computing the same
// statistics, whole processes, on torch-written SSAST files at SSAST-Base size (355 MB) and ViT-Huge size (2.4 GiB).
// Writes bench/diff.results.md.
//
//   npm run bench:diff                         # 3 alternating runs per command (1 for the 2.4 GiB pairs)
//   npm run bench:diff -- --quick              # 1 run, no 2.4 GiB files
//   npm run bench:diff -- --keep /tmp/ckpts    # write the checkpoints there once and reuse them
//   options: --runs N, --results FILE
import { copyFileSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fixturesDir, projectRoot } from '../test/harness/paths';
import { runPython, tempDir, TORCH_PYTHON } from '../test/helpers/torch';
import { describeMachine, loadAverage } from './sideBySide/machine';
import { checkGnuTime, compare, type Command, type Summary } from './sideBySide/processRuns';
import { mib, ms, table } from './sideBySide/resultsMarkdown';

const SIZES = [
  { name: 'ssast-base', writer: 'write_ssast_base_pretrained', what: 'SSAST-Base pretrained (D=768, 12 blocks, pretext heads, `module.` keys)', big: false },
  { name: 'ssast-huge', writer: 'write_ssast_huge_pretrained', what: 'the same SSAST layout at ViT-Huge size (D=1280, 32 blocks)', big: true },
] as const;

// A, and B = A with every float tensor moved by 1e-3·randn (a fine-tuning-like change, every element differs).
const WRITE = `
import os, shutil, sys, torch
sys.path.insert(0, sys.argv[1])
import make_fixtures
out, name, writer = sys.argv[2], sys.argv[3], sys.argv[4]
a = os.path.join(out, name + '.pth')
if not os.path.exists(a):
    getattr(make_fixtures, writer)(a + '.part')
    os.rename(a + '.part', a)
b = os.path.join(out, name + '-moved.pth')
if not os.path.exists(b):
    sd = torch.load(a)
    g = torch.Generator().manual_seed(11)
    for k, v in sd.items():
        if v.is_floating_point():
            v.add_(torch.randn(v.shape, generator=g) * 1e-3)
    torch.save(sd, b + '.part')
    del sd
    os.rename(b + '.part', b)
`;

// What a user writes today: load both, and per common key the same statistics in float64.
const TORCH_DIFF = `
import sys, torch
a = torch.load(sys.argv[1], map_location='cpu')
b = torch.load(sys.argv[2], map_location='cpu')
rows = []
for k, x in a.items():
    y = b.get(k)
    if y is None or x.shape != y.shape:
        rows.append((k, 'unpaired'))
        continue
    if x.dtype == y.dtype and torch.equal(x, y) and not x.is_floating_point():
        rows.append((k, 'equal'))
        continue
    xd, yd = x.double().flatten(), y.double().flatten()
    fin = torch.isfinite(xd) & torch.isfinite(yd)
    d = (xd - yd)[fin]
    na, nb = xd[fin].norm(), yd[fin].norm()
    rows.append((k, d.abs().max().item() if d.numel() else 0.0, d.abs().mean().item() if d.numel() else 0.0,
                 (d.norm() / na).item(), (xd[fin].dot(yd[fin]) / (na * nb)).item(),
                 int(torch.isnan(xd).sum()), int(torch.isnan(yd).sum()), int(torch.isinf(xd).sum()), int(torch.isinf(yd).sum())))
rows.sort(key=lambda r: -r[3] if len(r) > 3 else 0)
print(len(rows))
`;

interface Options { quick: boolean; runs: number; keep: string | undefined; results: string }

function parseOptions(argv: readonly string[]): Options {
  const value = (flag: string): string | undefined => {
    const at = argv.indexOf(flag);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const quick = argv.includes('--quick');
  return { quick, runs: Number(value('--runs') ?? (quick ? 1 : 3)), keep: value('--keep'), results: value('--results') ?? join(projectRoot(), 'bench', 'diff.results.md') };
}

const L = {
  diff: '`ckpt-ast diff A B` (Node)',
  cmp: '`cmp A B`',
  torch: 'torch: load both, the same statistics per key in float64',
} as const;

interface PairRun {
  readonly title: string;
  readonly size: (typeof SIZES)[number];
  readonly bytes: number;
  readonly rows: readonly Summary[];
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  checkGnuTime();
  const cli = join(projectRoot(), 'dist', 'cli.js');
  if (!existsSync(cli)) throw new Error(`bench: ${cli} is missing; run "npm run build" first (npm run bench:diff does)`);
  // As in side-by-side.ts: a CA bundle here would make every Node start parse it; a user's shell rarely sets it.
  delete process.env['NODE_EXTRA_CA_CERTS'];
  const startedAt = new Date();
  const loadAtStart = loadAverage();
  const log = (line: string): void => console.log(line);
  const tmp = opts.keep === undefined ? tempDir('bench-diff-') : undefined;
  const dir = opts.keep ?? tmp!.dir;
  mkdirSync(dir, { recursive: true });
  const runs: PairRun[] = [];
  try {
    for (const size of SIZES.filter((s) => !(opts.quick && s.big))) {
      const t0 = performance.now();
      await runPython(WRITE, [fixturesDir(), dir, size.name, size.writer], 1_800_000);
      const a = join(dir, `${size.name}.pth`);
      const copy = join(dir, `${size.name}-copy.pth`);
      if (!existsSync(copy)) copyFileSync(a, copy);
      log(`${size.name}: files ready (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
      const repeat = size.big ? 1 : opts.runs;
      const warmups = size.big || opts.quick ? 0 : 1;
      const node = (args: string[]): Command => ({ label: L.diff, argv: [process.execPath, cli, 'diff', ...args] });
      const torch = (x: string, y: string): Command => ({ label: L.torch, argv: [TORCH_PYTHON, '-c', TORCH_DIFF, x, y] });
      // The same bytes: every tool reads both files to the end.
      runs.push({
        title: 'identical contents (a byte copy)', size, bytes: statSync(a).size,
        rows: await compare([node([a, copy]), { label: L.cmp, argv: ['cmp', a, copy] }, torch(a, copy)], repeat, warmups, log),
      });
      // Every float tensor moved: diff measures every element; cmp stops at the first differing byte (exit 1 accepted).
      const moved = join(dir, `${size.name}-moved.pth`);
      runs.push({
        title: 'every float tensor moved by 1e-3·randn', size, bytes: statSync(a).size,
        rows: await compare([
          node([a, moved, '--threshold', '1']),
          { label: `${L.cmp} (stops at the first difference)`, argv: ['sh', '-c', 'cmp -s "$1" "$2"; test $? -le 1', 'sh', a, moved] },
          torch(a, moved),
        ], repeat, warmups, log),
      });
    }
    const machine = describeMachine();
    const targets = checkTargets(runs);
    const text = [
      '# `ckpt-ast diff` benchmark results',
      '',
      `Written by \`npm run bench:diff${opts.quick ? ' -- --quick' : ''}\` (bench/diff.ts) on ${startedAt.toISOString().replace('T', ' ').slice(0, 16)} UTC; ` +
        `median of ${opts.runs} alternating runs per command for SSAST-Base (after one untimed warm-up round), one run for the 2.4 GiB pairs. ` +
        'Whole processes: wall time from spawn to exit, peak RSS from GNU time. Each command reads both files (diff and torch every tensor byte, cmp every byte up to its first difference). ' +
        'The files were just written or read: the SSAST-Base pairs are in the page cache, the 2.4 GiB ones only partly (7.6 GB of files beside other jobs\' memory).',
      '',
      `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB.toFixed(0)} GiB, shared with other jobs; Node ${machine.node}; Python ${machine.python}, torch ${machine.torch}. ` +
        `Load average (1, 5, 15 min): ${loadAtStart} at the start, ${loadAverage()} at the end.`,
      '',
      '## Targets',
      '',
      table(['target', 'measured', ''], targets.map((t) => [t.goal, t.measured, t.met ? 'met' : '**missed**'])),
      '',
      ...runs.flatMap((r) => [
        `## ${r.size.name} (${mib(r.bytes)} each): ${r.title}`,
        '',
        r.size.what,
        '',
        table(['command', 'wall (median)', 'peak RSS (median)', 'vs first row', 'runs (ms)'], r.rows.map((row) => [
          row.label, ms(row.wallMs), `${row.peakRssMiB.toFixed(0)} MiB`,
          row === r.rows[0] ? '1×' : `${(row.wallMs / r.rows[0]!.wallMs).toFixed(2)}×`,
          row.runs.map((x) => x.wallMs.toFixed(0)).join(', '),
        ])),
        '',
      ]),
      `Total bench time: ${((Date.now() - startedAt.getTime()) / 1000).toFixed(0)} s.`,
      '',
    ].join('\n');
    writeFileSync(opts.results, text);
    log(`\nwrote ${opts.results}`);
    for (const t of targets) log(`${t.met ? 'met   ' : 'MISSED'} ${t.goal}: ${t.measured}`);
  } finally {
    tmp?.cleanup();
  }
}

function checkTargets(runs: readonly PairRun[]): { goal: string; measured: string; met: boolean }[] {
  const wall = (r: PairRun, label: string): number => r.rows.find((row) => row.label.startsWith(label))!.wallMs;
  const out = [];
  for (const r of runs.filter((x) => x.title.startsWith('identical'))) {
    const ratio = wall(r, L.diff) / wall(r, L.cmp);
    out.push({ goal: `${r.size.name}: \`diff\` ≤ 1.5× \`cmp\` (identical contents, both read to the end)`, measured: `${ratio.toFixed(2)}× (${ms(wall(r, L.diff))} vs ${ms(wall(r, L.cmp))})`, met: ratio <= 1.5 });
  }
  for (const r of runs) {
    const speedup = wall(r, L.torch) / wall(r, L.diff);
    out.push({ goal: `${r.size.name}, ${r.title}: \`diff\` ≥ 5× faster than torch`, measured: `${speedup.toFixed(1)}× (${ms(wall(r, L.diff))} vs ${ms(wall(r, L.torch))})`, met: speedup >= 5 });
  }
  const peaks = runs.flatMap((r) => r.rows.filter((row) => row.label === L.diff).flatMap((row) => row.runs.map((x) => ({ r, rss: x.peakRssMiB }))));
  const worst = peaks.reduce((m, p) => (p.rss > m.rss ? p : m), peaks[0]!);
  out.push({ goal: 'peak RSS of `diff` ≤ 150 MiB at any size (every run)', measured: `${worst.rss.toFixed(0)} MiB at most (${worst.r.size.name}, ${worst.r.title})`, met: worst.rss <= 150 });
  return out;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack ?? err.message : String(err));
  process.exitCode = 1;
});
