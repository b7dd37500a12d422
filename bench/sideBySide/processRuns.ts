// Whole-process measurements: each command runs under GNU time (`/usr/bin/time -f %M`) for its peak
// resident set; wall time is taken here around the spawn, with a monotonic clock, so it includes the
// interpreter's own start (what a user waits for). Commands of one comparison run alternately, so a load
// spike on this shared machine hits every contender instead of one.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

export const GNU_TIME = '/usr/bin/time';

export interface Command {
  /** Row label, e.g. `ckpt-ast inspect`. */
  readonly label: string;
  readonly argv: readonly string[];
  /** Runs before every timed run, untimed (e.g. removing the previous run's output). */
  readonly before?: () => void;
  readonly env?: Readonly<Record<string, string>>;
}

export interface Run {
  readonly wallMs: number;
  readonly peakRssMiB: number;
}

export interface Summary {
  readonly label: string;
  /** Medians over the runs. */
  readonly wallMs: number;
  readonly peakRssMiB: number;
  readonly runs: readonly Run[];
}

export function checkGnuTime(): void {
  if (!existsSync(GNU_TIME)) throw new Error(`bench: ${GNU_TIME} is missing; install it with "apt-get install -y time"`);
}

/** One run of `command`; rejects with its stderr when it exits non-zero. */
export async function runOnce(command: Command): Promise<Run> {
  command.before?.();
  // Untimed: flush what earlier runs wrote (a conversion leaves 0.3-2.4 GB of dirty pages), or its
  // writeback lands on whichever command happens to run next.
  spawnSync('sync');
  const dir = mkdtempSync(join(tmpdir(), 'bench-time-'));
  const report = join(dir, 'time.txt');
  try {
    const started = performance.now();
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(GNU_TIME, ['-f', '%M', '-o', report, ...command.argv], {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, ...command.env },
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-4000); });
      child.on('error', reject);
      child.on('close', (exitCode) => resolve({ code: exitCode, stderr }));
    });
    const wallMs = performance.now() - started;
    if (code !== 0) throw new Error(`bench: "${command.label}" exited with ${code}: ${command.argv.join(' ')}\n${stderr}`);
    const kib = Number(readFileSync(report, 'utf8').trim().split('\n').pop());
    return { wallMs, peakRssMiB: kib / 1024 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `runs` rounds of every command in turn (after `warmups` untimed rounds); medians per command. */
export async function compare(commands: readonly Command[], runs: number, warmups: number, log: (line: string) => void): Promise<Summary[]> {
  for (let w = 0; w < warmups; w++) for (const c of commands) await runOnce(c);
  const results = commands.map(() => [] as Run[]);
  for (let r = 0; r < runs; r++) {
    for (const [i, c] of commands.entries()) {
      const run = await runOnce(c);
      results[i]!.push(run);
      log(`  ${c.label}: ${run.wallMs.toFixed(0)} ms, ${run.peakRssMiB.toFixed(0)} MiB`);
    }
  }
  return commands.map((c, i) => ({
    label: c.label,
    wallMs: median(results[i]!.map((r) => r.wallMs)),
    peakRssMiB: median(results[i]!.map((r) => r.peakRssMiB)),
    runs: results[i]!,
  }));
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
