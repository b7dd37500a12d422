// compareCheckpoints itself, on files written by torch: results independent of the chunk size (same-dtype and
// fp32-vs-bf16 pairs), progress that ends at the byte count torch reports, cancellation, and a metadata-only
// mode that reads no tensor byte.
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { compareCheckpoints, type CompareProgress, type CompareSide } from '../../../src/core/compare/compareCheckpoints';
import type { ByteSource } from '../../../src/core/io/byteSource';
import { openFileSource } from '../../../src/node/nodeFileSource';
import { openCheckpoint } from '../../../src/core/openCheckpoint';
import { runPythonJson, tempDir } from '../../helpers/torch';

const WRITE = String.raw`
import json, sys, torch
out = sys.argv[1]
g = torch.Generator().manual_seed(3)
a = {'w': torch.randn(300, 1000, generator=g), 'b': torch.randn(77, generator=g), 'steps': torch.arange(10), 't': torch.randn(40, 50, generator=g).t()}
b = dict(a)
b['w'] = a['w'] + torch.randn(300, 1000, generator=g) * 1e-2
b['w'][5, 7] = float('nan')
b['t'] = a['t'].contiguous()
torch.save(a, out + '/a.pth')
torch.save(b, out + '/b.pth')
torch.save({k: v.bfloat16() if v.is_floating_point() else v for k, v in a.items()}, out + '/a-bf16.pth')
size = lambda sd: sum(v.numel() * v.element_size() for v in sd.values())
print(json.dumps({'bytesAB': size(a) + size(b)}))
`;

describe('compareCheckpoints', () => {
  const tmp = tempDir('ckpt-compare-');
  const opened: ByteSource[] = [];
  let expected: { bytesAB: number };
  const side = async (name: string, wrap?: (s: ByteSource) => ByteSource): Promise<CompareSide> => {
    const raw = await openFileSource(join(tmp.dir, name));
    opened.push(raw);
    const source = wrap ? wrap(raw) : raw;
    return { source, tensors: (await openCheckpoint(source)).tensors };
  };

  before(async () => {
    expected = await runPythonJson(WRITE, [tmp.dir]);
  });
  after(async () => {
    await Promise.all(opened.map((s) => s.close()));
    tmp.cleanup();
  });

  it('gives the same results for any chunk size, within a dtype and across dtypes', async () => {
    for (const other of ['b.pth', 'a-bf16.pth']) {
      const [a, b] = [await side('a.pth'), await side(other)];
      const whole = await compareCheckpoints(a, b);
      for (const chunkElements of [97, 1031, 4096]) {
        assert.deepEqual(await compareCheckpoints(a, b, { chunkElements }), whole, `${other}, chunks of ${chunkElements}`);
      }
      const statuses = Object.fromEntries(whole.pairs.map((p) => [p.a!.name, p.status]));
      assert.deepEqual(statuses, other === 'b.pth'
        ? { w: 'different', b: 'equal', steps: 'equal', t: 'equal' }
        : { w: 'dtype-changed', b: 'dtype-changed', steps: 'equal', t: 'dtype-changed' });
      if (other === 'b.pth') assert.deepEqual(whole.pairs[0]!.statistics!.nan, { a: 0, b: 1 });
    }
  });

  it('reports progress up to every tensor byte of both files, and stops when cancelled', async () => {
    const [a, b] = [await side('a.pth'), await side('b.pth')];
    const seen: CompareProgress[] = [];
    await compareCheckpoints(a, b, { chunkElements: 50_000, onProgress: (p) => seen.push(p) });
    const last = seen[seen.length - 1]!;
    assert.deepEqual(last, { pairsDone: 4, pairsTotal: 4, bytesDone: expected.bytesAB, bytesTotal: expected.bytesAB });
    assert.ok(seen.length > 8, 'progress comes per chunk');

    const abort = new AbortController();
    let after = 0;
    await assert.rejects(
      compareCheckpoints(a, b, { chunkElements: 50_000, signal: abort.signal, onProgress: () => { after++; abort.abort(); } }),
      { name: 'AbortError' },
    );
    assert.ok(after <= 2, `stopped within a chunk of the abort (${after} reports)`);
  });

  it('without values reads nothing past the listings', async () => {
    const reads: [number, number][] = [];
    const recording = (s: ByteSource): ByteSource => ({
      name: s.name, size: s.size, close: () => s.close(),
      read: (offset, length) => { reads.push([offset, length]); return s.read(offset, length); },
    });
    const [a, b] = [await side('a.pth', recording), await side('b.pth', recording)];
    const listed = reads.length;
    const result = await compareCheckpoints(a, b, { values: false });
    assert.equal(reads.length, listed);
    assert.deepEqual(result.pairs.map((p) => p.status), ['same-metadata', 'same-metadata', 'same-metadata', 'same-metadata']);
  });
});
