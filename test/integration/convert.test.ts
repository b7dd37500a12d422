// "Convert to HF AST" through vscode.commands.executeCommand inside the real extension host, with
// checkpoints written by torch into the test workspace and every expectation computed by torch.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { compareWithTorch, safetensorsDigests, safetensorsHeader, writeSsastCheckpoint } from './convertCheckpoints';

const COMMAND = 'astCheckpoints.convertToHfAst';

interface Result {
  outDir: string;
  files: string[];
  reportPath: string;
  warnings: string[];
  verified: boolean;
}

function extensionRoot(): string {
  const ext = vscode.extensions.all.find((e) => e.id.toLowerCase() === 'ssast-tools.ssast-hf-ast');
  assert.ok(ext, 'extension ssast-tools.ssast-hf-ast is not loaded');
  return ext.extensionPath;
}

function convert(file: string, answers: Record<string, unknown>): Thenable<Result | undefined> {
  return vscode.commands.executeCommand<Result | undefined>(COMMAND, vscode.Uri.file(file), { interactive: false, ...answers });
}

function runCli(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [join(extensionRoot(), 'dist', 'cli.js'), ...args], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } }, (err, stdout, stderr) => {
      if (err) reject(new Error(`cli ${args.join(' ')} failed: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}

describe('Convert to HF AST command', function () {
  this.timeout(180_000);
  let dir: string;
  const checkpoints: Record<string, string> = {};

  before(async () => {
    const workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(workspace, 'the integration tests need a workspace folder');
    dir = mkdtempSync(join(workspace, 'convert-it-'));
    for (const kind of ['pretrained', 'finetuned', 'frame', 'nokd'] as const) {
      checkpoints[kind] = join(dir, `ssast_${kind}.pth`);
      await writeSsastCheckpoint(extensionRoot(), kind, checkpoints[kind]);
    }
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('converts a pretrained SSAST with every default into <stem>-hf-ast equal to torch\'s mapping', async () => {
    const result = await convert(checkpoints.pretrained, {});
    assert.ok(result, 'the command returned no result');
    assert.equal(result.outDir, join(dir, 'ssast_pretrained-hf-ast'));
    assert.equal(result.verified, true);
    for (const file of ['config.json', 'model.safetensors', 'preprocessor_config.json', 'conversion-report.md']) {
      assert.ok(existsSync(join(result.outDir, file)), `${file} missing in ${readdirSync(result.outDir).join(', ')}`);
    }
    const cmp = await compareWithTorch(checkpoints.pretrained, result.outDir);
    assert.deepEqual(cmp.missing, []);
    assert.deepEqual(cmp.unexpected, []);
    assert.deepEqual(cmp.shapeMismatch, []);
    assert.equal(cmp.maxAbsDiff, 0, 'stride = patch keeps every tensor bit for bit');
    assert.deepEqual(cmp.config.architectures, ['ASTModel']);
  });

  it('writes the same tensors as the CLI for the same answers', async () => {
    const outDir = join(dir, 'parity-ext');
    const result = await convert(checkpoints.finetuned, { outDir, frequencyStride: 10, timeStride: 10, dtype: 'float16' });
    assert.ok(result, 'the command returned no result');
    const cliOut = join(dir, 'parity-cli');
    await runCli(['convert', checkpoints.finetuned, '--out', cliOut, '--frequency-stride', '10', '--time-stride', '10', '--dtype', 'float16']);
    const fromExtension = safetensorsDigests(join(outDir, 'model.safetensors'));
    const fromCli = safetensorsDigests(join(cliOut, 'model.safetensors'));
    assert.ok(fromExtension.size > 0);
    assert.deepEqual([...fromExtension.entries()].sort(), [...fromCli.entries()].sort());
  });

  it('converts a fine-tuned SSAST with stride 10 into ASTForAudioClassification with the labels', async () => {
    const labels = ['Speech', 'Music', 'Dog, barking', 'Siren', 'Silence'];
    const outDir = join(dir, 'finetuned-stride10');
    const result = await convert(checkpoints.finetuned, {
      model: 'ASTForAudioClassification', frequencyStride: 10, timeStride: 10, labels, pooling: 'cls', outDir,
    });
    assert.ok(result, 'the command returned no result');
    const cmp = await compareWithTorch(checkpoints.finetuned, result.outDir);
    assert.deepEqual(cmp.missing, []);
    assert.deepEqual(cmp.unexpected, []);
    assert.deepEqual(cmp.shapeMismatch, []);
    assert.ok(cmp.maxAbsDiff < 1e-6, `position embeddings differ from torch's bilinear adaptation by ${cmp.maxAbsDiff}`);
    assert.deepEqual(cmp.config.architectures, ['ASTForAudioClassification']);
    assert.equal(cmp.config.frequency_stride, 10);
    assert.equal(cmp.config.time_stride, 10);
    const id2label = cmp.config.id2label as Record<string, string>;
    assert.deepEqual(labels.map((_, i) => id2label[String(i)]), labels);
  });

  it('refuses a frame model and writes nothing', async () => {
    const result = await convert(checkpoints.frame, {});
    assert.equal(result, undefined);
    assert.equal(existsSync(join(dir, 'ssast_frame-hf-ast')), false);
  });

  it('rejects an impossible stride before any work and writes nothing', async () => {
    const outDir = join(dir, 'impossible');
    const result = await convert(checkpoints.pretrained, { frequencyStride: 32, outDir });
    assert.equal(result, undefined);
    assert.equal(existsSync(outDir), false);
  });

  it('leaves an existing folder alone with overwrite: false and replaces it with overwrite: true', async () => {
    const outDir = join(dir, 'existing');
    mkdirSync(outDir);
    writeFileSync(join(outDir, 'keep.txt'), 'mine');
    assert.equal(await convert(checkpoints.pretrained, { outDir, overwrite: false }), undefined);
    assert.equal(readFileSync(join(outDir, 'keep.txt'), 'utf8'), 'mine');
    const result = await convert(checkpoints.pretrained, { outDir, overwrite: true });
    assert.ok(result, 'the command returned no result');
    assert.equal(existsSync(join(outDir, 'keep.txt')), false);
    assert.ok(existsSync(join(outDir, 'model.safetensors')));
  });

  it('rejects answers of the wrong type without converting', async () => {
    const outDir = join(dir, 'wrong-type');
    const result = await convert(checkpoints.pretrained, { outDir, patchSize: '16' });
    assert.equal(result, undefined);
    assert.equal(existsSync(outDir), false);
  });

  it('refuses a nokd model without allowNokd and converts it with the documented adaptation when allowed', async () => {
    const outDir = join(dir, 'nokd');
    assert.equal(await convert(checkpoints.nokd, { outDir }), undefined);
    assert.equal(existsSync(outDir), false);
    const result = await convert(checkpoints.nokd, { outDir, allowNokd: true });
    assert.ok(result, 'the command returned no result');
    assert.ok(result.warnings.some((w) => w.includes('nokd')), `warnings: ${result.warnings.join(' | ')}`);
    const header = safetensorsHeader(join(outDir, 'model.safetensors'));
    assert.deepEqual(header.get('embeddings.distillation_token')?.shape, [1, 1, 192]);
    assert.deepEqual(header.get('embeddings.position_embeddings')?.shape, [1, 8 * 64 + 2, 192]);
  });

  describe('with workspace settings', () => {
    const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('astCheckpoints.convert');
    const settings: Record<string, unknown> = {
      outputDtype: 'float16',
      writePreprocessorConfig: false,
      outputFolderPattern: 'converted/${stem}-hf',
    };

    before(async () => {
      for (const [key, value] of Object.entries(settings)) await config().update(key, value, vscode.ConfigurationTarget.Workspace);
    });

    after(async () => {
      for (const key of Object.keys(settings)) await config().update(key, undefined, vscode.ConfigurationTarget.Workspace);
    });

    it('takes the output dtype, folder pattern and preprocessor choice from the settings', async () => {
      const result = await convert(checkpoints.pretrained, {});
      assert.ok(result, 'the command returned no result');
      assert.equal(result.outDir, join(dir, 'converted', 'ssast_pretrained-hf'));
      assert.equal(existsSync(join(result.outDir, 'preprocessor_config.json')), false);
      const dtypes = new Set([...safetensorsHeader(join(result.outDir, 'model.safetensors')).values()].map((t) => t.dtype));
      assert.deepEqual([...dtypes], ['F16']);
    });

    it('lets the caller\'s answers win over the settings', async () => {
      const result = await convert(checkpoints.pretrained, { dtype: 'float32', outDir: 'answered' });
      assert.ok(result, 'the command returned no result');
      assert.equal(result.outDir, join(dir, 'answered'));
      const dtypes = new Set([...safetensorsHeader(join(result.outDir, 'model.safetensors')).values()].map((t) => t.dtype));
      assert.deepEqual([...dtypes], ['F32']);
    });
  });
});
