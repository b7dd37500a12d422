import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { ConversionResult } from '../../ast/convertCheckpoint';
import { detectModel, type Refusal } from '../../ast/detect';
import { ConversionRefusedError } from '../../ast/errors';
import { planConversion } from '../../ast/plan';
import type { ByteSource } from '../../core/io/byteSource';
import { openFileSource } from '../../node/nodeFileSource';
import { openCheckpoint } from '../../core/openCheckpoint';
import { finalConversionCheck, CONVERSION_STEPS } from './conversionSteps';
import { parseAnswers } from './convertArgs';
import { initialState, readSettings } from './convertState';
import { runSteps } from './multiStepInput';
import { recallAnswers, rememberAnswers } from './rememberedAnswers';
import { resolveCheckpoint } from './resolveCheckpoint';
import { announceResult, runConversion } from './runConversion';
import { refuseUntrusted } from './workspaceTrust';

export const CONVERT_COMMAND = 'astCheckpoints.convertToHfAst';
const TITLE = 'Convert to HF AST';

/**
 * `astCheckpoints.convertToHfAst(target?, answers?)`: converts one checkpoint and resolves
 * with the ConversionResult, or undefined when nothing was written (untrusted workspace,
 * cancelled, refused, failed; the user has been told why).
 */
export function registerConvertCommand(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(CONVERT_COMMAND, (target?: unknown, answers?: unknown) => convertToHfAst(context, target, answers)),
  );
}

/** The domain words reasons and hints as clauses; messages show them as sentences. */
function sentence(clause: string): string {
  return clause.charAt(0).toUpperCase() + clause.slice(1) + (clause.endsWith('.') ? '' : '.');
}

function showRefusal(file: string, refusal: { readonly reason: string; readonly hint: string }): void {
  void vscode.window.showErrorMessage(`Cannot convert ${basename(file)} to HF AST: ${refusal.reason}. ${sentence(refusal.hint)}`);
}

/** nokd models convert only with the documented adaptation, which the user must choose knowingly. */
async function offerNokdAdaptation(file: string, refusal: Refusal): Promise<boolean> {
  const choice = await vscode.window.showWarningMessage(
    `${basename(file)}: ${refusal.reason}.`,
    { modal: true, detail: sentence(refusal.hint) },
    'Convert with nokd adaptation',
  );
  return choice === 'Convert with nokd adaptation';
}

/** Whether to replace an existing output folder: the caller's answer, else a modal question. Undefined = stop. */
async function replaceDecision(outDir: string, overwrite: boolean | undefined): Promise<boolean | undefined> {
  if (!existsSync(outDir)) return false;
  if (overwrite !== undefined) {
    if (!overwrite) void vscode.window.showErrorMessage(`${TITLE}: ${outDir} already exists; nothing was written.`);
    return overwrite || undefined;
  }
  const choice = await vscode.window.showWarningMessage(
    `${basename(outDir)} already exists. Replace it?`,
    { modal: true, detail: `${outDir} is replaced only once the new conversion is written and verified.` },
    'Replace',
  );
  return choice === 'Replace' ? true : undefined;
}

async function loadCheckpoint(source: ByteSource) {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Reading ${basename(source.name)}` }, async () => {
    const index = await openCheckpoint(source);
    return { index, detection: await detectModel(index, source) };
  });
}

async function convertToHfAst(context: vscode.ExtensionContext, target: unknown, rawAnswers: unknown): Promise<ConversionResult | undefined> {
  if (refuseUntrusted(TITLE)) return undefined;
  let source: ByteSource | undefined;
  let checkpointPath = '';
  try {
    let answers = parseAnswers(rawAnswers);
    const interactive = answers.interactive !== false;
    const uri = await resolveCheckpoint(target);
    if (!uri) return undefined;
    if (uri.scheme !== 'file') throw new Error(`${uri.toString()} is not a local file; only files on disk can be converted.`);
    checkpointPath = uri.fsPath;
    source = await openFileSource(checkpointPath);
    const { index, detection } = await loadCheckpoint(source);
    const refusal = detection.refusal;
    if (refusal) {
      if (refusal.code !== 'nokd' || (!answers.allowNokd && !interactive)) {
        showRefusal(checkpointPath, refusal);
        return undefined;
      }
      if (!answers.allowNokd && !(await offerNokdAdaptation(checkpointPath, refusal))) return undefined;
      answers = { ...answers, allowNokd: true };
    }

    const settings = readSettings(uri);
    // A caller that turned the prompts off gets the documented defaults, not a user's last answers.
    const remembered = settings.rememberAnswers && interactive ? recallAnswers(context.workspaceState, checkpointPath) : undefined;
    const state = initialState(detection, checkpointPath, settings, remembered, answers);
    const end = await runSteps(TITLE, CONVERSION_STEPS, state, finalConversionCheck);
    if (!end.done) {
      if (end.unresolved) void vscode.window.showErrorMessage(`${TITLE}: ${basename(checkpointPath)}: ${end.unresolved}`);
      return undefined;
    }

    const plan = planConversion(index, detection, state.options);
    const force = await replaceDecision(state.outDir, answers.overwrite);
    if (force === undefined) return undefined;
    const result = await runConversion({
      plan, source, checkpointPath, outDir: state.outDir, force, writePreprocessorConfig: settings.writePreprocessorConfig,
    });
    if (!result) {
      void vscode.window.showInformationMessage(`${TITLE}: cancelled; ${state.outDir} was not written.`);
      return undefined;
    }
    if (settings.rememberAnswers && interactive) {
      await rememberAnswers(context.workspaceState, checkpointPath, { options: state.options, outDir: state.outDir });
    }
    announceResult(result);
    return result;
  } catch (err) {
    if (err instanceof ConversionRefusedError) showRefusal(checkpointPath, err);
    else void vscode.window.showErrorMessage(`${TITLE}: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  } finally {
    await source?.close();
  }
}
