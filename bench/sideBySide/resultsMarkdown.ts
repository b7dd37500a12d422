// bench/results.md: one table per comparison, the targets with met / missed, and the machine and its load.
import type { EditorTiming } from './editorFirstRows';
import type { Machine } from './machine';
import type { Summary } from './processRuns';

export interface BenchFile {
  readonly name: string;
  readonly bytes: number;
  readonly tensors: number;
  readonly what: string;
}

export interface Comparison {
  readonly title: string;
  readonly file: BenchFile;
  readonly rows: readonly Summary[];
}

export interface Target {
  readonly goal: string;
  readonly measured: string;
  readonly met: boolean;
}

export interface BenchReport {
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly quick: boolean;
  readonly runs: number;
  readonly machine: Machine;
  readonly loadAtStart: string;
  /** NODE_EXTRA_CA_CERTS was set here and removed from the commands' environment. */
  readonly extraCaCertsRemoved: boolean;
  readonly loadAtEnd: string;
  readonly files: readonly BenchFile[];
  readonly comparisons: readonly Comparison[];
  readonly editor: readonly EditorTiming[] | string;
  readonly targets: readonly Target[];
}

export function resultsMarkdown(r: BenchReport): string {
  const m = r.machine;
  return [
    '# Side-by-side benchmark results',
    '',
    `Written by \`npm run bench${r.quick ? ' -- --quick' : ''}\` (bench/side-by-side.ts) on ${r.startedAt.toISOString().replace('T', ' ').slice(0, 16)} UTC; ` +
      `${r.runs === 1 ? 'one run per command' : `median of ${r.runs} alternating runs per command`}, after ${r.quick ? 'no untimed warm-up round' : 'one untimed warm-up round (none for files over 2 GiB)'}. ` +
      'Whole processes: wall time from spawn to exit (interpreter start included), peak RSS from GNU time. Files are in the page cache.' +
      (r.extraCaCertsRemoved
        ? ' `NODE_EXTRA_CA_CERTS`, set on this machine, is removed from every command\'s environment: with it, each Node process parses a CA bundle at start (see the row that keeps it), which a user\'s shell does not do.'
        : ''),
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB.toFixed(0)} GiB; Node ${m.node}; Python ${m.python}, torch ${m.torch}. ` +
      `Load average (1, 5, 15 min): ${r.loadAtStart} at the start, ${r.loadAtEnd} at the end.`,
    '',
    '## Targets',
    '',
    table(['target', 'measured', ''], r.targets.map((t) => [t.goal, t.measured, t.met ? 'met' : '**missed**'])),
    '',
    '## Files (written by torch 1.13 at run time)',
    '',
    table(['file', 'size', 'tensors', 'what'], r.files.map((f) => [f.name, mib(f.bytes), f.tensors.toLocaleString('en-US'), f.what])),
    '',
    ...r.comparisons.flatMap((c) => [
      `## ${c.title}: ${c.file.name}`,
      '',
      table(
        ['command', 'wall (median)', 'peak RSS (median)', 'vs first row', 'runs (ms)'],
        c.rows.map((row) => [
          row.label,
          ms(row.wallMs),
          `${row.peakRssMiB.toFixed(0)} MiB`,
          row === c.rows[0] ? '1×' : `${(row.wallMs / c.rows[0]!.wallMs).toFixed(1)}×`,
          row.runs.map((run) => run.wallMs.toFixed(0)).join(', '),
        ]),
      ),
      '',
    ]),
    '`convert` reads every source byte once to write it, then verifies by reading model.safetensors and the source slices again ' +
      'and comparing them byte for byte (src/ast/verify.ts) while model.safetensors is fsynced; nothing is hashed but the source\'s ' +
      'data.pkl. Every timed run starts after an untimed `sync`, so no run pays for the writeback of the one before.',
    '',
    '## Time to first rows in the checkpoint editor (real VS Code)',
    '',
    typeof r.editor === 'string'
      ? r.editor
      : 'code-server 4.100.3 (VS Code 1.100.3) in headless Chromium (test/harness): from Enter in Quick Open until the first tensor row is visible; ' +
        'every editor is closed between runs. "host read" is what the extension host spent reading the file.\n\n' +
        table(
          ['file', 'first rows (median)', 'host read (median)', 'tensors listed', 'runs (ms)'],
          r.editor.map((e) => [e.file, ms(e.firstRowsMs), ms(e.hostLoadMs), e.tensorsListed.toLocaleString('en-US'), e.runs.map((x) => x.toFixed(0)).join(', ')]),
        ),
    '',
    `Total bench time: ${((r.finishedAt.getTime() - r.startedAt.getTime()) / 1000).toFixed(0)} s.`,
    '',
  ].join('\n');
}

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

export function ms(value: number): string {
  return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${value.toFixed(0)} ms`;
}

export function mib(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(2)} GiB` : `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
}
