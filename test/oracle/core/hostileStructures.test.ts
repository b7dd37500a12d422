// Pickles whose object graph is tiny on disk but exponential as a tree (a list holding the same
// list twice, 60 levels deep): listing ends quickly with bounded output instead of hanging.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runPython, tempDir } from '../../helpers/torch';
import { openFileSource } from '../../../src/node/nodeFileSource';
import { openCheckpoint } from '../../../src/core/openCheckpoint';
import type { CheckpointIndex } from '../../../src/core/checkpointIndex';

const WRITE_BOMBS = String.raw`
import sys, torch
folder = sys.argv[1]
plain = []
for i in range(60):
    plain = [plain, plain]
torch.save({'weight': torch.ones(3), 'bomb': plain}, folder + '/plain-bomb.pth')
tensors = [torch.ones(2)]
for i in range(60):
    tensors = [tensors, tensors]
torch.save({'bomb': tensors}, folder + '/tensor-bomb.pth')
`;

describe('exponential object graphs', () => {
  const tmp = tempDir();
  before(() => runPython(WRITE_BOMBS, [tmp.dir]));
  after(() => tmp.cleanup());

  async function list(name: string): Promise<{ index: CheckpointIndex; ms: number }> {
    const source = await openFileSource(join(tmp.dir, name));
    try {
      const started = performance.now();
      const index = await openCheckpoint(source);
      return { index, ms: performance.now() - started };
    } finally {
      await source.close();
    }
  }

  it('shared values without tensors are shown once, then referenced', async (t) => {
    const { index, ms } = await list('plain-bomb.pth');
    t.diagnostic(`listed in ${ms.toFixed(0)} ms`);
    assert.deepEqual(index.tensors.map((x) => x.name), ['weight']);
    assert.ok(JSON.stringify(index.metadata).length < 100_000);
    assert.match(JSON.stringify(index.metadata), /shared value, shown where it first appears/);
  });

  it('a graph naming 2^60 tensor paths stops at the tensor limit with a warning', async (t) => {
    const { index, ms } = await list('tensor-bomb.pth');
    t.diagnostic(`listed in ${ms.toFixed(0)} ms`);
    assert.equal(index.tensors.length, 100_000);
    assert.deepEqual(index.warnings, ['more than 100000 tensors; the rest are not listed']);
  });
});
