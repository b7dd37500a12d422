import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { parseTypedLabels } from '../../ast/labels';
import { describeGrid, validateConversionOptions, type ConversionOptions } from '../../ast/options';
import type { ConvertState, OptionField, Origin } from './convertState';
import { findLabelCsvs } from './labelSources';
import { askPick, askText, type FinalCheck, type PickItem, type Step, type StepFrame, type TextCheck } from './multiStepInput';
import { resolveOutputFolder } from './outputFolder';

/**
 * The prompts of "Convert to HF AST", in order. Each is pre-filled, so Enter through all of
 * them converts with the defaults; each checks its answer with the AST domain's validation.
 */

type Next = 'next' | 'back' | 'cancel';

const ORIGIN_NOTE: Record<Origin, string> = {
  weights: '(from weights)',
  default: '(default)',
  setting: '(from settings)',
  'last answer': '(your last answer)',
  given: '',
};

function originNote(state: ConvertState, field: OptionField | 'outDir'): string {
  return ORIGIN_NOTE[state.origins.get(field) ?? 'default'];
}

/** A step shows only in interactive runs, for answers the caller did not give. */
function asked(state: ConvertState, id: string): boolean {
  return state.interactive && !state.given.has(id);
}

function hasClassifier(state: ConvertState): boolean {
  return state.options.model === 'ASTForAudioClassification';
}

function gridText(state: ConvertState, options: ConversionOptions): string {
  try {
    return describeGrid(state.detection, options);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** Errors this candidate adds compared to the current answers, split into this field's and the others'. */
function newErrors(state: ConvertState, candidate: ConversionOptions, field: OptionField): { own?: string; other?: string } {
  const before = new Set(validateConversionOptions(state.detection, state.options).map((e) => `${e.field}:${e.message}`));
  const after = validateConversionOptions(state.detection, candidate);
  const own = after.find((e) => e.field === field)?.message;
  const other = after.find((e) => e.field !== field && !before.has(`${e.field}:${e.message}`))?.message;
  return { own, other };
}

function parseNumber(text: string, integer: boolean): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const n = Number(trimmed);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) return undefined;
  return n;
}

interface NumberStepSpec {
  readonly field: OptionField;
  readonly label: string;
  readonly help: string;
  readonly integer: boolean;
  /** Changes the patch grid: show the grid it gives while typing. */
  readonly grid: boolean;
}

function numberStep(spec: NumberStepSpec): Step<ConvertState> {
  return {
    id: spec.field,
    applies: (state) => asked(state, spec.field),
    async run(frame: StepFrame, state: ConvertState): Promise<Next> {
      const prompt = `${spec.label} ${originNote(state, spec.field)}: ${spec.help}`.replace(' :', ':');
      const check = (text: string): TextCheck => {
        const value = parseNumber(text, spec.integer);
        if (value === undefined) return { ok: false, message: spec.integer ? `${spec.label} must be a whole number.` : `${spec.label} must be a number.` };
        const candidate = { ...state.options, [spec.field]: value } as ConversionOptions;
        const gridPrompt = spec.grid ? `${prompt} · Grid: ${gridText(state, candidate)}` : undefined;
        const { own, other } = newErrors(state, candidate, spec.field);
        if (own) return { ok: false, message: own, prompt: gridPrompt };
        if (other) return { ok: true, message: { message: other, severity: vscode.InputBoxValidationSeverity.Warning }, prompt: gridPrompt };
        return { ok: true, prompt: gridPrompt };
      };
      const outcome = await askText(frame, { value: String(state.options[spec.field] ?? ''), prompt, check });
      if (typeof outcome === 'string') return outcome;
      state.options = { ...state.options, [spec.field]: parseNumber(outcome.value, spec.integer) };
      return 'next';
    },
  };
}

