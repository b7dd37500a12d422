import { appendFile } from 'node:fs/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type * as vscode from 'vscode';

/** Environment variable naming the file the probe appends to; unset (always, outside bench/) = no probe. */
export const EVENT_LOOP_LOG_ENV = 'AST_EVENT_LOOP_LOG';
const WINDOW_MS = 200;

/**
 * For bench/responsive.ts only: records the extension host's event-loop delay in windows of 200 ms
 * (one JSON line each: end time, max and p99 in ms), so the benchmark can tell how long the host
 * stalled while it opened a file or computed statistics. Off unless the environment asks for it.
 */
export function startEventLoopProbe(env: NodeJS.ProcessEnv): vscode.Disposable | undefined {
  const file = env[EVENT_LOOP_LOG_ENV];
  if (!file) return undefined;
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  let writing: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    const line = JSON.stringify({ t: Date.now(), maxMs: histogram.max / 1e6, p99Ms: histogram.percentile(99) / 1e6 }) + '\n';
    histogram.reset();
    writing = writing.then(() => appendFile(file, line)).catch(() => undefined);
  }, WINDOW_MS);
  return { dispose: () => { clearInterval(timer); histogram.disable(); } };
}
