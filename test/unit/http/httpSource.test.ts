// The HTTP source against a real node:http server on 127.0.0.1 serving random bytes: every read, prefetched
// or not, cached or evicted, at block edges and the file's end, returns the file's bytes; a server that only
// does single ranges still gives the right bytes; multipart and Content-Range parsing on their own.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseByteRanges, parseContentRange } from '../../../src/core/http/contentRange';
import { openHttpSource } from '../../../src/core/http/httpSource';
import { startRangeServer, type RangeServer } from '../../helpers/rangeServer';
import { tempDir } from '../../helpers/torch';

const SIZE = 3 * 1024 * 1024 + 777;

describe('HTTP byte source', () => {
  const tmp = tempDir('http-source-');
  const content = randomBytes(SIZE);
  let server: RangeServer;
  let single: RangeServer;
  before(async () => {
    writeFileSync(join(tmp.dir, 'blob'), content);
    server = await startRangeServer({ files: { '/blob': join(tmp.dir, 'blob') } });
    single = await startRangeServer({ files: { '/blob': join(tmp.dir, 'blob') }, singleRangeOnly: true });
  });
  after(async () => {
    await server.close();
    await single.close();
    tmp.cleanup();
  });

  const reads: [number, number][] = [
    [0, 1], [65535, 2], [65536, 65536], [SIZE - 1, 1], [SIZE - 1046, 1046], [123_456, 700_000], [SIZE - 300_000, 300_000], [1_000_000, 0],
    ...Array.from({ length: 60 }, (_, i): [number, number] => { const o = (i * 2_654_435_761) % (SIZE - 5000); return [o, 1 + ((i * 7919) % 4999)]; }),
  ];

  for (const [label, cacheBytes] of [['default cache', undefined], ['a cache of 3 blocks (evicting)', 3 * 65536]] as const) {
    it(`${label}: every read is the file's bytes`, async () => {
      const source = await openHttpSource('blob', `${server.origin}/blob`, { cacheBytes });
      assert.equal(source.size, SIZE);
      for (const [o, l] of reads) assert.ok(Buffer.from(await source.read(o, l)).equals(content.subarray(o, o + l)), `read ${l} at ${o}`);
      const concurrent = await Promise.all(reads.map(([o, l]) => source.read(o, l)));
      concurrent.forEach((bytes, i) => assert.ok(Buffer.from(bytes).equals(content.subarray(reads[i]![0], reads[i]![0] + reads[i]![1]))));
      await assert.rejects(source.read(SIZE - 2, 3), /outside the file/);
      await source.close();
    });
  }

  for (const [label, which] of [['multipart server', () => server], ['single-range server (falls back)', () => single]] as const) {
    it(`prefetch on a ${label}: reads after it are the file's bytes, and come from one request when multipart works`, async () => {
      const srv = which();
      const source = await openHttpSource('blob', `${srv.origin}/blob`);
      const ranges = Array.from({ length: 150 }, (_, i): [number, number] => [100_000 + i * 19_001, 40 + (i % 90)]);
      const before = source.wire.requests;
      await source.prefetch!(ranges);
      const afterPrefetch = source.wire.requests;
      for (const [o, l] of ranges) assert.ok(Buffer.from(await source.read(o, l)).equals(content.subarray(o, o + l)));
      if (srv === server) {
        assert.equal(afterPrefetch - before, 1);
        assert.equal(source.wire.requests, afterPrefetch, 'prefetched reads went to the server again');
      } else {
        assert.ok(source.wire.requests > afterPrefetch, 'fell back to plain reads');
      }
      await source.close();
    });
  }

  it('Content-Range and multipart/byteranges parsing', () => {
    assert.deepEqual(parseContentRange('bytes 0-9/100'), { start: 0, end: 9, total: 100 });
    assert.deepEqual(parseContentRange('bytes */100'), { total: 100 });
    assert.deepEqual(parseContentRange('bytes 0-9/*'), { start: 0, end: 9, total: undefined });
    assert.equal(parseContentRange('items 0-9/100'), undefined);
    const body = Buffer.from('--XY\r\nContent-Type: a/b\r\nContent-Range: bytes 5-7/50\r\n\r\nabc\r\n--XY\r\nContent-Range: bytes 20-21/50\r\n\r\n\r\n\r\n--XY--\r\n', 'latin1');
    const parts = parseByteRanges(body, 'multipart/byteranges; boundary=XY');
    assert.deepEqual(parts?.map((p) => [p.start, Buffer.from(p.bytes).toString('latin1')]), [[5, 'abc'], [20, '\r\n']]);
    assert.equal(parseByteRanges(body, 'application/octet-stream'), undefined);
    assert.equal(parseByteRanges(body.subarray(0, 60), 'multipart/byteranges; boundary="XY"'), undefined);
  });
});
