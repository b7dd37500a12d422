// Finds test files by walking folders (shared by scripts/build-tests.mjs and test/run.mjs; no dependencies,
// so `npm test` can use it before node_modules exists).
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Every file under `dir` whose name ends with `suffix`, as sorted '/'-separated paths relative to the project root. */
export function findFiles(dir, suffix) {
  let entries;
  try {
    entries = readdirSync(join(projectRoot, dir), { recursive: true });
  } catch {
    return [];
  }
  return entries
    .map((e) => join(dir, String(e)))
    .filter((p) => p.endsWith(suffix) && statSync(join(projectRoot, p)).isFile())
    .map((p) => p.split(sep).join('/'))
    .sort();
}
