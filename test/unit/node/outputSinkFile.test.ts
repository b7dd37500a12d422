// Single-file outputs through the Node output sink: staged beside the destination, moved into place
// by one rename, an existing file replaced only when asked, nothing left behind either way.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { nodeOutputSink } from '../../../src/node/nodeOutputSink';

describe('nodeOutputSink.commitFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sink file '));
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function stageAndWrite(dest: string, text: string) {
    const folder = await nodeOutputSink.stage(dest);
    const file = await folder.createFile('out.bin');
    const bytes = new TextEncoder().encode(text);
    assert.equal(await file.write(bytes, 0), bytes.length);
    await file.sync();
    await file.close();
    return folder;
  }

  it('moves the staged file into place and removes the staging folder', async () => {
    const dest = join(dir, 'new tensor.npy');
    await nodeOutputSink.commitFile(await stageAndWrite(dest, 'first'), 'out.bin', dest, false);
    assert.equal(readFileSync(dest, 'utf8'), 'first');
    assert.deepEqual(readdirSync(dir), ['new tensor.npy']);
  });

  it('refuses an existing file without replace and keeps it, then replaces it when asked', async () => {
    const dest = join(dir, 'kept.safetensors');
    writeFileSync(dest, 'user data');
    const staged = await stageAndWrite(dest, 'second');
    await assert.rejects(nodeOutputSink.commitFile(staged, 'out.bin', dest, false), { name: 'DestinationExistsError', message: `${dest} already exists; choose another name or replace it (--force)` });
    assert.equal(readFileSync(dest, 'utf8'), 'user data');
    await nodeOutputSink.discard(staged);
    await nodeOutputSink.commitFile(await stageAndWrite(dest, 'third'), 'out.bin', dest, true);
    assert.equal(readFileSync(dest, 'utf8'), 'third');
    assert.deepEqual(readdirSync(dir).sort(), ['kept.safetensors', 'new tensor.npy']);
  });
});
