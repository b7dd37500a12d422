// Tensor statistics computed in chunks agree with torch: extremes, mean, std, NaN/Inf counts and
// the histogram, for float32/float16/bfloat16/int64/bool, contiguous or not.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runPythonJson, tempDir } from '../../helpers/torch';
import { openFileSource } from '../../../src/node/nodeFileSource';
import { openCheckpoint } from '../../../src/core/openCheckpoint';
import { tensorStatistics } from '../../../src/core/tensors/statistics';
import type { ByteSource } from '../../../src/core/io/byteSource';
import type { CheckpointIndex } from '../../../src/core/checkpointIndex';

const BINS = 16;
const WRITE_AND_MEASURE = String.raw`
import json, sys, torch
path, bins = sys.argv[1], int(sys.argv[2])
torch.manual_seed(0)
special = torch.randn(1000) * 5 + 2
special[[3, 50, 700]] = float('nan')
special[[10, 11]] = float('inf')
special[999] = float('-inf')
tensors = {
    'special': special,
    'half': (torch.randn(300, 7) * 100).half(),
    'bf16_transposed': torch.randn(40, 30).bfloat16().t(),
    'ints': torch.randint(-1000, 1000, (513,)),
    'flags': torch.rand(77) > 0.3,
    'constant': torch.full((9,), 4.0),
    'all_nan': torch.full((4,), float('nan')),
    'big': torch.randn(3_000_000),
}
torch.save(tensors, path)
def stats(t):
    d = t.double().flatten()
    finite = d[torch.isfinite(d)]
    out = dict(count=d.numel(), nanCount=int(torch.isnan(d).sum()),
               posInfCount=int((d == float('inf')).sum()), negInfCount=int((d == float('-inf')).sum()))
    if finite.numel():
        lo, hi = float(finite.min()), float(finite.max())
        out.update(min=lo, max=hi, mean=float(finite.mean()),
                   std=float(finite.std()) if finite.numel() > 1 else 0.0,
                   counts=[int(c) for c in torch.histc(finite, bins, lo, hi)] if hi > lo else [finite.numel()] + [0] * (bins - 1))
    return out
print(json.dumps({k: stats(v) for k, v in tensors.items()}))
`;

interface TorchStats {
  count: number; nanCount: number; posInfCount: number; negInfCount: number;
  min?: number; max?: number; mean?: number; std?: number; counts?: number[];
}

describe('tensorStatistics agrees with torch', () => {
  const tmp = tempDir();
  const file = join(tmp.dir, 'stats.pth');
  let expected: Record<string, TorchStats>;
  let source: ByteSource;
  let index: CheckpointIndex;
  before(async () => {
    expected = await runPythonJson(WRITE_AND_MEASURE, [file, String(BINS)]);
    source = await openFileSource(file);
    index = await openCheckpoint(source);
  });
  after(async () => {
    await source.close();
    tmp.cleanup();
  });

  for (const name of ['special', 'half', 'bf16_transposed', 'ints', 'flags', 'constant', 'all_nan', 'big']) {
    it(name, async () => {
      const tensor = index.tensors.find((t) => t.name === name)!;
      const progress: number[] = [];
      const ours = await tensorStatistics(source, tensor, { bins: BINS, onProgress: (done) => progress.push(done) });
      const want = expected[name]!;
      assert.equal(ours.count, want.count);
      assert.equal(ours.nanCount, want.nanCount);
      assert.equal(ours.posInfCount, want.posInfCount);
      assert.equal(ours.negInfCount, want.negInfCount);
      if (want.min === undefined) {
        assert.ok(Number.isNaN(ours.min) && Number.isNaN(ours.max) && Number.isNaN(ours.mean));
        assert.deepEqual(ours.histogram.counts, new Array(BINS).fill(0));
      } else {
        assert.equal(ours.min, want.min);
        assert.equal(ours.max, want.max);
        close(ours.mean, want.mean!, 'mean');
        close(ours.std, want.std!, 'std');
        assert.deepEqual(ours.histogram.counts, want.counts);
      }
      assert.equal(progress[progress.length - 1], tensor.bytes * 2, 'progress reaches both passes');
    });
  }

  it('stops when its signal is aborted', async () => {
    const tensor = index.tensors.find((t) => t.name === 'big')!;
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(tensorStatistics(source, tensor, { signal: controller.signal }), { name: 'AbortError' });
  });
});

function close(actual: number, wanted: number, what: string): void {
  assert.ok(Math.abs(actual - wanted) <= 1e-9 * Math.max(1, Math.abs(wanted)), `${what}: ${actual} vs ${wanted}`);
}
