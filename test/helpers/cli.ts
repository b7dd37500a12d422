// Runs the built CLI (`dist/cli.js`, made by `npm run build`) the way a user does.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const CLI_PATH = join(process.cwd(), 'dist', 'cli.js');

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `node dist/cli.js ...args`; resolves with the exit code and output (never rejects on a non-zero exit). `env` is added to this process's. */
export function runCli(args: readonly string[], timeoutMs = 120_000, env: Readonly<Record<string, string>> = {}): Promise<CliRun> {
  if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: run "npm run build" first`);
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLI_PATH, ...args], { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') reject(err);
      else resolve({ code: err ? (err.code as number) : 0, stdout, stderr });
    });
  });
}
