// `inspect INDEX` and `inspect DIR` on files torch writes in save_pretrained's layout (test/helpers/hf_files.py):
// 3 safetensors shards and 3 .bin shards of one model list as the unsharded file does plus the shard of each
// tensor (and torch's hashes, read from the right shard); a deleted shard is named while the rest list; index
// and shards that disagree give warnings; a model folder shows config.json and checks an AST config.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../helpers/cli';
import { startRangeServer } from '../../helpers/rangeServer';
import { tempDir } from '../../helpers/torch';
import { fixturesDir, projectRoot } from '../../harness/paths';
import { torchJson, type ExpectedTensor } from './torchExpectations';

const WRITE = String.raw`
sys.path[:0] = [sys.argv[1], sys.argv[2]]
import os, make_fixtures, hf_files
root = sys.argv[3]
make_fixtures.write_ssast_tiny_sample(root + '/whole.bin')
state = torch.load(root + '/whole.bin')
hf_files.save_safetensors(state, root + '/whole.safetensors')
maps = {}
for kind in ('safetensors', 'bin'):
    os.makedirs(root + '/' + kind)
    index = hf_files.save_sharded(state, root + '/' + kind, kind)
    maps[kind] = json.load(open(index))['weight_map']
print(json.dumps({'expected': expected(state), 'maps': maps}))
`;

interface Listing {
  format: string;
  tensors: { name: string; dtype: string; shape: number[]; numel: number; bytes: number; shard?: string; sha256?: string }[];
  shards?: { file: string; tensors: number; bytes: number; missing?: boolean; error?: string }[];
  config?: unknown;
  warnings: string[];
}

const INDEX = { safetensors: 'model.safetensors.index.json', bin: 'pytorch_model.bin.index.json' } as const;

