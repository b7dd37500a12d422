// The machine a result was measured on: numbers from a shared 2-core box mean little without it.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { TORCH_PYTHON } from '../../test/helpers/torch';

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly python: string;
  readonly torch: string;
}

export function describeMachine(): Machine {
  const modelLine = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('model name'));
  const [python, torch] = execFileSync(TORCH_PYTHON, ['-c', 'import platform, torch; print(platform.python_version()); print(torch.__version__)'], { encoding: 'utf8' })
    .trim()
    .split('\n');
  return {
    cpu: modelLine?.split(':')[1]?.trim() ?? cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: totalmem() / 1024 ** 3,
    node: process.version,
    python: python ?? '?',
    torch: torch ?? '?',
  };
}

/** The 1-minute load average, as `uptime` shows it. */
export function loadAverage(): string {
  return loadavg().map((l) => l.toFixed(2)).join(', ');
}
