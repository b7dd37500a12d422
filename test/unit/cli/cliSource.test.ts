// The CLI's file source (synchronous open, small reads synchronous, big ones through the thread pool) on a real
// file: right bytes on both paths, ranges outside the file refused, and close() waiting for a read in flight
// instead of freeing a descriptor number the next open would reuse.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openCliSource } from '../../../src/cli/cliSource';
import { tempDir } from '../../helpers/torch';

describe('CLI file source', () => {
  const tmp = tempDir('cli-source-');
  const file = join(tmp.dir, 'bytes.bin');
  const content = randomBytes(6 * 1024 * 1024 + 123);
  before(() => writeFileSync(file, content));
  after(() => tmp.cleanup());

  it('small (synchronous) and big (thread pool) reads return the file\'s bytes', async () => {
    const source = await openCliSource(file);
    try {
      assert.equal(source.size, content.length);
      assert.deepEqual(Buffer.from(await source.read(1000, 30)), content.subarray(1000, 1030));
      assert.deepEqual(Buffer.from(await source.read(17, 5 * 1024 * 1024)), content.subarray(17, 17 + 5 * 1024 * 1024));
      assert.deepEqual(Buffer.from(await source.read(content.length - 7, 7)), content.subarray(content.length - 7));
      await assert.rejects(source.read(content.length - 7, 8), RangeError);
    } finally {
      await source.close();
    }
  });

  it('close() waits for a big read in flight; reads after close are refused', async () => {
    const source = await openCliSource(file);
    const reading = source.read(0, content.length);
    const closing = source.close();
    assert.deepEqual(Buffer.from(await reading), content);
    await closing;
    await assert.rejects(source.read(0, 4), /after the file was closed/);
    await source.close();
  });

  it('a missing file is an error naming it', async () => {
    await assert.rejects(openCliSource(join(tmp.dir, 'missing.pth')), /ENOENT.*missing\.pth/);
  });
});