function pickStep<T extends string>(
  id: OptionField,
  applies: (state: ConvertState) => boolean,
  placeholder: (state: ConvertState) => string,
  items: (state: ConvertState) => PickItem<T>[],
): Step<ConvertState> {
  return {
    id,
    applies: (state) => asked(state, id) && applies(state),
    async run(frame, state) {
      const outcome = await askPick(frame, { items: items(state), active: state.options[id] as T, placeholder: placeholder(state) });
      if (typeof outcome === 'string') return outcome;
      state.options = { ...state.options, [id]: outcome.value };
      return 'next';
    },
  };
}

/** Blocks a choice the domain rejects for this checkpoint, with the domain's reason. */
function blockedBy(state: ConvertState, field: OptionField, value: unknown): string | undefined {
  return newErrors(state, { ...state.options, [field]: value } as ConversionOptions, field).own;
}

const modelStep = pickStep<ConversionOptions['model']>('model', () => true,
  (state) => `Target model for ${basename(state.checkpointPath)}: ${state.detection.summary}`,
  (state) => {
    const labels = state.detection.numLabels.value;
    return [
      {
        value: 'ASTForAudioClassification',
        label: 'ASTForAudioClassification',
        description: state.detection.hasHead.value ? `encoder + classifier (${labels} labels, from weights)` : 'encoder + classifier',
        blocked: blockedBy(state, 'model', 'ASTForAudioClassification'),
      },
      {
        value: 'ASTModel',
        label: 'ASTModel',
        description: state.detection.hasHead.value ? 'encoder only; the classifier head is left out' : 'encoder only',
        blocked: blockedBy(state, 'model', 'ASTModel'),
      },
    ];
  });

const poolingStep = pickStep<NonNullable<ConversionOptions['pooling']>>('pooling',
  (state) => hasClassifier(state) && state.detection.hasHead.value === true,
  () => 'How was the head fine-tuned? The weights cannot tell.',
  () => [
    {
      value: 'cls',
      label: 'cls (ft_cls)',
      description: 'head trained on the cls tokens',
      detail: 'Hugging Face pools the cls tokens the same way: predictions match.',
    },
    {
      value: 'avgtok',
      label: '$(warning) avgtok (ft_avgtok)',
      description: 'head trained on the mean of the patch tokens (SSAST\'s default)',
      detail: 'Hugging Face pools the cls tokens instead: predictions will differ; the report says so.',
    },
  ]);

const dtypeStep = pickStep<ConversionOptions['dtype']>('dtype', () => true,
  (state) => `Output dtype of model.safetensors ${originNote(state, 'dtype')}`,
  () => [
    { value: 'source', label: 'source', description: 'keep each tensor\'s dtype' },
    { value: 'float32', label: 'float32', description: 'full precision' },
    { value: 'float16', label: 'float16', description: 'half the size; small rounding differences' },
  ]);

type LabelChoice =
  | { readonly kind: 'generic' }
  | { readonly kind: 'kept' }
  | { readonly kind: 'typed' }
  | { readonly kind: 'csv'; readonly labels: readonly string[] };

function labelPreview(labels: readonly string[]): string {
  const shown = labels.slice(0, 4).join(', ');
  return labels.length > 4 ? `${shown}, … (${labels.length})` : `${shown} (${labels.length})`;
}

async function typeLabels(frame: StepFrame, state: ConvertState): Promise<Next> {
  const outcome = await askText({ ...frame, canGoBack: true }, {
    value: state.options.labels?.join(', ') ?? '',
    prompt: `Labels in output order, separated by commas (quote names that hold commas); ${state.detection.numLabels.value} expected.`,
    check: (text) => {
      const labels = parseTypedLabels(text);
      const error = labels.length === 0 ? 'Type at least one label.' : blockedBy(state, 'labels', labels);
      return { ok: error === undefined, message: error, prompt: labels.length ? labelPreview(labels) : undefined };
    },
  });
  if (typeof outcome === 'string') return outcome;
  state.options = { ...state.options, labels: parseTypedLabels(outcome.value) };
  return 'next';
}

