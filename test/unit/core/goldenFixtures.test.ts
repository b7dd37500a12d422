// The committed small checkpoints of test/fixtures/golden/ (torch zip, legacy, safetensors, TorchScript, a hostile
// pickle) read with Node alone and compared to the goldens torch wrote beside them (make_golden.py; kept true by
// test/oracle/core/goldenFixtures.test.ts): format, every tensor's name, dtype, shape and sha256, the pickle's
// globals as pickletools reads them, and the verdict per global against torch's weights_only allowlist. (torch
// 1.13's weights_only load also refuses a float in the pickle, "Unsupported operand 71": an opcode, not a global,
// so not part of the verdict; the golden records it.)
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fixturesDir } from '../../harness/paths';
import { runCli } from '../../helpers/cli';

export interface Golden {
  file: string;
  format: string;
  tensors: { name: string; dtype: string; shape: number[]; sha256: string }[];
  globals?: string[];
  refusedByTorch?: string[];
  weightsOnlyLoads?: boolean;
  planted?: string[];
}

interface Listing {
  format: string;
  tensors: { name: string; dtype: string; shape: number[]; sha256: string }[];
  safety: { verdict: string; globals: { name: string }[] };
  unsafeGlobals: string[];
}

const GOLDEN_DIR = join(fixturesDir(), 'golden');
const goldens = readdirSync(GOLDEN_DIR).filter((f) => f.endsWith('.expected.json')).sort();

describe('committed fixtures against torch\'s goldens (Node alone)', () => {
  it('there is a golden for each kind of file the reader knows, and a hostile one', () => {
    const kinds = goldens.map((g) => (JSON.parse(readFileSync(join(GOLDEN_DIR, g), 'utf8')) as Golden).format);
    assert.deepEqual([...new Set(kinds)].sort(), ['safetensors', 'torch-legacy', 'torch-zip', 'torchscript']);
    assert.ok(goldens.some((g) => (JSON.parse(readFileSync(join(GOLDEN_DIR, g), 'utf8')) as Golden).planted));
  });

  for (const name of goldens) {
    const golden = JSON.parse(readFileSync(join(GOLDEN_DIR, name), 'utf8')) as Golden;
    it(`${golden.file}: ${golden.format}, ${golden.tensors.length} tensors, globals judged as torch's allowlist does`, async () => {
      const r = await runCli(['inspect', join(GOLDEN_DIR, golden.file), '--json', '--hash']);
      assert.equal(r.code, 0, r.stderr);
      const listing = JSON.parse(r.stdout) as Listing;
      assert.equal(listing.format, golden.format);
      assert.deepEqual(listing.tensors.map(({ name, dtype, shape, sha256 }) => ({ name, dtype, shape, sha256 })), golden.tensors);
      if (golden.globals) assert.deepEqual(listing.safety.globals.map((g) => g.name).sort(), golden.globals);
      if (golden.refusedByTorch) {
        assert.deepEqual([...listing.unsafeGlobals].sort(), golden.refusedByTorch);
        assert.equal(listing.safety.verdict === 'safe', golden.refusedByTorch.length === 0, `verdict ${listing.safety.verdict}`);
      }
      if (golden.weightsOnlyLoads) assert.equal(listing.safety.verdict, 'safe', 'torch.load(weights_only=True) loads it');
      if (golden.planted) {
        assert.equal(listing.safety.verdict, 'dangerous');
        for (const call of golden.planted) assert.ok(listing.unsafeGlobals.includes(call), `${call} not among ${listing.unsafeGlobals.join(', ')}`);
      }
    });
  }
});
