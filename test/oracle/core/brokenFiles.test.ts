// Broken and foreign files: each gives its typed one-line error naming the file, what is wrong
// and where. Messages are part of the contract, so the tests check their text.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runPythonJson, tempDir } from '../../helpers/torch';
import {
  NotACheckpointError, PickleFormatError, SafetensorsFormatError, TorchFormatError, ZipFormatError,
} from '../../../src/core/errors';
import { openFileSource } from '../../../src/node/nodeFileSource';
import { openCheckpoint } from '../../../src/core/openCheckpoint';

const WRITE_GOOD_FILES = String.raw`
import json, sys, zipfile, torch
folder = sys.argv[1]
obj = {'weight': torch.arange(64, dtype=torch.float32), 'epoch': 1}
torch.save(obj, folder + '/good.pth')
torch.save(obj, folder + '/good-legacy.pth', _use_new_zipfile_serialization=False)
# A torch zip whose data.pkl stops half way: rewrite the archive with the entry cut.
with zipfile.ZipFile(folder + '/good.pth') as src, zipfile.ZipFile(folder + '/cut-pickle.pth', 'w') as dst:
    for info in src.infolist():
        data = src.read(info)
        if info.filename.endswith('data.pkl'):
            cut = len(data) // 2
            data = data[:cut]
        dst.writestr(info.filename, data)
print(json.dumps({'cut': cut}))
`;

async function openError(file: string): Promise<Error> {
  const source = await openFileSource(file);
  try {
    await openCheckpoint(source);
  } catch (err) {
    assert.ok(err instanceof Error);
    assert.ok(!err.message.includes('\n'), `one line: ${err.message}`);
    return err;
  } finally {
    await source.close();
  }
  assert.fail(`${file} opened without error`);
}

