import type { GlobalRef, SafetyReport, SafetyVerdict } from '../checkpointIndex';
import { dangerousReason } from './dangerousGlobals';
import { WEIGHTS_ONLY_GLOBALS } from './weightsOnlyGlobals';

const RANK: Readonly<Record<SafetyVerdict, number>> = { safe: 0, 'not-weights-only': 1, dangerous: 2 };

/**
 * Allowlist first: a global is safe only if torch.load(weights_only=True) would accept it; of the
 * rest, the known-dangerous ones are `dangerous` and everything else `not-weights-only`
 * (torch.load with weights_only=False would import and call it).
 */
export function classifyGlobal(fullName: string, count: number): GlobalRef {
  if (WEIGHTS_ONLY_GLOBALS.has(fullName)) {
    return { name: fullName, verdict: 'safe', reason: 'accepted by torch.load(weights_only=True)', count };
  }
  const danger = dangerousReason(fullName);
  if (danger !== undefined) return { name: fullName, verdict: 'dangerous', reason: danger, count };
  if (fullName.startsWith('__torch__.')) {
    return { name: fullName, verdict: 'not-weights-only', reason: 'TorchScript class: torch.jit.load compiles and runs its code from the archive', count };
  }
  return { name: fullName, verdict: 'not-weights-only', reason: 'not in the weights-only allowlist: torch.load would import and call it', count };
}

export function safetyReport(globals: ReadonlyMap<string, number>): SafetyReport {
  const refs = [...globals].map(([name, count]) => classifyGlobal(name, count));
  // Plain code-unit order: localeCompare would start ICU, ~7 ms of every short CLI run.
  refs.sort((a, b) => RANK[b.verdict] - RANK[a.verdict] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const verdict = refs.reduce<SafetyVerdict>((worst, g) => (RANK[g.verdict] > RANK[worst] ? g.verdict : worst), 'safe');
  return { verdict, globals: refs };
}
