// Locates the project from wherever a harness bundle runs (out/test/..., or a test's temp folder).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const PACKAGE_NAME = 'ssast-hf-ast';

function isProjectRoot(dir: string): boolean {
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) return false;
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === PACKAGE_NAME;
  } catch {
    return false;
  }
}

let cached: string | undefined;

/** The folder holding this project's package.json (searched upwards from this bundle, then from the cwd). */
export function projectRoot(): string {
  if (cached) return cached;
  for (const start of [__dirname, process.cwd()]) {
    for (let dir = start; ; dir = dirname(dir)) {
      if (isProjectRoot(dir)) return (cached = dir);
      if (dirname(dir) === dir) break;
    }
  }
  throw new Error(`harness: no package.json named "${PACKAGE_NAME}" above ${__dirname} or ${process.cwd()}`);
}

export const fixturesDir = (): string => join(projectRoot(), 'test', 'fixtures');
export const testResultsDir = (): string => join(projectRoot(), 'test-results');
/** Where scripts/build-tests.mjs wrote the bundles (test/run.mjs sets TEST_OUT_DIR to a folder per run). */
export const outDir = (): string => process.env.TEST_OUT_DIR ?? join(projectRoot(), 'out', 'test');
