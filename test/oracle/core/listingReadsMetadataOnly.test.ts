// Listing reads only metadata: on a torch file of several hundred MB, the bytes read to list
// every tensor are counted through the ByteSource and stay under 1 MB.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tempDir } from '../../helpers/torch';
import { countingSource } from '../../../src/core/io/countingSource';
import { openFileSource } from '../../../src/node/nodeFileSource';
import { openCheckpoint } from '../../../src/core/openCheckpoint';
import { tensorSha256 } from '../../../src/node/tensorSha256';
import { torchJson, type ExpectedTensor } from './torchExpectations';

const WRITE_BIG = String.raw`
path = sys.argv[1]
torch.manual_seed(0)
# 48 blocks of 2M float32 = 384 MiB, plus an optimizer-like tail of small tensors.
state = collections.OrderedDict()
for i in range(48):
    state['module.blocks.%d.weight' % i] = torch.full((2048, 1024), float(i))
for i in range(200):
    state['module.small.%d' % i] = torch.randn(16)
torch.save({'state_dict': state, 'epoch': 10}, path)
print(json.dumps([e for e in expected({'state_dict': state}) if e['name'].endswith('47.weight') or e['name'].endswith('small.199')]))
`;

describe('listing a several-hundred-MB checkpoint', () => {
  const tmp = tempDir();
  const file = join(tmp.dir, 'big.pth');
  let samples: ExpectedTensor[];
  before(async () => {
    samples = await torchJson<ExpectedTensor[]>(WRITE_BIG, [file]);
  });
  after(() => tmp.cleanup());

  it('reads under 1 MB to list every tensor', async (t) => {
    const source = countingSource(await openFileSource(file));
    try {
      const started = performance.now();
      const index = await openCheckpoint(source);
      const elapsed = performance.now() - started;
      assert.ok(source.size > 300 * 1024 * 1024, `file is ${source.size} bytes`);
      assert.equal(index.tensors.length, 248);
      assert.ok(source.bytesRead < 1024 * 1024, `read ${source.bytesRead} bytes`);
      t.diagnostic(`listed ${index.tensors.length} tensors of a ${source.size}-byte file in ${elapsed.toFixed(1)} ms, ${source.bytesRead} bytes in ${source.reads} reads`);
      for (const want of samples) {
        const tensor = index.tensors.find((t) => t.name === want.name);
        assert.ok(tensor, want.name);
        assert.deepEqual([...tensor.shape], want.shape);
        assert.equal(await tensorSha256(source, tensor), want.sha256, want.name);
      }
    } finally {
      await source.close();
    }
  });
});
