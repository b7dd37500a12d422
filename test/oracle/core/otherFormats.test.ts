// safetensors (with __metadata__), TorchScript archives, torch zips re-packed by a zip tool and
// big-endian torch zips: listed and hashed in agreement with torch.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tempDir } from '../../helpers/torch';
import { openFileSource } from '../../../src/node/nodeFileSource';
import { openCheckpoint } from '../../../src/core/openCheckpoint';
import { tensorSha256 } from '../../../src/node/tensorSha256';
import type { CheckpointIndex } from '../../../src/core/checkpointIndex';
import { TorchFormatError } from '../../../src/core/errors';
import { torchJson, type ExpectedTensor } from './torchExpectations';

const WRITE_FILES = String.raw`
import io, pickle, struct
folder = sys.argv[1]
torch.manual_seed(0)
CODES = {torch.float32: 'F32', torch.float16: 'F16', torch.bfloat16: 'BF16', torch.float64: 'F64',
         torch.int64: 'I64', torch.int32: 'I32', torch.int8: 'I8', torch.uint8: 'U8', torch.bool: 'BOOL'}
tensors = collections.OrderedDict([
    ('audio_spectrogram_transformer.embeddings.cls_token', torch.randn(1, 1, 8)),
    ('half', torch.randn(3, 2).half()),
    ('brain', torch.randn(4).bfloat16()),
    ('ids', torch.arange(5)),
    ('mask', torch.tensor([True, False])),
    ('scalar', torch.tensor(2.5)),
])
header, blobs, offset = {}, [], 0
for name, t in tensors.items():
    raw = (t.view(torch.int16) if t.dtype == torch.bfloat16 else t).contiguous().numpy().tobytes()
    header[name] = {'dtype': CODES[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(raw)]}
    blobs.append(raw)
    offset += len(raw)
header['__metadata__'] = {'format': 'pt', 'source': 'test'}
text = json.dumps(header).encode()
text += b' ' * (-len(text) % 8)
with open(folder + '/model.safetensors', 'wb') as f:
    f.write(struct.pack('<Q', len(text)) + text + b''.join(blobs))

class Tiny(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(4, 3)
        self.register_buffer('scale', torch.ones(3).half())
    def forward(self, x):
        return self.linear(x) * self.scale.float()
traced = torch.jit.trace(Tiny(), torch.randn(2, 4))
traced.save(folder + '/tiny-script.pt')

# A torch zip re-packed by a zip tool: data.pkl deflated (readable), or a storage deflated (refused).
import zipfile
torch.save({'w': torch.arange(10.0)}, folder + '/plain.pth')
for name, deflate in (('deflated-pkl.pth', 'data.pkl'), ('deflated-storage.pth', 'data/0')):
    with zipfile.ZipFile(folder + '/plain.pth') as src, zipfile.ZipFile(folder + '/' + name, 'w') as dst:
        for info in src.infolist():
            method = zipfile.ZIP_DEFLATED if info.filename.endswith(deflate) else zipfile.ZIP_STORED
            dst.writestr(info.filename, src.read(info), compress_type=method)

# What a big-endian machine writes (torch >= 2 adds the byteorder entry): every storage byte-swapped.
mixed = {'f32': torch.randn(3, 4), 'f16': torch.randn(5).half(), 'i64': torch.arange(4), 'flags': torch.tensor([True, False])}
torch.save(mixed, folder + '/little.pth')
itemsize = {}
class StorageKeys(pickle.Unpickler):
    # Only the persistent ids matter: storage key -> element size.
    def find_class(self, module, name):
        return getattr(torch, name) if name.endswith('Storage') else (lambda *args: None)
    def persistent_load(self, pid):
        itemsize[pid[2]] = pid[1]().element_size()
with zipfile.ZipFile(folder + '/little.pth') as src, zipfile.ZipFile(folder + '/big.pth', 'w') as dst:
    prefix = src.namelist()[0].split('/')[0]
    StorageKeys(io.BytesIO(src.read(prefix + '/data.pkl'))).load()
    for info in src.infolist():
        data = src.read(info)
        if '/data/' in info.filename:
            size = itemsize[info.filename.split('/data/')[1]]
            data = b''.join(data[i:i + size][::-1] for i in range(0, len(data), size))
        dst.writestr(info, data)
    dst.writestr(prefix + '/byteorder', 'big')
print(json.dumps({'safetensors': expected(tensors), 'torchscript': expected(dict(traced.state_dict())),
                  'plain': expected(torch.load(folder + '/plain.pth')), 'mixed': expected(mixed)}))
`;

