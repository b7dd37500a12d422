// A persistent id names its storage class by a global the pickle chooses. Names that are members of
// every JS object (`constructor`, `__proto__`, `toString`) must read as unknown storage types, never
// as a dtype found on Object.prototype.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runPythonJson, tempDir } from '../../helpers/torch';
import { TorchFormatError } from '../../../src/core/errors';
import { openFileSource } from '../../../src/node/nodeFileSource';
import { openCheckpoint } from '../../../src/core/openCheckpoint';

const PROTOTYPE_NAMES = ['constructor', '__proto__', 'toString'];

// torch.save writes protocol 2, where the storage class is the GLOBAL line pair `torch\nFloatStorage\n`;
// each variant renames that class in a copy of data.pkl (zip) or of the whole file (legacy pickles).
const WRITE_RENAMED = String.raw`
import io, json, sys, zipfile, torch
folder, names = sys.argv[1], json.loads(sys.argv[2])
state = {'weight': torch.arange(6, dtype=torch.float32).reshape(2, 3)}
zipped, legacy = io.BytesIO(), io.BytesIO()
torch.save(state, zipped)
torch.save(state, legacy, _use_new_zipfile_serialization=False)
original = b'ctorch\nFloatStorage\n'
files = []
for name in names:
    renamed = b'ctorch\n' + name.encode() + b'\n'
    path = f'{folder}/zip-{len(files)}.pth'
    with zipfile.ZipFile(zipped) as src, zipfile.ZipFile(path, 'w') as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith('data.pkl'):
                assert data.count(original) == 1
                data = data.replace(original, renamed)
            dst.writestr(info.filename, data)
    files.append({'name': name, 'path': path})
    path = f'{folder}/legacy-{len(files)}.pth'
    data = legacy.getvalue()
    assert data.count(original) == 1
    with open(path, 'wb') as out:
        out.write(data.replace(original, renamed))
    files.append({'name': name, 'path': path})
print(json.dumps(files))
`;

describe('storage types named after Object.prototype members', () => {
  const tmp = tempDir();
  let files: { name: string; path: string }[] = [];

  before(async () => {
    files = await runPythonJson<{ name: string; path: string }[]>(WRITE_RENAMED, [tmp.dir, JSON.stringify(PROTOTYPE_NAMES)]);
  });
  after(() => tmp.cleanup());

  it('are refused as unknown storage types with a one-line torch error', async () => {
    assert.equal(files.length, PROTOTYPE_NAMES.length * 2);
    for (const { name, path } of files) {
      const source = await openFileSource(path);
      try {
        await assert.rejects(openCheckpoint(source), (err: unknown) => {
          assert.ok(err instanceof TorchFormatError, `${path}: ${String(err)}`);
          assert.ok(err.message.startsWith(`${path}: `), err.message);
          assert.ok(err.message.includes(`unknown storage type torch.${name}`), err.message);
          assert.ok(!err.message.includes('\n'), err.message);
          return true;
        });
      } finally {
        await source.close();
      }
    }
  });
});
