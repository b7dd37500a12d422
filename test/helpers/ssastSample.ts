// Writes SSAST-shaped checkpoints with real torch (test/fixtures/make_fixtures.py) and returns what torch
// says about every tensor, so tests compare the extension's answers against torch, never hard-coded values.
import { fixturesDir } from '../harness/paths';
import { runPythonJson } from './torch';

export interface TorchTensorFacts {
  readonly dtype: string;
  readonly shape: number[];
  /** How Python prints the shape: `str(list(t.shape))`, e.g. `[576, 192]`. */
  readonly shapeText: string;
  readonly numel: number;
  readonly bytes: number;
}

const WRITE_AND_DESCRIBE = `
import json, sys, torch
sys.path.insert(0, sys.argv[1])
import make_fixtures
path = sys.argv[2]
make_fixtures.write_ssast_tiny_sample(path)
sd = torch.load(path)
print(json.dumps({k: {"dtype": str(v.dtype).replace("torch.", ""), "shape": list(v.shape), "shapeText": str(list(v.shape)),
                      "numel": v.numel(), "bytes": v.numel() * v.element_size()} for k, v in sd.items()}))
`;

/**
 * Writes the SSAST-Tiny-shaped sample (DataParallel keys, `module.` prefix) to `path`.
 * `fixturesDir` is the project's test/fixtures folder (`fixturesDir()` of test/harness/paths). Resolves with torch's facts per key.
 */
export function writeSsastSample(fixturesDir: string, path: string): Promise<Record<string, TorchTensorFacts>> {
  return runPythonJson(WRITE_AND_DESCRIBE, [fixturesDir, path]);
}

/** The project's test/fixtures folder (kept for tests that import it from here). */
export function projectFixturesDir(): string {
  return fixturesDir();
}
