import * as vscode from 'vscode';
import type { ModelDetection } from '../../ast/detect';
import { defaultConversionOptions, validateConversionOptions, type ConversionOptions } from '../../ast/options';
import type { ConvertAnswers } from './convertArgs';
import { resolveOutputFolder } from './outputFolder';
import type { RememberedAnswers } from './rememberedAnswers';

export type OptionField = keyof ConversionOptions;

/** Where a pre-filled answer came from; shown next to it in the prompt. */
export type Origin = 'weights' | 'default' | 'setting' | 'last answer' | 'given';

export interface ConvertSettings {
  readonly outputDtype: ConversionOptions['dtype'];
  readonly outputFolderPattern: string;
  readonly writePreprocessorConfig: boolean;
  readonly rememberAnswers: boolean;
}

/** What the prompts read and fill in. */
export interface ConvertState {
  readonly detection: ModelDetection;
  readonly checkpointPath: string;
  options: ConversionOptions;
  outDir: string;
  readonly origins: ReadonlyMap<OptionField | 'outDir', Origin>;
  /** Answers the caller gave: their prompts never show. */
  readonly given: ReadonlySet<string>;
  readonly interactive: boolean;
}

export function readSettings(scope: vscode.Uri): ConvertSettings {
  const config = vscode.workspace.getConfiguration('astCheckpoints.convert', scope);
  return {
    outputDtype: config.get<ConversionOptions['dtype']>('outputDtype', 'source'),
    outputFolderPattern: config.get<string>('outputFolderPattern', '${stem}-hf-ast'),
    writePreprocessorConfig: config.get<boolean>('writePreprocessorConfig', true),
    rememberAnswers: config.get<boolean>('rememberAnswers', true),
  };
}

type DetectedKey = 'hasHead' | 'patchSize' | 'pretrainInput' | 'numAttentionHeads' | 'numLabels';

/** The detection field each option's default is read from, for the "(from weights)" marks. */
const DETECTED_FROM: Partial<Record<OptionField, DetectedKey>> = {
  model: 'hasHead',
  patchSize: 'patchSize',
  frequencyStride: 'pretrainInput',
  timeStride: 'pretrainInput',
  numMelBins: 'pretrainInput',
  maxLength: 'pretrainInput',
  numAttentionHeads: 'numAttentionHeads',
  labels: 'numLabels',
};

function detectedOrigin(detection: ModelDetection, field: OptionField): Origin {
  const key = DETECTED_FROM[field];
  return key !== undefined && detection[key].source === 'weights' ? 'weights' : 'default';
}

/** Adopts each remembered answer that adds no validation error for this checkpoint. */
function adoptRemembered(detection: ModelDetection, options: ConversionOptions, remembered: Partial<ConversionOptions>, origins: Map<OptionField | 'outDir', Origin>): ConversionOptions {
  let adopted = options;
  for (const [field, value] of Object.entries(remembered) as [OptionField, unknown][]) {
    if (value === undefined) continue;
    const tentative = { ...adopted, [field]: value } as ConversionOptions;
    if (validateConversionOptions(detection, tentative).length <= validateConversionOptions(detection, adopted).length) {
      adopted = tentative;
      origins.set(field, 'last answer');
    }
  }
  return adopted;
}

/**
 * Pre-fills every answer: the weights' defaults, the settings, the remembered answers when
 * they fit this checkpoint, then the caller's answers, which win.
 */
export function initialState(
  detection: ModelDetection,
  checkpointPath: string,
  settings: ConvertSettings,
  remembered: RememberedAnswers | undefined,
  answers: ConvertAnswers,
): ConvertState {
  const origins = new Map<OptionField | 'outDir', Origin>();
  let options: ConversionOptions = { ...defaultConversionOptions(detection), dtype: settings.outputDtype };
  for (const field of Object.keys(options) as OptionField[]) origins.set(field, detectedOrigin(detection, field));
  origins.set('dtype', 'setting');
  origins.set('outDir', 'setting');
  if (remembered) options = adoptRemembered(detection, options, remembered.options, origins);
  let outDir = remembered?.outDir ?? resolveOutputFolder(checkpointPath, settings.outputFolderPattern);
  if (remembered?.outDir) origins.set('outDir', 'last answer');

  const given = new Set<string>();
  const { outDir: givenOutDir, overwrite: _overwrite, interactive, ...givenOptions } = answers;
  for (const [field, value] of Object.entries(givenOptions) as [OptionField, unknown][]) {
    if (value === undefined) continue;
    options = { ...options, [field]: value };
    origins.set(field, 'given');
    given.add(field);
  }
  if (givenOutDir !== undefined) {
    outDir = resolveOutputFolder(checkpointPath, givenOutDir);
    given.add('outDir');
  }
  return { detection, checkpointPath, options, outDir, origins, given, interactive: interactive !== false };
}
