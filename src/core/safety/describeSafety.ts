import type { SafetyReport } from '../checkpointIndex';
import { CheckpointError } from '../errors';

/** The verdict in one clause, for one-line messages: what torch.load would run, by name. */
export function describeSafety(safety: SafetyReport): string {
  const unsafe = safety.globals.filter((g) => g.verdict !== 'safe').map((g) => g.name);
  const findings = safety.findings ?? [];
  if (unsafe.length === 0 && findings.length === 0) return 'it names no unsafe globals';
  const verdict = safety.verdict === 'dangerous' ? 'DANGEROUS' : 'not weights-only';
  const parts = [...(unsafe.length > 0 ? [`it names ${unsafe.join(', ')}`] : []), ...findings];
  return `${verdict} to torch.load: ${parts.join('; ')}`;
}

/**
 * Runs `read` and gives any CheckpointError it throws the verdict of what was read before it (`safety`), unless
 * the error already has one: a file torch.load would fail on has still run its globals by then.
 */
export async function withSafety<T>(safety: () => SafetyReport, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof CheckpointError && err.safety === undefined) err.safety = safety();
    throw err;
  }
}
