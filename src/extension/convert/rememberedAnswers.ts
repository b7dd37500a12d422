import type * as vscode from 'vscode';
import type { ConversionOptions } from '../../ast/options';

const STATE_KEY = 'astCheckpoints.convert.lastAnswers';
const MAX_CHECKPOINTS = 50;

/** Answers that make sense for another checkpoint too (they describe the data, not the weights). */
const PORTABLE_FIELDS = ['frequencyStride', 'timeStride', 'numMelBins', 'maxLength', 'mean', 'std', 'dtype'] as const;

export interface RememberedAnswers {
  readonly options: Partial<ConversionOptions>;
  readonly outDir?: string;
}

interface Stored {
  /** Most recent first. */
  readonly byCheckpoint: readonly (readonly [string, RememberedAnswers])[];
}

function load(memento: vscode.Memento): Stored {
  return memento.get<Stored>(STATE_KEY) ?? { byCheckpoint: [] };
}

/**
 * The last answers for this checkpoint, else the portable answers of the last conversion in
 * this workspace. The caller still validates them against the checkpoint's detection.
 */
export function recallAnswers(memento: vscode.Memento, checkpointPath: string): RememberedAnswers | undefined {
  const { byCheckpoint } = load(memento);
  const own = byCheckpoint.find(([path]) => path === checkpointPath);
  if (own) return own[1];
  const last = byCheckpoint[0]?.[1];
  if (!last) return undefined;
  const options: Record<string, unknown> = {};
  for (const field of PORTABLE_FIELDS) if (last.options[field] !== undefined) options[field] = last.options[field];
  return { options: options as Partial<ConversionOptions> };
}

export async function rememberAnswers(memento: vscode.Memento, checkpointPath: string, answers: RememberedAnswers): Promise<void> {
  const others = load(memento).byCheckpoint.filter(([path]) => path !== checkpointPath);
  const byCheckpoint = [[checkpointPath, answers] as const, ...others].slice(0, MAX_CHECKPOINTS);
  await memento.update(STATE_KEY, { byCheckpoint } satisfies Stored);
}
