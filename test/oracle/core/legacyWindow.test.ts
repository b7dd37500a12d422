// A legacy torch file's object pickle is read through a window that grows until it holds the STOP (readPickleAt);
// a window of 1 MiB or more the opcodes run past is grown without running it. 15,000 tensors take such windows:
// the listing must still be torch's, and a file cut inside that pickle must still name the opcode cut off.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runPythonJson, tempDir } from '../../helpers/torch';
import { PickleFormatError } from '../../../src/core/errors';
import { openFileSource } from '../../../src/node/nodeFileSource';
import { openCheckpoint } from '../../../src/core/openCheckpoint';

const WRITE = String.raw`
import io, json, pickle, pickletools, sys, torch
path = sys.argv[1]
torch.manual_seed(0)
obj = {'model.%d.weight' % i: torch.randn(1 + i % 3, 2, dtype=torch.float16 if i % 5 == 0 else torch.float32) for i in range(15000)}
torch.save(obj, path, _use_new_zipfile_serialization=False)
with open(path, 'rb') as f:
    for _ in range(3):
        pickle.load(f)
    start = f.tell()
    f.seek(0)
    data = f.read()
ops = list(pickletools.genops(data[start:]))
end = start + ops[-1][2] + 1
# Cut near the end of the object pickle: the error must point at the opcode that runs past the cut (or starts at it).
cut = start + (end - start) * 9 // 10
cut_op = max(pos for _, _, pos in ops if start + pos <= cut) + start
tensors = [[k, str(v.dtype).replace('torch.', ''), list(v.shape)] for k, v in torch.load(path).items()]
print(json.dumps({'start': start, 'end': end, 'cut': cut, 'cutOp': cut_op, 'tensors': tensors}))
`;

interface Written { start: number; end: number; cut: number; cutOp: number; tensors: [string, string, number[]][] }

async function open(file: string) {
  const source = await openFileSource(file);
  try {
    return await openCheckpoint(source);
  } finally {
    await source.close();
  }
}

describe('a legacy object pickle longer than the first window', () => {
  const tmp = tempDir();
  const file = join(tmp.dir, 'many-legacy.pth');
  let written: Written;
  before(async () => {
    written = await runPythonJson<Written>(WRITE, [file]);
  });
  after(() => tmp.cleanup());

  it('lists what torch.load gives', async () => {
    assert.ok(written.end - written.start > 1024 * 1024, 'the pickle runs past a 1 MiB window');
    const index = await open(file);
    assert.equal(index.format, 'torch-legacy');
    assert.deepEqual(index.tensors.map((t) => [t.name, t.dtype, [...t.shape]]), written.tensors);
  });

  it('cut inside it, names the opcode that runs past the end of the file', async () => {
    assert.ok(written.cut - written.start > 1024 * 1024, 'the cut is past a 1 MiB window');
    const cutFile = join(tmp.dir, 'cut.pth');
    writeFileSync(cutFile, readFileSync(file).subarray(0, written.cut));
    await assert.rejects(open(cutFile), (err: unknown) => {
      assert.ok(err instanceof PickleFormatError);
      assert.match(err.message, /: pickle is cut off: opcode needs \d+ bytes at byte \d+, \d+ left \(at byte \d+\)$/);
      assert.equal(err.offset, written.cutOp);
      return true;
    });
  });
});
