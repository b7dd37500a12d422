// The rule table, detection and options on checkpoints written by torch; the HF key set they
// target is the one HF AST's module tree (test/helpers/ast_models.py) gives for the same config.
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CheckpointIndex } from '../../../src/core/checkpointIndex';
import type { ByteSource } from '../../../src/core/io/byteSource';
import { openFileSource } from '../../../src/node/nodeFileSource';
import { openCheckpoint } from '../../../src/core/openCheckpoint';
import { detectModel } from '../../../src/ast/detect';
import { buildHfConfig, dimsFromConfig } from '../../../src/ast/hfConfig';
import { expectedHfTensors } from '../../../src/ast/hfLayout';
import { mapCheckpoint } from '../../../src/ast/mapping';
import { ConversionRefusedError } from '../../../src/ast/errors';
import { planConversion } from '../../../src/ast/plan';
import { defaultConversionOptions, describeGrid, validateConversionOptions } from '../../../src/ast/options';
import { runPythonJson, tempDir } from '../../helpers/torch';

const HELPERS = join(process.cwd(), 'test', 'helpers');

const WRITE = String.raw`
import collections, json, sys, torch
sys.path.insert(0, sys.argv[1])
import ast_models as m
out = sys.argv[2]
tiny = dict(dim=192, heads=3, depth=2)
pre = m.build(seed=1, **tiny)
m.save_as_ssast(pre, out + '/pre.pth')
sd = collections.OrderedDict(('model.' + k, v) for k, v in pre.state_dict().items())
torch.save({'state_dict': sd, 'ema': {'shadow': torch.zeros(3)}, 'epoch': 7}, out + '/lightning.ckpt')
m.save_as_ssast(m.build(seed=2, pretrain=False, fstride=10, tstride=10, labels=4, **tiny), out + '/ft.pth')
m.save_as_ssast(m.build(seed=8, pretrain=False, fstride=10, tstride=10, input_tdim=512, labels=3, **tiny), out + '/ft512.pth')
m.save_as_ssast(m.build(seed=3, fshape=128, tshape=2, fstride=128, tstride=2, **tiny), out + '/frame.pth')
m.save_as_ssast(m.build(seed=4, cls_tokens=1, **tiny), out + '/nokd.pth')
sd = torch.nn.DataParallel(pre).state_dict()
del sd['module.v.blocks.1.mlp.fc2.weight']
torch.save(sd, out + '/incomplete.pth')
sd = torch.nn.DataParallel(pre).state_dict()
sd['module.v.blocks.1.mlp.fc1.weight'] = torch.zeros(384, 192)
torch.save(sd, out + '/mixed.pth')
print(json.dumps(list(torch.load(out + '/pre.pth').keys())))
`;

// The parameter names and shapes HF's module tree has for a config.json.
const HF_KEYS = String.raw`
import json, sys
sys.path.insert(0, sys.argv[1])
import ast_models as m
c = json.loads(sys.argv[2])
model = {'ASTModel': m.ASTModel, 'ASTForAudioClassification': m.ASTForAudioClassification}[c['architectures'][0]](c)
print(json.dumps([[k, list(v.shape)] for k, v in model.state_dict().items()]))
`;

interface Opened { source: ByteSource; index: CheckpointIndex }

