// `node dist/cli.js inspect FILE [--json] [--hash]` as a user runs it (after `npm run build`):
// JSON agrees with torch, the table has totals and the safety verdict, exit codes 0 / 1 / 2.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../helpers/cli';
import { tempDir } from '../../helpers/torch';
import { torchJson, type ExpectedTensor } from './torchExpectations';

const WRITE = String.raw`
import os
folder = sys.argv[1]
torch.manual_seed(0)
model = collections.OrderedDict([
    ('module.v.cls_token', torch.randn(1, 1, 16)),
    ('module.v.patch_embed.proj.weight', torch.randn(16, 1, 4, 4).half()),
    ('module.v.norm.weight', torch.randn(16).bfloat16()),
    ('module.v.pos_embed', torch.randn(1, 6, 16)[:, 1:, :]),
    ('module.v.mask', torch.tensor([True, False])),
    ('module.v.steps', torch.tensor(12)),
])
checkpoint = {'state_dict': model, 'epoch': 4, 'args': argparse.Namespace(fstride=10)}
torch.save(checkpoint, folder + '/ssast.pth')

class Payload:
    def __reduce__(self):
        return (os.system, ('touch ' + folder + '/ran',))
torch.save({'w': torch.ones(2), 'p': Payload()}, folder + '/evil.pth')
print(json.dumps(expected(checkpoint)))
`;

interface InspectJson {
  format: string;
  tensors: { name: string; dtype: string; shape: number[]; numel: number; bytes: number; sha256?: string }[];
  metadata: { kind: string };
  warnings: string[];
  safety: { verdict: string; globals: { name: string; verdict: string }[] };
  unsafeGlobals: string[];
}

describe('inspect CLI', () => {
  const tmp = tempDir();
  const file = (name: string) => join(tmp.dir, name);
  let expected: ExpectedTensor[];
  before(async () => {
    expected = await torchJson<ExpectedTensor[]>(WRITE, [tmp.dir]);
  });
  after(() => tmp.cleanup());

  it('--json --hash: one JSON object whose tensors equal what torch computes', async () => {
    const run = await runCli(['inspect', file('ssast.pth'), '--json', '--hash']);
    assert.equal(run.code, 0, run.stderr);
    const out = JSON.parse(run.stdout) as InspectJson;
    assert.equal(out.format, 'torch-zip');
    assert.deepEqual(out.tensors, expected.map(({ name, dtype, shape, numel, bytes, sha256 }) => ({ name, dtype, shape, numel, bytes, sha256 })));
    assert.equal(out.metadata.kind, 'dict');
    assert.deepEqual(out.warnings, []);
    assert.equal(out.safety.verdict, 'not-weights-only');
    assert.deepEqual(out.unsafeGlobals, ['argparse.Namespace']);
  });

  it('--json without --hash has no sha256', async () => {
    const out = JSON.parse((await runCli(['inspect', file('ssast.pth'), '--json'])).stdout) as InspectJson;
    assert.ok(out.tensors.every((t) => !('sha256' in t)));
  });

  it('table: a row per tensor, totals and the safety verdict', async () => {
    const run = await runCli(['inspect', file('ssast.pth')]);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.split('\n');
    assert.match(lines.find((l) => l.startsWith('name')) ?? '', /^name\s+dtype\s+shape\s+size$/);
    assert.match(run.stdout, /^state_dict\.module\.v\.patch_embed\.proj\.weight\s+float16\s+\[16, 1, 4, 4\]\s+512 B$/m);
    assert.match(run.stdout, /^state_dict\.module\.v\.steps\s+int64\s+\[\]\s+8 B$/m);
    const totalBytes = expected.reduce((s, t) => s + t.bytes, 0);
    const totalElements = expected.reduce((s, t) => s + t.numel, 0);
    const size = totalBytes < 1024 ? `${totalBytes} B` : `${(totalBytes / 1024).toFixed(1)} KiB`;
    assert.match(run.stdout, new RegExp(`^${expected.length} tensors, ${totalElements.toLocaleString("en-US")} elements, ${size}$`, 'm'));
    assert.match(run.stdout, /^safety: NOT-WEIGHTS-ONLY: argparse\.Namespace /m);
  });

  it('a file that would run os.system: dangerous, global named, nothing ran', async () => {
    const table = await runCli(['inspect', file('evil.pth')]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^safety: DANGEROUS: posix\.system \(do not torch\.load this file\)$/m);
    const out = JSON.parse((await runCli(['inspect', file('evil.pth'), '--json'])).stdout) as InspectJson;
    assert.equal(out.safety.verdict, 'dangerous');
    assert.deepEqual(out.unsafeGlobals, ['posix.system']);
    assert.deepEqual(out.tensors.map((t) => t.name), ['w']);
    assert.equal(existsSync(file('ran')), false);
  });

  it('exit 1 for bad usage, 2 for unreadable input', async () => {
    const none = await runCli(['inspect']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^missing FILE\nusage: ckpt-ast inspect FILE/);
    assert.equal((await runCli(['inspect', file('ssast.pth'), '--bogus'])).code, 1);
    const missing = await runCli(['inspect', file('nope.pth')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^error: cannot read .*nope\.pth: ENOENT/);
    writeFileSync(file('notes.pth'), 'not weights\n');
    const notes = await runCli(['inspect', file('notes.pth')]);
    assert.equal(notes.code, 2);
    assert.equal(notes.stderr, `error: ${file('notes.pth')}: not a checkpoint: neither a torch file (zip or legacy pickle) nor safetensors\n`);
  });
});
