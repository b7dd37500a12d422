import type { GlobalRef, SafetyReport, SafetyVerdict } from '../checkpointIndex';

const RANK: Readonly<Record<SafetyVerdict, number>> = { safe: 0, 'not-weights-only': 1, dangerous: 2 };

/**
 * One report for a file and the pickles it embeds (torch.save bytes in a plain pickle): counts add up, and
 * each name keeps its worst verdict and that verdict's reason, so a verdict raised inside a nested file
 * (bytes it could not scan) survives into the outer one.
 */
export function combineReports(reports: readonly SafetyReport[]): SafetyReport {
  const byName = new Map<string, GlobalRef>();
  for (const report of reports) {
    for (const g of report.globals) {
      const seen = byName.get(g.name);
      if (seen === undefined) byName.set(g.name, g);
      else byName.set(g.name, { ...(RANK[g.verdict] > RANK[seen.verdict] ? g : seen), count: seen.count + g.count });
    }
  }
  const globals = [...byName.values()].sort((a, b) => RANK[b.verdict] - RANK[a.verdict] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const verdict = reports.reduce<SafetyVerdict>((worst, r) => (RANK[r.verdict] > RANK[worst] ? r.verdict : worst), 'safe');
  return { verdict, globals };
}
