// Agreement with real torch: a rich checkpoint saved in the zip and the legacy format is listed
// with the names, dtypes, shapes, parameter flags, shared storages and sha256 torch computes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import { tempDir } from '../../helpers/torch';
import { openFileSource } from '../../../src/node/nodeFileSource';
import { openCheckpoint } from '../../../src/core/openCheckpoint';
import { readTensor } from '../../../src/core/tensors/tensorReader';
import { tensorSha256 } from '../../../src/node/tensorSha256';
import type { CheckpointIndex, MetaValue } from '../../../src/core/checkpointIndex';
import { torchJson, type ExpectedTensor } from './torchExpectations';

const WRITE_RICH_CHECKPOINT = String.raw`
import numpy
torch.manual_seed(0)
path, legacy = sys.argv[1], sys.argv[2] == 'legacy'
model = torch.nn.Sequential(torch.nn.Linear(8, 4), torch.nn.LayerNorm(4))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
model(torch.randn(2, 8)).sum().backward()
opt.step()
base = torch.randn(6, 8)
shared = torch.randn(12)
tensors = collections.OrderedDict([
    ('f32', torch.randn(3, 4)),
    ('f16', torch.randn(5).half()),
    ('bf16', torch.randn(2, 3).bfloat16()),
    ('f64', torch.randn(2).double()),
    ('i64', torch.arange(7)),
    ('i32', torch.arange(-3, 3, dtype=torch.int32)),
    ('u8', torch.arange(250, 256, dtype=torch.uint8)),
    ('bool', torch.tensor([True, False, True])),
    ('scalar', torch.tensor(3.5)),
    ('scalar_int', torch.tensor(7)),
    ('base', base),
    ('row_view', base[2]),
    ('transposed', base.t()),
    ('sliced', base[1:5:2, ::3]),
    ('shared_a', shared[:6].view(2, 3)),
    ('shared_b', shared[6:]),
    ('expanded', torch.randn(1, 3).expand(4, 3)),
    ('half_transposed', torch.randn(3, 5).half().t()),
    ('empty', torch.zeros(0, 3)),
    ('param', torch.nn.Parameter(torch.randn(2, 2))),
])
checkpoint = {
    'epoch': 3,
    'args': argparse.Namespace(lr=0.1, name='run', dims=[1, 2]),
    'state_dict': collections.OrderedDict(('module.' + k, v) for k, v in model.state_dict().items()),
    'model': model.state_dict(),
    'optimizer': opt.state_dict(),
    'tensors': tensors,
    'blob': b'\x00\x01abc',
    'best_acc': numpy.float64(0.93),
    'labels': numpy.arange(3, dtype=numpy.int64),
}
torch.save(checkpoint, path, _use_new_zipfile_serialization=not legacy)
print(json.dumps(expected(torch.load(path))))
`;

for (const variant of ['zip', 'legacy'] as const) {
  describe(`torch ${variant} checkpoint agrees with torch`, () => {
    const tmp = tempDir();
    const file = join(tmp.dir, `rich-${variant}.pth`);
    let expected: ExpectedTensor[];
    let index: CheckpointIndex;

    before(async () => {
      expected = await torchJson<ExpectedTensor[]>(WRITE_RICH_CHECKPOINT, [file, variant]);
      const source = await openFileSource(file);
      try {
        index = await openCheckpoint(source);
      } finally {
        await source.close();
      }
    });
    after(() => tmp.cleanup());

    it('recognises the format by content', () => {
      assert.equal(index.format, variant === 'zip' ? 'torch-zip' : 'torch-legacy');
      assert.equal(index.safety.verdict, 'not-weights-only'); // argparse.Namespace
      assert.ok(index.safety.globals.some((g) => g.name === 'argparse.Namespace' && g.verdict === 'not-weights-only'));
    });

    it('lists every tensor with torch names, dtypes, shapes and parameter flags', () => {
      const ours = index.tensors.map((t) => ({ name: t.name, dtype: t.dtype, shape: [...t.shape], isParameter: t.isParameter ?? false }));
      const theirs = expected.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape, isParameter: t.isParameter }));
      assert.deepEqual(sortByName(ours), sortByName(theirs));
    });

    it('hashes every tensor (views, offsets, strides) as torch.contiguous() holds it', async () => {
      const source = await openFileSource(file);
      try {
        for (const want of expected) {
          const tensor = index.tensors.find((t) => t.name === want.name)!;
          assert.equal(await tensorSha256(source, tensor), want.sha256, `sha256 of ${want.name}`);
          assert.equal((await readTensor(source, tensor)).length, tensor.bytes);
        }
      } finally {
        await source.close();
      }
    });

    it('maps shared storages to one storage key', () => {
      for (const a of expected) {
        for (const b of expected) {
          if (a.name >= b.name || a.shape.includes(0) || b.shape.includes(0)) continue;
          const ta = index.tensors.find((t) => t.name === a.name)!;
          const tb = index.tensors.find((t) => t.name === b.name)!;
          assert.equal(ta.storage.key === tb.storage.key, a.storageId === b.storageId, `${a.name} / ${b.name}`);
        }
      }
    });

    it('keeps the non-tensor entries as metadata and finds the state dicts', () => {
      const root = index.metadata;
      assert.equal(root.kind, 'dict');
      assert.deepEqual(entry(root, 'epoch'), { kind: 'int', value: '3' });
      const args = entry(root, 'args');
      assert.ok(args?.kind === 'object' && args.type === 'argparse.Namespace');
      assert.deepEqual(entry(args.state!, 'lr'), { kind: 'float', value: 0.1 });
      assert.deepEqual(entry(root, 'blob'), { kind: 'bytes', length: 5, preview: '0001616263' });
      assert.deepEqual(entry(root, 'best_acc'), { kind: 'float', value: 0.93 });
      assert.deepEqual(entry(root, 'labels'), {
        kind: 'object', type: 'numpy.ndarray', args: [{ kind: 'tuple', items: [{ kind: 'int', value: '3' }] }, { kind: 'str', value: 'i8' }, { kind: 'int', value: '24' }],
      });
      const paths = index.stateDicts.map((s) => s.path.join('.'));
      for (const p of ['state_dict', 'model', 'tensors']) assert.ok(paths.includes(p), `state dict ${p} in ${paths.join(', ')}`);
    });
  });
}

function sortByName<T extends { name: string }>(list: T[]): T[] {
  return [...list].sort((a, b) => a.name.localeCompare(b.name));
}

function entry(value: MetaValue, key: string): MetaValue | undefined {
  return value.kind === 'dict' ? value.entries.find(([k]) => k === key)?.[1] : undefined;
}