describe('broken files give one-line typed errors', () => {
  const tmp = tempDir();
  const at = (name: string) => join(tmp.dir, name);
  let cut = 0;
  let zipBytes: Uint8Array;
  let legacyBytes: Uint8Array;
  /** Writes a variant of `bytes` and returns its path. */
  const variant = (name: string, bytes: Uint8Array, edit?: (b: Buffer) => void): string => {
    const copy = Buffer.from(bytes);
    edit?.(copy);
    writeFileSync(at(name), copy);
    return at(name);
  };

  before(async () => {
    ({ cut } = await runPythonJson<{ cut: number }>(WRITE_GOOD_FILES, [tmp.dir]));
    zipBytes = readFileSync(at('good.pth'));
    legacyBytes = readFileSync(at('good-legacy.pth'));
  });
  after(() => tmp.cleanup());

  it('truncated torch zip', async () => {
    const file = variant('truncated.pth', zipBytes.subarray(0, 700));
    const err = await openError(file);
    assert.ok(err instanceof ZipFormatError);
    assert.equal(err.message, `${file}: zip archive has no end-of-central-directory record; the file is truncated (at byte 700)`);
  });

  it('truncated legacy file', async () => {
    const length = legacyBytes.length - 100;
    const file = variant('truncated-legacy.pth', legacyBytes.subarray(0, length));
    const err = await openError(file);
    assert.ok(err instanceof TorchFormatError);
    const storageAt = legacyBytes.length - 8 - 64 * 4;
    assert.match(err.message, new RegExp(`^${escape(file)}: storage \\d+ \\(64 float32 elements\\) runs past the end of the file; the file is truncated \\(at byte ${storageAt}\\)$`));
  });

  it('wrong zip magic', async () => {
    const file = variant('bad-magic.pth', zipBytes, (b) => b.write('XXXX', 0, 'latin1'));
    const err = await openError(file);
    assert.ok(err instanceof ZipFormatError);
    assert.equal(err.message, `${file}: corrupt zip: bad local header signature (entry good/data.pkl, byte 0)`);
  });

  it('wrong legacy magic number', async () => {
    const file = variant('bad-legacy-magic.pth', legacyBytes, (b) => { b[4] = 0x6d; });
    const err = await openError(file);
    assert.ok(err instanceof TorchFormatError);
    assert.equal(err.message, `${file}: wrong magic number 0x1950a86a20f9469cfc6d in a legacy torch file, expected 0x1950a86a20f9469cfc6c (at byte 0)`);
  });

  it('corrupt central directory', async () => {
    const directoryAt = Buffer.from(zipBytes).indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    const file = variant('bad-directory.pth', zipBytes, (b) => b.write('JUNK', directoryAt, 'latin1'));
    const err = await openError(file);
    assert.ok(err instanceof ZipFormatError);
    assert.equal(err.message, `${file}: corrupt zip: central directory entry 0 of 3 is missing or has a bad signature (at byte ${directoryAt})`);
  });

  it('central directory offset outside the file (ZIP64 record, as torch writes)', async () => {
    const eocdAt = Buffer.from(zipBytes).lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    const zip64At = Buffer.from(zipBytes).lastIndexOf(Buffer.from([0x50, 0x4b, 0x06, 0x06]));
    assert.ok(zip64At > 0, 'torch writes a ZIP64 end-of-central-directory record');
    const file = variant('bad-eocd.pth', zipBytes, (b) => b.writeBigUInt64LE(0x7fff0000n, zip64At + 48));
    const err = await openError(file);
    assert.ok(err instanceof ZipFormatError);
    assert.match(err.message, new RegExp(`^${escape(file)}: corrupt zip: central directory \\(\\d+ bytes at byte 2147418112\\) runs past the end-of-central-directory record \\(at byte ${eocdAt}\\)$`));
  });

  it('cut-off pickle in data.pkl', async () => {
    const file = at('cut-pickle.pth');
    const err = await openError(file);
    assert.ok(err instanceof PickleFormatError);
    assert.match(err.message, new RegExp(`^${escape(file)}: pickle is cut off: opcode needs \\d+ bytes at byte \\d+, \\d+ left \\(entry good/data.pkl, byte \\d+\\)$`));
    assert.ok((err as PickleFormatError).offset! < cut);
  });

  it('cut-off pickle in a legacy file', async () => {
    const file = variant('cut-legacy.pth', legacyBytes.subarray(0, 60));
    const err = await openError(file);
    assert.ok(err instanceof PickleFormatError);
    assert.match(err.message, new RegExp(`^${escape(file)}: pickle is cut off: .* \\(at byte \\d+\\)$`));
  });

  it('text file, empty file, zip without data.pkl', async () => {
    const text = variant('notes.pth', Buffer.from('these are not weights\n'));
    const empty = variant('empty.pth', new Uint8Array(0));
    assert.equal((await openError(text)).message, `${text}: not a checkpoint: neither a torch file (zip or legacy pickle) nor safetensors`);
    assert.equal((await openError(empty)).message, `${empty}: not a checkpoint: the file is empty`);
    const zip = await runPythonJson<string>(`
import json, sys, zipfile
with zipfile.ZipFile(sys.argv[1], 'w') as z:
    z.writestr('readme.txt', 'hello')
print(json.dumps(sys.argv[1]))`, [at('plain.zip')]);
    const err = await openError(zip);
    assert.ok(err instanceof NotACheckpointError);
    assert.equal(err.message, `${zip}: not a checkpoint: a zip archive without a data.pkl entry`);
  });

  it('safetensors with a huge, a cut or a lying header', async () => {
    const header = (json: string, claimed?: number) => {
      const body = Buffer.from(json);
      const head = Buffer.alloc(8);
      head.writeBigUInt64LE(BigInt(claimed ?? body.length));
      return Buffer.concat([head, body, Buffer.alloc(16)]);
    };
    const huge = variant('huge.safetensors', header('{}', 200 * 1024 * 1024), (b) => b.writeBigUInt64LE(200n * 1024n * 1024n, 0));
    const lying = variant('lying.safetensors', header('{"w":{"dtype":"F32","shape":[8],"data_offsets":[0,32]}}'));
    const badJson = variant('bad.safetensors', header('{"w": nope}'));
    const cutHeader = variant('cut.safetensors', header('{"w": 1}', 4000));
    const e0 = await openError(huge);
    assert.ok(e0 instanceof SafetensorsFormatError);
    assert.equal(e0.message, `${huge}: header length 209715200 is larger than the 104857600-byte limit (at byte 0)`);
    const e3 = await openError(cutHeader);
    assert.ok(e3 instanceof SafetensorsFormatError);
    assert.equal(e3.message, `${cutHeader}: header of 4000 bytes runs past the end of the file (32 bytes); the file is truncated (at byte 0)`);
    const e1 = await openError(lying);
    assert.ok(e1 instanceof SafetensorsFormatError);
    assert.match(e1.message, new RegExp(`^${escape(lying)}: tensor "w": data_offsets end at byte \\d+, past the end of the file \\(\\d+ bytes\\) \\(at byte 8\\)$`));
    const e2 = await openError(badJson);
    assert.ok(e2 instanceof SafetensorsFormatError);
    assert.match(e2.message, new RegExp(`^${escape(badJson)}: header is not valid JSON \\(.*\\) \\(at byte 8\\)$`));
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