const labelsStep: Step<ConvertState> = {
  id: 'labels',
  applies: (state) => asked(state, 'labels') && hasClassifier(state),
  async run(frame, state) {
    const count = state.detection.numLabels.value;
    const csvs = await findLabelCsvs();
    const items: PickItem<LabelChoice>[] = [
      { value: { kind: 'generic' }, label: `LABEL_0 … LABEL_${count - 1}`, description: 'generic names' },
      ...(state.options.labels ? [{ value: { kind: 'kept' } as const, label: labelPreview(state.options.labels), description: `current labels ${originNote(state, 'labels')}` }] : []),
      { value: { kind: 'typed' }, label: 'Type the labels…', description: 'a comma-separated list' },
      ...csvs.map((csv) => ({
        value: { kind: 'csv', labels: csv.labels } as const,
        label: `$(file) ${vscode.workspace.asRelativePath(csv.uri)}`,
        description: labelPreview(csv.labels),
        blocked: blockedBy(state, 'labels', csv.labels),
      })),
    ];
    for (;;) {
      const active = items[state.options.labels ? 1 : 0].value;
      const outcome = await askPick(frame, { items, active, placeholder: `Label names for the ${count} classifier outputs (id2label)` });
      if (typeof outcome === 'string') return outcome;
      const choice = outcome.value;
      if (choice.kind === 'typed') {
        const typed = await typeLabels(frame, state);
        if (typed === 'back') continue;
        return typed;
      }
      if (choice.kind === 'generic') state.options = { ...state.options, labels: undefined };
      if (choice.kind === 'csv') state.options = { ...state.options, labels: [...choice.labels] };
      return 'next';
    }
  },
};

const outDirStep: Step<ConvertState> = {
  id: 'outDir',
  applies: (state) => asked(state, 'outDir'),
  async run(frame, state) {
    const check = (text: string): TextCheck => {
      if (text.trim() === '') return { ok: false, message: 'Name the output folder.' };
      const folder = resolveOutputFolder(state.checkpointPath, text);
      if (existsSync(folder)) {
        return { ok: true, message: { message: `${folder} exists: you will be asked before it is replaced.`, severity: vscode.InputBoxValidationSeverity.Warning } };
      }
      return { ok: true, prompt: `Output folder: ${folder}` };
    };
    const outcome = await askText(frame, {
      value: state.outDir,
      prompt: `Output folder, relative to the checkpoint's folder or absolute ${originNote(state, 'outDir')}`,
      check,
    });
    if (typeof outcome === 'string') return outcome;
    state.outDir = resolveOutputFolder(state.checkpointPath, outcome.value);
    return 'next';
  },
};

export const CONVERSION_STEPS: readonly Step<ConvertState>[] = [
  modelStep,
  numberStep({ field: 'patchSize', label: 'Patch size', help: 'square patch edge in spectrogram bins', integer: true, grid: true }),
  numberStep({ field: 'frequencyStride', label: 'Frequency stride', help: 'patch step along mel bins; 10 overlaps patches as AST fine-tuning does', integer: true, grid: true }),
  numberStep({ field: 'timeStride', label: 'Time stride', help: 'patch step along frames', integer: true, grid: true }),
  numberStep({ field: 'numMelBins', label: 'num_mel_bins', help: 'mel bins of the input spectrogram', integer: true, grid: true }),
  numberStep({ field: 'maxLength', label: 'max_length', help: 'input frames (10 ms each)', integer: true, grid: true }),
  numberStep({ field: 'numAttentionHeads', label: 'Attention heads', help: 'not stored in the weights; hidden size / 64 unless you know better', integer: true, grid: false }),
  labelsStep,
  poolingStep,
  numberStep({ field: 'mean', label: 'Normalization mean', help: 'inputs become (x − mean) / (2·std); AudioSet statistics by default', integer: false, grid: false }),
  numberStep({ field: 'std', label: 'Normalization std', help: 'inputs become (x − mean) / (2·std)', integer: false, grid: false }),
  outDirStep,
  dtypeStep,
];

/** After the last prompt: the first problem the domain still sees sends the user back to its step. */
export const finalConversionCheck: FinalCheck<ConvertState> = (state) => {
  const problem = validateConversionOptions(state.detection, state.options)[0];
  return problem ? { stepId: problem.field, message: problem.message } : undefined;
};
