import type { GlobalRef, SafetyReport, SafetyVerdict } from '../checkpointIndex';
import { dangerousReason } from './dangerousGlobals';
import { isKnownDataType } from './knownDataTypes';
import { WEIGHTS_ONLY_GLOBALS } from './weightsOnlyGlobals';

const RANK: Readonly<Record<SafetyVerdict, number>> = { safe: 0, 'not-weights-only': 1, dangerous: 2 };

/** What one pickle (or the part of it read before an error) would make torch.load do. */
export interface PickleScan {
  /** Every global the pickle names (`module.name`, Python 3 names) with how often. */
  readonly globals: ReadonlyMap<string, number>;
  /** Module and name of the globals whose name is a dotted attribute path (elsewhere the split is the last dot). */
  readonly attributePaths: ReadonlyMap<string, readonly [string, string]>;
  /** Dangerous constructs that are not a named global (SafetyReport.findings). */
  readonly hazards: readonly string[];
}


/**
 * Allowlist first: a global is safe only if torch.load(weights_only=True) would accept it; of the
 * rest, the known-dangerous ones are `dangerous` and everything else `not-weights-only`
 * (torch.load with weights_only=False would import and call it). `split` gives module and name of a
 * dotted attribute path; otherwise the last dot splits `fullName`.
 */
export function classifyGlobal(fullName: string, count: number, split?: readonly [string, string]): GlobalRef {
  if (WEIGHTS_ONLY_GLOBALS.has(fullName)) {
    return { name: fullName, verdict: 'safe', reason: 'accepted by torch.load(weights_only=True)', count };
  }
  const dot = fullName.lastIndexOf('.');
  const [module, name] = split ?? [fullName.slice(0, Math.max(0, dot)), fullName.slice(dot + 1)];
  const danger = dangerousReason(module, name);
  if (danger !== undefined) return { name: fullName, verdict: 'dangerous', reason: danger, count };
  if (fullName.startsWith('__torch__.')) {
    return { name: fullName, verdict: 'not-weights-only', reason: 'TorchScript class: torch.jit.load compiles and runs its code from the archive', count };
  }
  return { name: fullName, verdict: 'not-weights-only', reason: 'not in the weights-only allowlist: torch.load would import and call it', count };
}

export function safetyReport(scan: PickleScan): SafetyReport {
  const refs = [...scan.globals].map(([name, count]) => classifyGlobal(name, count, scan.attributePaths.get(name)));
  return report(refs, scan.hazards);
}

/**
 * One report for several pickles torch.load runs in turn (the five of a legacy file, torch.save bytes embedded in a
 * plain pickle): counts add up, each name keeps its worst verdict and that verdict's reason (a verdict raised inside
 * a nested file survives into the outer one), and findings are kept.
 */
export function mergeReports(reports: readonly SafetyReport[]): SafetyReport {
  const byName = new Map<string, GlobalRef>();
  for (const g of reports.flatMap((r) => r.globals)) {
    const seen = byName.get(g.name);
    byName.set(g.name, seen === undefined ? g : { ...(RANK[g.verdict] > RANK[seen.verdict] ? g : seen), count: seen.count + g.count });
  }
  return report([...byName.values()], reports.flatMap((r) => r.findings ?? []));
}

/** The report of globals named outside one pickle's scan (joblib wrappers, object arrays' class names). */
export function namesReport(globals: ReadonlyMap<string, number>): SafetyReport {
  return safetyReport({ globals, attributePaths: new Map(), hazards: [] });
}

function report(refs: GlobalRef[], findings: readonly string[]): SafetyReport {
  // Plain code-unit order: localeCompare would start ICU, ~7 ms of every short CLI run.
  refs.sort((a, b) => RANK[b.verdict] - RANK[a.verdict] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const worst = refs.reduce<SafetyVerdict>((w, g) => (RANK[g.verdict] > RANK[w] ? g.verdict : w), 'safe');
  if (findings.length === 0) return { verdict: worst, globals: refs };
  return { verdict: 'dangerous', globals: refs, findings: [...findings] };
}

/**
 * Whether allowing this not-weights-only global only lets data through (see knownDataTypes.ts). Derived from the
 * name, not stored in the GlobalRef, so `inspect --json` prints files torch writes exactly as before.
 */
export function isDataTypeRef(g: GlobalRef): boolean {
  return g.verdict === 'not-weights-only' && isKnownDataType(g.name);
}
