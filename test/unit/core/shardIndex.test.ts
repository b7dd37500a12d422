// Shard index parsing and the joined source of a sharded checkpoint: names refused when they would leave the
// index's folder, and each read landing in the right part (never across two).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { concatSource } from '../../../src/core/io/concatSource';
import type { ByteSource } from '../../../src/core/io/byteSource';
import { parseShardIndex } from '../../../src/core/shards/shardIndex';

function memorySource(name: string, bytes: Uint8Array): ByteSource {
  return { name, size: bytes.length, read: async (o, l) => bytes.slice(o, o + l), close: async () => undefined };
}

describe('shard index', () => {
  it('weight_map, total_size and the shard files in name order', () => {
    const index = parseShardIndex('i.json', JSON.stringify({ metadata: { total_size: 42 }, weight_map: { b: 'm-2.bin', a: 'm-1.bin', c: 'm-2.bin' } }));
    assert.deepEqual([...index.weightMap], [['b', 'm-2.bin'], ['a', 'm-1.bin'], ['c', 'm-2.bin']]);
    assert.equal(index.totalSize, 42);
    assert.deepEqual(index.shardFiles, ['m-1.bin', 'm-2.bin']);
  });

  it('refuses non-indexes and shard names outside the folder, naming the file', () => {
    assert.throws(() => parseShardIndex('i.json', '{"weight_map": ['), /^Error: i\.json: not a shard index: invalid JSON|i\.json: not a shard index: invalid JSON/);
    assert.throws(() => parseShardIndex('i.json', '{"x": 1}'), /i\.json: not a shard index: no "weight_map" object/);
    for (const bad of ['../x.bin', '/etc/passwd', 'sub/x.bin', 'C:x.bin', '..']) {
      assert.throws(() => parseShardIndex('i.json', JSON.stringify({ weight_map: { t: bad } })), /not a file name beside the index/, bad);
    }
  });

  it('a joined source reads each part at its base and refuses reads across parts', async () => {
    const a = new Uint8Array([1, 2, 3]);
    const b = new Uint8Array([4, 5, 6, 7]);
    const joined = concatSource('idx', [{ source: memorySource('a', a), base: 0 }, { source: memorySource('b', b), base: 3 }]);
    assert.equal(joined.size, 7);
    assert.deepEqual([...await joined.read(0, 3)], [1, 2, 3]);
    assert.deepEqual([...await joined.read(4, 3)], [5, 6, 7]);
    await assert.rejects(joined.read(2, 2), /idx: read of 2 bytes at byte 2 does not lie within one shard/);
    await assert.rejects(joined.read(6, 2), /outside the file/);
  });
});
