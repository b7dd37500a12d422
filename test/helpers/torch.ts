// Runs real PyTorch (Debian's python3-torch at /usr/bin/python3) from tests and fixture scripts.
// Every expectation a test compares against is computed here by torch, never hard-coded.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const TORCH_PYTHON = process.env.TORCH_PYTHON ?? '/usr/bin/python3';

/**
 * Runs `code` with torch available; `args` become sys.argv[1:]. Resolves with stdout.
 * Rejects with stderr on a non-zero exit so a broken script fails its test loudly.
 */
export function runPython(code: string, args: readonly string[] = [], timeoutMs = 300_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      TORCH_PYTHON,
      ['-c', code, ...args],
      { maxBuffer: 256 * 1024 * 1024, timeout: timeoutMs, env: { ...process.env, PYTHONHASHSEED: '0', OMP_NUM_THREADS: '1' } },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`python failed: ${err.message}\n${stderr}`));
        else resolve(stdout);
      },
    );
  });
}

/** Runs `code` and parses the last line of stdout as JSON. */
export async function runPythonJson<T>(code: string, args: readonly string[] = [], timeoutMs?: number): Promise<T> {
  const out = (await runPython(code, args, timeoutMs)).trim().split('\n');
  return JSON.parse(out[out.length - 1] ?? 'null') as T;
}

/** A fresh temporary directory, removed by the returned cleanup function. */
export function tempDir(prefix = 'ckpt-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
