import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { DestinationExistsError } from '../ast/errors';

/**
 * Output is written into a hidden folder beside the destination (same file system, so the final
 * rename is atomic) named after this process: a crash leaves only that folder, never a
 * half-written destination, and the next conversion to the same place removes it.
 */
export function stagingFolderFor(outDir: string): string {
  return join(dirname(outDir), `.${basename(outDir)}.partial-${process.pid}`);
}

/**
 * Removes staging folders of `outDir` left by processes that no longer run. A process killed between
 * the two renames of a forced replace left the previous destination as `.replaced-PID` and no
 * destination: that folder is the user's data, so it is put back rather than deleted.
 */
export async function removeStaleStaging(outDir: string): Promise<void> {
  const parent = dirname(outDir);
  const pattern = new RegExp(`^\\.${escapeRegExp(basename(outDir))}\\.(partial|replaced)-(\\d+)$`);
  let names: string[];
  try {
    names = await readdir(parent);
  } catch {
    return;
  }
  for (const name of names) {
    const m = pattern.exec(name);
    if (!m || isRunning(Number(m[2]))) continue;
    if (m[1] === 'replaced' && !existsSync(outDir)) await rename(join(parent, name), outDir);
    else await rm(join(parent, name), { recursive: true, force: true });
  }
}

export async function createStaging(outDir: string): Promise<string> {
  const staging = stagingFolderFor(outDir);
  await mkdir(dirname(outDir), { recursive: true });
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging);
  return staging;
}

/** Moves the finished staging folder into place; an existing destination only goes with `force`. */
export async function commitStaging(staging: string, outDir: string, force: boolean): Promise<void> {
  if (!existsSync(outDir)) {
    await rename(staging, outDir);
    return;
  }
  if (!force) throw new DestinationExistsError(outDir);
  const replaced = join(dirname(outDir), `.${basename(outDir)}.replaced-${process.pid}`);
  await rm(replaced, { recursive: true, force: true });
  await rename(outDir, replaced);
  await rename(staging, outDir);
  await rm(replaced, { recursive: true, force: true });
}

/**
 * Moves `staging/file` into place as `destFile` and removes the staging folder. One rename, so an
 * existing file (only replaced with `force`) is never missing or half-written at any moment.
 */
export async function commitStagedFile(staging: string, file: string, destFile: string, force: boolean): Promise<void> {
  if (!force && existsSync(destFile)) throw new DestinationExistsError(destFile);
  await rename(join(staging, file), destFile);
  await rm(staging, { recursive: true, force: true });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
