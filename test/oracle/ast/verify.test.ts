// Verification re-reads a written folder: a flipped byte or a config that implies other keys is caught.
import { strict as assert } from 'node:assert';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ByteSource } from '../../../src/core/io/byteSource';
import { openFileSource } from '../../../src/node/nodeFileSource';
import { openCheckpoint } from '../../../src/core/openCheckpoint';
import { convertCheckpoint } from '../../../src/ast/convertCheckpoint';
import { detectModel } from '../../../src/ast/detect';
import { defaultConversionOptions } from '../../../src/ast/options';
import { planConversion, type ConversionPlan } from '../../../src/ast/plan';
import { verifyFolder } from '../../../src/ast/verify';
import { nodeOutputFolder, nodeOutputSink } from '../../../src/node/nodeOutputSink';
import { runPythonJson, tempDir } from '../../helpers/torch';

const BUILD = String.raw`
import json, sys
sys.path.insert(0, sys.argv[1])
import ast_models as m
m.save_as_ssast(m.build(seed=7, dim=192, heads=3, depth=2), sys.argv[2] + '/pre.pth')
print(json.dumps('ok'))
`;

describe('verification of a written folder', () => {
  const tmp = tempDir('convert-verify-');
  let source: ByteSource;
  let plan: ConversionPlan;
  const good = join(tmp.dir, 'good');
  after(async () => {
    await source?.close();
    tmp.cleanup();
  });
  before(async () => {
    await runPythonJson(BUILD, [join(process.cwd(), 'test', 'helpers'), tmp.dir]);
    source = await openFileSource(join(tmp.dir, 'pre.pth'));
    const index = await openCheckpoint(source);
    const detection = await detectModel(index, source);
    plan = planConversion(index, detection, { ...defaultConversionOptions(detection), frequencyStride: 10 });
    await convertCheckpoint(plan, source, good, { sourceFileName: 'pre.pth', sink: nodeOutputSink });
  });

  const copyOf = (name: string): string => {
    const dir = join(tmp.dir, name);
    mkdirSync(dir);
    for (const f of ['config.json', 'model.safetensors']) copyFileSync(join(good, f), join(dir, f));
    return dir;
  };

  it('the written folder verifies, copies and q/k/v rows also against their source slices', async () => {
    const { problems, summary } = await verifyFolder(nodeOutputFolder(good), plan, source);
    assert.deepEqual(problems, []);
    assert.equal(summary.tensors, plan.tensors.length);
    const kept = plan.tensors.filter((t) => t.transform.kind !== 'pos-embed').length;
    assert.equal(summary.checkedAgainstSource, kept);
  });

  /** Flips one bit of `name`'s data at `at` bytes into it, in a copy of the good folder. */
  const flipped = (dir: string, name: string, at: number): string => {
    const folder = copyOf(dir);
    const file = join(folder, 'model.safetensors');
    const bytes = readFileSync(file);
    const headerEnd = 8 + Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, headerEnd).toString('utf8'));
    bytes[headerEnd + header[name].data_offsets[0] + at] ^= 0x01;
    writeFileSync(file, bytes);
    return folder;
  };

  it('one flipped byte in a q/k/v row slice is reported with the tensor, the offset and its source', async () => {
    const target = 'encoder.layer.1.attention.attention.key.weight';
    const { problems } = await verifyFolder(nodeOutputFolder(flipped('flipped-key', target, 5)), plan, source);
    assert.deepEqual(problems, [`${target}: byte 5 differs from its source slice in module.v.blocks.1.attn.qkv.weight`]);
  });

  it('one flipped byte in the adapted position embeddings is caught against the tensor computed again', async () => {
    const target = 'embeddings.position_embeddings';
    assert.equal(plan.tensors.find((t) => t.name === target)?.transform.kind, 'pos-embed', 'the plan adapts the position embeddings');
    const { problems } = await verifyFolder(nodeOutputFolder(flipped('flipped-pos', target, 4099)), plan, source);
    assert.deepEqual(problems, [`${target}: byte 4099 differs from the tensor computed from module.v.pos_embed`]);
  });

  it('a config.json implying another layout fails on every key and shape it changes', async () => {
    const dir = copyOf('config');
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, num_hidden_layers: 3, max_length: 512 }));
    const { problems } = await verifyFolder(nodeOutputFolder(dir), plan, source);
    assert.ok(problems.includes('embeddings.position_embeddings: shape [1,770,192] but config.json implies [1,386,192]'), problems.join('\n'));
    assert.ok(problems.includes('encoder.layer.2.layernorm_after.bias: missing from model.safetensors'), problems.join('\n'));
  });
});
