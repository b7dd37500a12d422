import type { ConversionOptions } from '../../ast/options';

/**
 * Answers a caller of `astCheckpoints.convertToHfAst` may give in advance (tests, other
 * extensions, the editor's button). Every given answer skips its prompt.
 */
export type ConvertAnswers = Partial<ConversionOptions> & {
  /** Output folder; relative paths are taken from the checkpoint's folder. */
  outDir?: string;
  /** true replaces an existing folder without asking, false refuses to; unset asks. */
  overwrite?: boolean;
  /** false: no prompt at all, defaults answer everything not given. */
  interactive?: boolean;
};

const NUMBER_KEYS: readonly string[] = [
  'patchSize', 'frequencyStride', 'timeStride', 'numMelBins', 'maxLength', 'numAttentionHeads', 'mean', 'std',
];
const BOOLEAN_KEYS: readonly string[] = ['overwrite', 'interactive', 'allowNokd'];
const CHOICES: Readonly<Record<string, readonly string[]>> = {
  model: ['ASTModel', 'ASTForAudioClassification'],
  pooling: ['cls', 'avgtok'],
  dtype: ['source', 'float32', 'float16'],
};

/**
 * Reads the command's second argument. Menus pass their own context objects there (the
 * explorer passes the selected URIs, the editor title `{groupId}`): anything that is not a
 * known answer is ignored, while a known answer of the wrong type is an error.
 */
export function parseAnswers(arg: unknown): ConvertAnswers {
  if (arg === null || typeof arg !== 'object' || Array.isArray(arg)) return {};
  const given = arg as Record<string, unknown>;
  const answers: Record<string, unknown> = {};
  const wrong: string[] = [];
  const take = (key: string, ok: boolean, expected: string): void => {
    if (given[key] === undefined) return;
    if (ok) answers[key] = given[key];
    else wrong.push(`"${key}" must be ${expected}`);
  };
  for (const key of NUMBER_KEYS) take(key, typeof given[key] === 'number' && Number.isFinite(given[key]), 'a number');
  for (const key of BOOLEAN_KEYS) take(key, typeof given[key] === 'boolean', 'true or false');
  for (const [key, choices] of Object.entries(CHOICES)) {
    take(key, choices.includes(given[key] as string), `one of ${choices.join(', ')}`);
  }
  take('outDir', typeof given.outDir === 'string' && given.outDir.trim() !== '', 'a non-empty path');
  take('labels', Array.isArray(given.labels) && given.labels.every((l) => typeof l === 'string'), 'a list of strings');
  if (wrong.length > 0) throw new Error(`Convert to HF AST: answer ${wrong.join('; ')}.`);
  return answers as ConvertAnswers;
}
