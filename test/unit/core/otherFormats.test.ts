// safetensors (with __metadata__) and TorchScript archives, both written by torch-side Python,
// listed and hashed in agreement with torch.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tempDir } from '../../helpers/torch';
import { openFileSource } from '../../../src/core/io/nodeFileSource';
import { openCheckpoint } from '../../../src/core/openCheckpoint';
import { tensorSha256 } from '../../../src/core/tensors/tensorReader';
import type { CheckpointIndex } from '../../../src/core/checkpointIndex';
import { torchJson, type ExpectedTensor } from './torchExpectations';

const WRITE_FILES = String.raw`
import struct
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
print(json.dumps({'safetensors': expected(tensors), 'torchscript': expected(dict(traced.state_dict()))}))
`;

describe('safetensors and TorchScript archives', () => {
  const tmp = tempDir();
  let expected: { safetensors: ExpectedTensor[]; torchscript: ExpectedTensor[] };
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
});