describe('rule table, detection and options on torch-written checkpoints', () => {
  const tmp = tempDir('ast-mapping-');
  const opened: Record<string, Opened> = {};
  let torchKeys: string[];
  after(async () => {
    for (const o of Object.values(opened)) await o.source.close();
    tmp.cleanup();
  });
  before(async () => {
    torchKeys = await runPythonJson<string[]>(WRITE, [HELPERS, tmp.dir]);
    for (const name of ['pre.pth', 'lightning.ckpt', 'ft.pth', 'frame.pth', 'nokd.pth', 'incomplete.pth', 'mixed.pth', 'ft512.pth']) {
      const source = await openFileSource(join(tmp.dir, name));
      opened[name] = { source, index: await openCheckpoint(source) };
    }
  });

  it('expected HF tensors equal the HF module tree\'s state_dict for ASTModel and ASTForAudioClassification', async () => {
    const opts = defaultConversionOptions(await detectModel(opened['ft.pth']!.index, opened['ft.pth']!.source));
    for (const model of ['ASTModel', 'ASTForAudioClassification'] as const) {
      const config = buildHfConfig({ ...opts, model }, { hiddenSize: 192, numLayers: 2, intermediateSize: 768, numLabels: 4 }, 'float32');
      const hf = await runPythonJson<[string, number[]][]>(HF_KEYS, [HELPERS, JSON.stringify(config)]);
      const { model: kind, dims } = dimsFromConfig(config);
      const ours = expectedHfTensors(dims, kind).map((s) => [s.name, [...s.shape]]);
      assert.deepEqual(ours.sort(), hf.sort());
    }
  });

  it('pretrained SSAST with module.: every key mapped or dropped with its reason, nothing missing', async () => {
    const result = mapCheckpoint(opened['pre.pth']!.index);
    assert.equal(result.model, 'ASTModel');
    assert.equal(result.keyPrefix, 'module.');
    assert.deepEqual(result.stateDictPath, []);
    assert.deepEqual(result.keys.map((k) => k.key), torchKeys);
    assert.deepEqual(result.missing, []);
    assert.equal(result.counts.unknown, 0);
    const dropped = result.keys.filter((k) => k.status === 'dropped').map((k) => k.key);
    assert.deepEqual(dropped, torchKeys.filter((k) => /^module\.(cpredlayer|gpredlayer|mask_embed|p_input_|v\.head)/.test(k)));
    const config = buildHfConfig(defaultConversionOptions(await detectModel(opened['pre.pth']!.index, opened['pre.pth']!.source)),
      { hiddenSize: 192, numLayers: 2, intermediateSize: 768, numLabels: 0 }, 'float32');
    const hf = await runPythonJson<[string, number[]][]>(HF_KEYS, [HELPERS, JSON.stringify(config)]);
    const targets = result.keys.flatMap((k) => k.targets.map((t) => [t.name, [...t.shape]]));
    assert.deepEqual(targets.sort(), hf.sort(), 'the targets are exactly the HF parameters');
  });

  it('Lightning-style {"state_dict": {"model.…"}} with other tensors: found, prefix "model.", others unknown', () => {
    const result = mapCheckpoint(opened['lightning.ckpt']!.index);
    assert.deepEqual(result.stateDictPath, ['state_dict']);
    assert.equal(result.keyPrefix, 'model.');
    assert.deepEqual(result.missing, []);
    const unknown = result.keys.filter((k) => k.status === 'unknown');
    assert.deepEqual(unknown.map((k) => [k.source, k.reason]), [['ema.shadow', 'outside the state dict ["state_dict"]']]);
  });

  it('ASTForAudioClassification asked of a headless model: the classifier keys are listed as missing', () => {
    const result = mapCheckpoint(opened['pre.pth']!.index, { model: 'ASTForAudioClassification' });
    assert.deepEqual(result.missing.map((m) => m.name), ['classifier.layernorm.weight', 'classifier.layernorm.bias', 'classifier.dense.weight', 'classifier.dense.bias']);
    assert.ok(result.keys.some((k) => k.targets.some((t) => t.name === 'audio_spectrogram_transformer.embeddings.cls_token')));
  });

  it('detection: pretrained grid from p_input_*, fine-tuned grid guessed, each with its provenance', async () => {
    const pre = await detectModel(opened['pre.pth']!.index, opened['pre.pth']!.source);
    assert.equal(pre.family.value, 'ssast-pretrained');
    assert.deepEqual([pre.pInputFdim.value, pre.pInputTdim.value], [128, 1024]);
    assert.deepEqual([pre.pretrainGrid.value, pre.pretrainGrid.source], [{ f: 8, t: 64 }, 'weights']);
    assert.deepEqual([pre.numAttentionHeads.value, pre.numAttentionHeads.source], [3, 'default']);
    assert.deepEqual(pre.patchSize.value, [16, 16]);
    assert.equal(pre.summary, 'SSAST-Tiny, patch 16×16, pretrained, grid 8×64; position embeddings 514 = 2 + 8×64');
    assert.equal(pre.refusal, undefined);

    const ft = await detectModel(opened['ft.pth']!.index, opened['ft.pth']!.source);
    assert.equal(ft.family.value, 'ssast-finetuned');
    assert.deepEqual([ft.hasHead.value, ft.numLabels.value], [true, 4]);
    assert.deepEqual([ft.pretrainGrid.value, ft.pretrainGrid.source], [{ f: 12, t: 101 }, 'default']);
    assert.deepEqual(ft.pretrainInput.value, { numMelBins: 128, maxLength: 1024, frequencyStride: 10, timeStride: 10 });
    assert.equal(defaultConversionOptions(ft).model, 'ASTForAudioClassification');

    // ESC-50-style: 602 rows are 2 + 12×50 (stride 10, 512 frames), not 2 + 8×75 (stride 16, 1200 frames).
    const esc = await detectModel(opened['ft512.pth']!.index, opened['ft512.pth']!.source);
    assert.deepEqual(esc.pretrainInput.value, { numMelBins: 128, maxLength: 512, frequencyStride: 10, timeStride: 10 });
    assert.deepEqual(esc.pretrainGrid.value, { f: 12, t: 50 });
  });

  it('detection refuses frame and nokd models with a reason and a hint', async () => {
    const frame = await detectModel(opened['frame.pth']!.index, opened['frame.pth']!.source);
    assert.equal(frame.refusal?.code, 'frame');
    assert.match(frame.refusal!.reason, /\[192,1,128,2\]/);
    const nokd = await detectModel(opened['nokd.pth']!.index, opened['nokd.pth']!.source);
    assert.equal(nokd.refusal?.code, 'nokd');
    assert.equal(nokd.clsTokens.value, 1);
    assert.match(nokd.refusal!.hint, /^allow the nokd adaptation: /);
    assert.doesNotMatch(nokd.refusal!.hint, /--/, 'the domain names no CLI flag: each front end says how to allow it');
  });

  it('options: validation names each wrong field; the grid description says what happens to positions', async () => {
    const pre = await detectModel(opened['pre.pth']!.index, opened['pre.pth']!.source);
    const defaults = defaultConversionOptions(pre);
    assert.deepEqual(validateConversionOptions(pre, defaults), []);
    const problems = validateConversionOptions(pre, { ...defaults, patchSize: 10, numAttentionHeads: 5, model: 'ASTForAudioClassification', std: 0 });
    assert.deepEqual(problems.map((p) => p.field), ['patchSize', 'numAttentionHeads', 'model', 'std']);
    const strides = validateConversionOptions(pre, { ...defaults, frequencyStride: 32, timeStride: 17, maxLength: 15 });
    assert.deepEqual(strides.map((p) => p.message), [
      'frequencyStride 32 is larger than the patch size 16: the bins between patches would never be seen',
      'timeStride 17 is larger than the patch size 16: the bins between patches would never be seen',
      'maxLength must be at least the patch size 16, got 15',
    ]);
    assert.deepEqual(validateConversionOptions(pre, { ...defaults, frequencyStride: 16, timeStride: 1 }), [], 'any stride up to the patch is valid');
    assert.equal(describeGrid(pre, defaults), '8 × 64 = 512 patches; position embeddings kept as they are (8 × 64)');
    assert.equal(describeGrid(pre, { ...defaults, frequencyStride: 10, timeStride: 10 }),
      '12 × 101 = 1212 patches; position embeddings interpolated from 8 × 64');
    assert.equal(describeGrid(pre, { ...defaults, maxLength: 512 }), '8 × 32 = 256 patches; position embeddings cropped in time, kept in frequency, from 8 × 64');
  });

  it('planning refuses missing encoder keys and shapes of another model size, naming the key', async () => {
    const refusal = async (name: string): Promise<ConversionRefusedError> => {
      const { index, source } = opened[name]!;
      const detection = await detectModel(index, source);
      try {
        planConversion(index, detection, defaultConversionOptions(detection));
      } catch (err) {
        if (err instanceof ConversionRefusedError) return err;
        throw err;
      }
      throw new Error(`${name} was not refused`);
    };
    assert.match((await refusal('incomplete.pth')).reason, /^missing encoder keys: nothing fills encoder\.layer\.1\.output\.dense\.weight$/);
    assert.match((await refusal('mixed.pth')).reason,
      /^inconsistent shapes: module\.v\.blocks\.1\.mlp\.fc1\.weight \[384,192\] gives \[384,192\] but encoder\.layer\.1\.intermediate\.dense\.weight must be \[768,192\]$/);
  });
});
