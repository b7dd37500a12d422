import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { adaptPositionEmbeddings } from '../../../src/ast/posEmbed';
import { runPythonJson, tempDir } from '../../helpers/torch';

// SSAST's fine-tuning adaptation written with torch (time axis, then frequency; centred crop
// when shrinking, F.interpolate bilinear align_corners=False otherwise), with the frequency
// crop end corrected to use f. Writes the source and the expected result as raw float32.
const ADAPT_IN_TORCH = `
import json, sys, torch
import torch.nn.functional as F
out, D, C, pf, pt, f, t, seed = sys.argv[1], *map(int, sys.argv[2:])
g = torch.Generator().manual_seed(seed)
pos = torch.randn(1, C + pf * pt, D, generator=g)
x = pos[:, C:, :].reshape(1, pf * pt, D).transpose(1, 2).reshape(1, D, pf, pt)
if t < pt:
    x = x[:, :, :, pt // 2 - t // 2: pt // 2 - t // 2 + t]
else:
    x = F.interpolate(x, size=(pf, t), mode='bilinear', align_corners=False)
if f < pf:
    x = x[:, :, pf // 2 - f // 2: pf // 2 - f // 2 + f, :]
else:
    x = F.interpolate(x, size=(f, t), mode='bilinear', align_corners=False)
x = x.reshape(1, D, f * t).transpose(1, 2)
cls = pos[:, :C, :] if C == 2 else pos[:, :1, :].repeat(1, 2, 1)
expected = torch.cat([cls, x], dim=1)
pos.numpy().tofile(out + '/source.f32')
expected.contiguous().numpy().tofile(out + '/expected.f32')
print(json.dumps(list(expected.shape)))
`;

function f32(path: string): Float32Array {
  const b = readFileSync(path);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

describe('position-embedding adaptation (reference §3.3) against torch', () => {
  const tmp = tempDir('posembed-');
  after(tmp.cleanup);
  const cases: { name: string; D: number; C: number; from: [number, number]; to: [number, number] }[] = [
    { name: 'pretraining 8×64 → AST stride 10, 1024 frames (12×101): interpolate both axes', D: 24, C: 2, from: [8, 64], to: [12, 101] },
    { name: '8×64 → stride 10, 512 frames (12×50): crop time, interpolate frequency', D: 24, C: 2, from: [8, 64], to: [12, 50] },
    { name: '12×101 → 8×30: crop both axes (odd sizes, centred windows)', D: 16, C: 2, from: [12, 101], to: [8, 30] },
    { name: 'same grid: identity', D: 16, C: 2, from: [8, 64], to: [8, 64] },
    { name: 'nokd (one class row duplicated), 8×64 → 8×100', D: 16, C: 1, from: [8, 64], to: [8, 100] },
  ];
  for (const [i, c] of cases.entries()) {
    it(c.name, async () => {
      const dir = join(tmp.dir, String(i));
      await runPythonJson(`import os; os.makedirs(${JSON.stringify(dir)}, exist_ok=True)\n` + ADAPT_IN_TORCH,
        [dir, String(c.D), String(c.C), String(c.from[0]), String(c.from[1]), String(c.to[0]), String(c.to[1]), String(i)]);
      const got = adaptPositionEmbeddings(f32(join(dir, 'source.f32')), c.D, c.C, { f: c.from[0], t: c.from[1] }, { f: c.to[0], t: c.to[1] });
      const expected = f32(join(dir, 'expected.f32'));
      assert.equal(got.length, expected.length);
      let maxDiff = 0;
      for (let k = 0; k < got.length; k++) maxDiff = Math.max(maxDiff, Math.abs(got[k]! - expected[k]!));
      assert.equal(maxDiff, 0, `max abs diff ${maxDiff}`);
    });
  }
});
