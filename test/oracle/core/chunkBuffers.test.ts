// Streaming with recycled chunk buffers: tensors streamed one after another through the same two
// buffers (including after a consumer stopped early, with a read still in flight) hash to what torch says.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openFileSource } from '../../../src/node/nodeFileSource';
import { openCheckpoint } from '../../../src/core/openCheckpoint';
import type { ByteSource } from '../../../src/core/io/byteSource';
import type { CheckpointIndex } from '../../../src/core/checkpointIndex';
import { ChunkBuffers, streamTensor } from '../../../src/core/tensors/tensorReader';
import { runPythonJson, tempDir } from '../../helpers/torch';

const WRITE = String.raw`
import hashlib, json, sys, torch
torch.manual_seed(3)
tensors = {'a': torch.randn(1000, 33), 'b': torch.randn(7), 'c': torch.randn(517, 64).half(), 'd': torch.randn(2048, 9)}
torch.save(tensors, sys.argv[1])
print(json.dumps({k: hashlib.sha256(v.numpy().tobytes()).hexdigest() for k, v in tensors.items()}))
`;

describe('streamTensor with shared ChunkBuffers', () => {
  const tmp = tempDir('chunk-buffers-');
  let expected: Record<string, string>;
  let source: ByteSource;
  let index: CheckpointIndex;
  before(async () => {
    const file = join(tmp.dir, 'four.pt');
    expected = await runPythonJson(WRITE, [file]);
    source = await openFileSource(file);
    index = await openCheckpoint(source);
  });
  after(async () => {
    await source?.close();
    tmp.cleanup();
  });

  async function sha256(from: ByteSource, name: string, buffers: ChunkBuffers, stopAfter = Infinity): Promise<string> {
    const tensor = index.tensors.find((t) => t.name === name)!;
    const hash = createHash('sha256');
    let chunks = 0;
    for await (const chunk of streamTensor(from, tensor, { buffers })) {
      hash.update(chunk);
      if (++chunks >= stopAfter) break;
    }
    return hash.digest('hex');
  }

  it('every tensor, streamed in turn through two 4 KiB buffers, has torch\'s sha256', async () => {
    const buffers = new ChunkBuffers(4096);
    for (const name of ['a', 'b', 'c', 'd', 'a']) assert.equal(await sha256(source, name, buffers), expected[name], name);
  });

  it('a consumer that stops early gets control back only once no read still fills a shared buffer', async () => {
    // The reads ahead finish late (10 ms): were one still in flight when the stream returns, the next
    // stream sharing the buffers could be handed the buffer it is about to overwrite.
    let inFlight = 0;
    const slow: ByteSource = {
      name: source.name,
      size: source.size,
      read: (offset, length) => source.read(offset, length),
      readInto: async (offset, target) => {
        inFlight++;
        await new Promise((resolve) => setTimeout(resolve, 10));
        await source.readInto!(offset, target);
        inFlight--;
      },
      close: async () => undefined,
    };
    const buffers = new ChunkBuffers(4096);
    for (const stopAfter of [1, 2, 5]) {
      await sha256(slow, 'd', buffers, stopAfter);
      assert.equal(inFlight, 0, `reads still in flight after stopping at chunk ${stopAfter}`);
      assert.equal(await sha256(slow, 'a', buffers), expected['a'], `after stopping at chunk ${stopAfter}`);
    }
  });
});