describe('inspect INDEX / DIR: sharded checkpoints and model folders', () => {
  const tmp = tempDir('sharded-inspect-');
  const at = (...parts: string[]): string => join(tmp.dir, ...parts);
  let expected: ExpectedTensor[];
  let maps: Record<'safetensors' | 'bin', Record<string, string>>;
  const inspect = async (args: string[]): Promise<{ code: number; out: Listing; stderr: string }> => {
    const run = await runCli(['inspect', ...args, '--json']);
    return { code: run.code, out: JSON.parse(run.stdout) as Listing, stderr: run.stderr };
  };
  const shardSummary = (kind: 'safetensors' | 'bin', folder: string): Listing['shards'] =>
    [...new Set(Object.values(maps[kind]))].sort().map((file) => ({
      file, tensors: Object.values(maps[kind]).filter((s) => s === file).length, bytes: statSync(join(folder, file)).size,
    }));

  before(async () => {
    ({ expected, maps } = await torchJson<{ expected: ExpectedTensor[]; maps: typeof maps }>(WRITE, [fixturesDir(), join(projectRoot(), 'test', 'helpers'), tmp.dir]));
  });
  after(() => tmp.cleanup());

  for (const kind of ['safetensors', 'bin'] as const) {
    it(`3 ${kind} shards + index: the unsharded listing plus each tensor's shard, hashes as torch computes them`, async () => {
      const whole = await inspect([at(`whole.${kind}`), '--hash']);
      assert.equal(whole.code, 0, whole.stderr);
      const sharded = await inspect([at(kind, INDEX[kind]), '--hash']);
      assert.equal(sharded.code, 0, sharded.stderr);
      assert.equal(new Set(Object.values(maps[kind])).size, 3);
      assert.deepEqual(sharded.out.tensors, whole.out.tensors.map((t) => ({ ...t, shard: maps[kind][t.name] })));
      assert.deepEqual(sharded.out.tensors.map(({ name, dtype, shape, numel, bytes, sha256 }) => ({ name, dtype, shape, numel, bytes, sha256 })),
        expected.map(({ name, dtype, shape, numel, bytes, sha256 }) => ({ name, dtype, shape, numel, bytes, sha256 })));
      assert.deepEqual(sharded.out.shards, shardSummary(kind, at(kind)));
      assert.deepEqual(sharded.out.warnings, []);
      assert.equal(sharded.out.format, whole.out.format);
    });
  }

  it('the table gains a shard column and a line per shard', async () => {
    const run = await runCli(['inspect', at('bin', INDEX.bin)]);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.split('\n');
    assert.match(lines[3]!, /^name +dtype +shape +size +shard$/);
    for (const t of expected) {
      const row = lines.find((l) => l.startsWith(`${t.name} `));
      assert.ok(row?.endsWith(`  ${maps.bin[t.name]}`), `${t.name}: ${row}`);
    }
    for (const shard of shardSummary('bin', at('bin'))!) {
      assert.ok(lines.some((l) => l.startsWith(`shard ${shard.file}: ${shard.tensors} tensors, `)), shard.file);
    }
  });

  it('a deleted shard: its tensors named as missing, the rest listed, exit 2 with one line naming it', async () => {
    const folder = at('bin-missing');
    mkdirSync(folder);
    for (const f of [INDEX.bin, ...new Set(Object.values(maps.bin))]) copyFileSync(at('bin', f), join(folder, f));
    const gone = [...new Set(Object.values(maps.bin))].sort()[1]!;
    rmSync(join(folder, gone));
    const run = await inspect([join(folder, INDEX.bin)]);
    assert.equal(run.code, 2);
    assert.deepEqual(run.out.tensors.map((t) => t.name), expected.map((t) => t.name).filter((n) => maps.bin[n] !== gone));
    const missing = run.out.shards!.find((s) => s.file === gone)!;
    assert.equal(missing.missing, true);
    assert.equal(missing.tensors, Object.values(maps.bin).filter((s) => s === gone).length);
    assert.equal(missing.bytes, 0);
    assert.match(missing.error!, /ENOENT/);
    const lines = run.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, new RegExp(`^error: shard ${gone.replace(/[.]/g, '\\.')} is missing: .*${gone.replace(/[.]/g, '\\.')}`));
  });

  it('index and shards that disagree: each mismatch is a warning, every tensor still listed', async () => {
    const folder = at('mismatch');
    mkdirSync(folder);
    const shards = [...new Set(Object.values(maps.safetensors))].sort();
    for (const f of shards) copyFileSync(at('safetensors', f), join(folder, f));
    const names = Object.keys(maps.safetensors);
    const [moved, dropped] = [names[0]!, names[1]!];
    const wrongShard = shards.find((s) => s !== maps.safetensors[moved])!;
    const weightMap: Record<string, string> = { ...maps.safetensors, [moved]: wrongShard, 'ghost.weight': shards[0]! };
    delete weightMap[dropped];
    writeFileSync(join(folder, INDEX.safetensors), JSON.stringify({ metadata: {}, weight_map: weightMap }));
    const run = await inspect([join(folder, INDEX.safetensors)]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.out.tensors.length, expected.length);
    assert.deepEqual(new Set(run.out.warnings), new Set([
      `the index maps ${moved} to ${wrongShard}, but ${maps.safetensors[moved]} holds it`,
      `${maps.safetensors[dropped]} holds ${dropped}, which the index does not list`,
      `the index maps ghost.weight to ${shards[0]}, which does not hold it`,
    ]));
  });

  it('mixed .bin and .safetensors shards list as one checkpoint', async () => {
    const folder = at('mixed');
    mkdirSync(folder);
    const binShards = [...new Set(Object.values(maps.bin))].sort();
    const stShards = [...new Set(Object.values(maps.safetensors))].sort();
    // The same split (hf_files splits by size, in order): shard 1 from .bin, shards 2 and 3 from safetensors.
    const pick = (name: string): string => (maps.bin[name] === binShards[0] ? binShards[0]! : maps.safetensors[name]!);
    const weightMap = Object.fromEntries(Object.keys(maps.bin).map((n) => [n, pick(n)]));
    for (const f of new Set(Object.values(weightMap))) copyFileSync(at(f.endsWith('.bin') ? 'bin' : 'safetensors', f), join(folder, f));
    writeFileSync(join(folder, 'mixed.index.json'), JSON.stringify({ weight_map: weightMap }));
    const run = await inspect([join(folder, 'mixed.index.json'), '--hash']);
    assert.equal(run.code, 0, run.stderr);
    // Shards list in name order (save_pretrained's numbering); tensors shard by shard, each shard in file order.
    const order = [stShards[1]!, stShards[2]!, binShards[0]!];
    const bySortedShard = expected.map((t, i) => ({ t, i })).sort((a, b) => order.indexOf(weightMap[a.t.name]!) - order.indexOf(weightMap[b.t.name]!) || a.i - b.i);
    assert.deepEqual(run.out.tensors.map((t) => [t.name, t.sha256, t.shard]), bySortedShard.map(({ t }) => [t.name, t.sha256, weightMap[t.name]]));
    assert.deepEqual(run.out.shards!.map((s) => s.file), order);
    assert.deepEqual(run.out.warnings, []);
  });

  it('a shard index over HTTP lists as the local one, its shards fetched beside it, and converts from the URL', async () => {
    const files = Object.fromEntries([INDEX.safetensors, ...new Set(Object.values(maps.safetensors))].map((f) => [`/repo/${f}`, at('safetensors', f)]));
    const server = await startRangeServer({ files });
    try {
      const local = await runCli(['inspect', at('safetensors', INDEX.safetensors), '--json']);
      const remote = await runCli(['inspect', `${server.origin}/repo/${INDEX.safetensors}`, '--json'], 60_000, { HF_TOKEN: '' });
      assert.equal(remote.code, 0, remote.stderr);
      assert.equal(remote.stdout, local.stdout);
      // Converting from the URL reads every tensor from its remote shard: the same weights as from the local index.
      const fromUrl = await runCli(['convert', `${server.origin}/repo/${INDEX.safetensors}`, '--out', at('from-url-hf')], 120_000, { HF_TOKEN: '' });
      assert.equal(fromUrl.code, 0, fromUrl.stderr);
      const fromLocal = await runCli(['convert', at('safetensors', INDEX.safetensors), '--out', at('from-local-index-hf')]);
      assert.equal(fromLocal.code, 0, fromLocal.stderr);
      const [u, l] = await Promise.all([inspect([at('from-url-hf', 'model.safetensors'), '--hash']), inspect([at('from-local-index-hf', 'model.safetensors'), '--hash'])]);
      assert.ok(u.out.tensors.length > 0);
      assert.deepEqual(u.out.tensors, l.out.tensors);
    } finally {
      await server.close();
    }
  });

  it('convert INDEX: each tensor read from its shard, the same weights as converting the unsharded file', async () => {
    const fromShards = await runCli(['convert', at('bin', INDEX.bin), '--out', at('from-shards-hf')]);
    assert.equal(fromShards.code, 0, fromShards.stderr);
    const fromWhole = await runCli(['convert', at('whole.safetensors'), '--out', at('from-whole-hf')]);
    assert.equal(fromWhole.code, 0, fromWhole.stderr);
    const a = await inspect([at('from-shards-hf', 'model.safetensors'), '--hash']);
    const b = await inspect([at('from-whole-hf', 'model.safetensors'), '--hash']);
    assert.ok(a.out.tensors.length > 0);
    assert.deepEqual(a.out.tensors, b.out.tensors);
  });

  it('a model folder: finds the weights, shows config.json, and checks an AST config against them', async () => {
    const hf = at('ast-hf');
    const converted = await runCli(['convert', at('whole.bin'), '--out', hf]);
    assert.equal(converted.code, 0, converted.stderr);
    const config = JSON.parse(readFileSync(join(hf, 'config.json'), 'utf8')) as Record<string, unknown>;
    const agree = await inspect([hf]);
    assert.equal(agree.code, 0, agree.stderr);
    assert.deepEqual(agree.out.config, config);
    assert.deepEqual(agree.out.warnings, []);
    const direct = await inspect([join(hf, 'model.safetensors')]);
    assert.deepEqual(agree.out.tensors, direct.out.tensors);

    // One more layer and a wider MLP than the weights have.
    const layers = config.num_hidden_layers as number;
    writeFileSync(join(hf, 'config.json'), JSON.stringify({ ...config, num_hidden_layers: layers + 1, intermediate_size: (config.intermediate_size as number) * 2 }));
    const contradicted = await inspect([hf]);
    assert.equal(contradicted.code, 0, contradicted.stderr);
    const missingLine = contradicted.out.warnings.find((w) => w.startsWith('config.json implies 16 tensors the weights lack: '));
    assert.ok(missingLine, contradicted.out.warnings.join('\n'));
    assert.ok(missingLine.includes(`encoder.layer.${layers}.attention.attention.query.weight`));
    assert.ok(contradicted.out.warnings.some((w) => /^config\.json contradicts the weights: .*encoder\.layer\.0\.intermediate\.dense\.weight is \[\d+, \d+\], config\.json implies \[\d+, \d+\]$/.test(w)));

    const empty = at('empty-folder');
    mkdirSync(empty);
    const none = await runCli(['inspect', empty]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /^error: .*empty-folder: no model weights in the folder \(looked for model\.safetensors, model\.safetensors\.index\.json, pytorch_model\.bin, pytorch_model\.bin\.index\.json\)\n$/);
  });
});
