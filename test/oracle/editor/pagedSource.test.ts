import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ByteSource } from '../../../src/core/io/byteSource';
import { openFileSource } from '../../../src/node/nodeFileSource';
import { PagedSource } from '../../../src/core/io/pagedSource';
import { projectFixturesDir } from '../../helpers/ssastSample';

/** Counts the reads that reach the file. */
function counting(inner: ByteSource): ByteSource & { reads: number } {
  const source = {
    name: inner.name,
    size: inner.size,
    reads: 0,
    read(offset: number, length: number) {
      source.reads++;
      return inner.read(offset, length);
    },
    close: () => inner.close(),
  };
  return source;
}

describe('paged byte source', () => {
  const file = join(projectFixturesDir(), 'ssast-tiny-sample.pth');
  const bytes = new Uint8Array(readFileSync(file));

  it('returns exactly the bytes of the file for small, page-spanning and large ranges', async () => {
    const inner = counting(await openFileSource(file));
    const paged = new PagedSource(inner);
    try {
      let seed = 12345;
      const random = (n: number) => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed % n;
      };
      const ranges: [number, number][] = [[0, 0], [0, 30], [262_140, 10], [bytes.length - 7, 7], [1000, 600_000]];
      for (let i = 0; i < 500; i++) {
        const offset = random(bytes.length);
        ranges.push([offset, Math.min(random(4096), bytes.length - offset)]);
      }
      for (const [offset, length] of ranges) {
        assert.deepEqual(await paged.read(offset, length), bytes.subarray(offset, offset + length), `range ${offset}+${length}`);
      }
      assert.ok(inner.reads < ranges.length / 4, `${inner.reads} file reads for ${ranges.length} ranges`);
    } finally {
      await paged.close();
    }
  });

  it('rejects ranges outside the file with the file source\'s own error', async () => {
    const paged = new PagedSource(await openFileSource(file));
    try {
      await assert.rejects(paged.read(bytes.length - 4, 8), (err: unknown) => err instanceof Error && err.message.includes(file));
      await assert.rejects(paged.read(-1, 2));
    } finally {
      await paged.close();
    }
  });
});
