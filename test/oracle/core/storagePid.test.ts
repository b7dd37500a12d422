// On a data.pkl written by real torch.save, the unpickler keeps the memo keys Python reads back (pickletools
// lists them) and the storage ids Python's own Unpickler hands to persistent_load, in compact form; a read of a
// key never written still fails at that opcode's offset, which pickletools gives.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import { runPythonJson, tempDir } from '../../helpers/torch';
import { memoReads } from '../../../src/core/pickle/memoReads';
import { unpickle } from '../../../src/core/pickle/unpickler';
import { PickleFormatError } from '../../../src/core/errors';

const WRITE = String.raw`
import base64, collections, io, json, pickle, pickletools, sys, torch, zipfile
torch.manual_seed(0)
w = torch.randn(6, 4)
torch.save({'w': w, 'shared': w, 'view': w[1:3, ::2], 'h': torch.zeros(3, dtype=torch.float16), 'epoch': 7}, sys.argv[1])
with zipfile.ZipFile(sys.argv[1]) as z:
    data = z.read(next(n for n in z.namelist() if n.endswith('/data.pkl')))

class Named:
    def __init__(self, module, name): self.name = module + '.' + name
    def __call__(self, *args): return None
pids = []
class Recorder(pickle.Unpickler):
    def find_class(self, module, name):
        return collections.OrderedDict if (module, name) == ('collections', 'OrderedDict') else Named(module, name)
    def persistent_load(self, pid):
        pids.append([pid[0], pid[1].name, pid[2], pid[3], pid[4]])
Recorder(io.BytesIO(data)).load()
reads = sorted({arg for op, arg, _ in pickletools.genops(data) if op.name in ('BINGET', 'LONG_BINGET')})

# Protocol 2 by hand: None, BINPUT 0, then BINGET 1, a key never written.
bad = b'\x80\x02N' + b'q\x00' + b'h\x01' + b'.'
bad_at = next(pos for op, _, pos in pickletools.genops(bad) if op.name == 'BINGET')
print(json.dumps({'data': base64.b64encode(data).decode(), 'reads': reads, 'pids': pids,
                  'bad': base64.b64encode(bad).decode(), 'badAt': bad_at}))
`;

interface Written { data: string; reads: number[]; pids: [string, string, string, string, number][]; bad: string; badAt: number }

describe('a real torch data.pkl', () => {
  const tmp = tempDir();
  let written: Written;
  const b64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));
  before(async () => {
    written = await runPythonJson<Written>(WRITE, [join(tmp.dir, 'small.pt')]);
  });
  after(() => tmp.cleanup());

  it('reads back exactly the memo keys pickletools lists', () => {
    const data = b64(written.data);
    const scan = memoReads(data, 0);
    assert.ok(scan !== undefined && scan.complete);
    assert.equal(scan.needed, data.length, 'STOP is the last byte');
    assert.deepEqual([...scan.reads].sort((a, b) => a - b), written.reads);
    assert.ok(written.reads.length > 0);
  });

  it('gives each storage id persistent_load sees, in order, as a compact storage id', () => {
    const { persistents } = unpickle(b64(written.data), { file: 'small.pt' });
    assert.equal(persistents.length, written.pids.length);
    persistents.forEach((p, i) => {
      assert.equal(p.kind, 'storage-pid');
      if (p.kind !== 'storage-pid') return;
      const [tag, type, key, location, numel] = written.pids[i]!;
      assert.deepEqual(['storage', `${p.type.module}.${p.type.name}`, p.key, p.location, p.numel], [tag, type, key, location, numel]);
    });
  });

  it('a memo key read but never written is an error at the reading opcode', () => {
    assert.throws(() => unpickle(b64(written.bad), { file: 'bad.pkl' }), (err: unknown) => {
      assert.ok(err instanceof PickleFormatError);
      assert.match(err.message, /memo entry 1 is read before it is written/);
      assert.equal(err.offset, written.badAt);
      return true;
    });
  });
});