describe('safetensors, TorchScript, re-packed and big-endian torch zips', () => {
  const tmp = tempDir();
  let expected: { safetensors: ExpectedTensor[]; torchscript: ExpectedTensor[]; plain: ExpectedTensor[]; mixed: ExpectedTensor[] };
  before(async () => {
    expected = await torchJson(WRITE_FILES, [tmp.dir]);
  });
  after(() => tmp.cleanup());

  async function listAndHash(file: string): Promise<{ index: CheckpointIndex; hashes: Map<string, string> }> {
    const source = await openFileSource(join(tmp.dir, file));
    try {
      const index = await openCheckpoint(source);
      const hashes = new Map<string, string>();
      for (const t of index.tensors) hashes.set(t.name, await tensorSha256(source, t));
      return { index, hashes };
    } finally {
      await source.close();
    }
  }

  it('safetensors: tensors in header order, dtypes, shapes, sha256 and __metadata__', async () => {
    const { index, hashes } = await listAndHash('model.safetensors');
    assert.equal(index.format, 'safetensors');
    assert.deepEqual(index.headerMetadata, { format: 'pt', source: 'test' });
    assert.equal(index.safety.verdict, 'safe');
    assert.deepEqual(
      index.tensors.map((t) => ({ name: t.name, dtype: t.dtype, shape: [...t.shape], sha256: hashes.get(t.name) })),
      expected.safetensors.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape, sha256: t.sha256 })),
    );
  });

  it('TorchScript: recognised, said so, module attributes listed as state_dict names', async () => {
    const { index, hashes } = await listAndHash('tiny-script.pt');
    assert.equal(index.format, 'torchscript');
    assert.match(index.warnings[0] ?? '', /^TorchScript archive/);
    assert.equal(index.safety.verdict, 'not-weights-only');
    assert.ok(index.safety.globals.some((g) => g.name === '__torch__.torch.nn.modules.linear.Linear'));
    const ours = index.tensors.map((t) => ({ name: t.name, dtype: t.dtype, shape: [...t.shape], sha256: hashes.get(t.name) }));
    const theirs = expected.torchscript.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape, sha256: t.sha256 }));
    assert.deepEqual(ours.sort((a, b) => a.name.localeCompare(b.name)), theirs.sort((a, b) => a.name.localeCompare(b.name)));
  });

  it('a torch zip whose data.pkl was deflated by a zip tool still lists (inflated with fflate)', async () => {
    const { index, hashes } = await listAndHash('deflated-pkl.pth');
    assert.deepEqual(
      index.tensors.map((t) => ({ name: t.name, sha256: hashes.get(t.name) })),
      expected.plain.map((t) => ({ name: t.name, sha256: t.sha256 })),
    );
  });

  it('a deflated storage is refused with its entry named', async () => {
    const file = join(tmp.dir, 'deflated-storage.pth');
    const source = await openFileSource(file);
    try {
      await assert.rejects(openCheckpoint(source), (err: unknown) => err instanceof TorchFormatError
        && err.message === `${file}: storage entry is compressed; torch writes storages uncompressed (entry plain/data/0)`);
    } finally {
      await source.close();
    }
  });

  it('big-endian storages (byteorder "big") are swapped to the little-endian bytes torch hashes', async () => {
    const { index, hashes } = await listAndHash('big.pth');
    assert.match(index.warnings.join('\n'), /big-endian/);
    assert.deepEqual(
      index.tensors.map((t) => ({ name: t.name, dtype: t.dtype, sha256: hashes.get(t.name) })),
      expected.mixed.map((t) => ({ name: t.name, dtype: t.dtype, sha256: t.sha256 })),
    );
  });
});
