// How `diff` prints a Comparison: one JSON object for scripts, or a table sorted by largest relative change.
import type { NotCompared } from '../ast/comparedTensors';
import type { Comparison, PairResult, PairStatus } from '../core/compare/compareCheckpoints';

export interface DiffInput {
  readonly a: string;
  readonly b: string;
  readonly comparison: Comparison;
  readonly notCompared: readonly (NotCompared & { readonly side: 'a' | 'b' })[];
}

const FAILING: readonly PairStatus[] = ['different', 'shape-changed', 'dtype-changed', 'only-in-a', 'only-in-b'];
const FAILING_STRICT: readonly PairStatus[] = [...FAILING, 'close', 'dropped-by-rule'];

/** 0 when no pair has a failing status, 1 otherwise. */
export function exitCodeOf(comparison: Comparison, strict: boolean): number {
  const failing = strict ? FAILING_STRICT : FAILING;
  return comparison.pairs.some((p) => failing.includes(p.status)) ? 1 : 0;
}

export function diffJson(input: DiffInput): string {
  return JSON.stringify({
    a: input.a,
    b: input.b,
    summary: { ...input.comparison.summary, notCompared: input.notCompared },
    pairs: input.comparison.pairs.map((p) => ({
      a: p.a?.name ?? null,
      b: p.b?.name ?? null,
      status: p.status,
      via: p.via,
      ...(p.rows ? { rows: p.rows } : {}),
      ...(p.statistics ? {
        maxAbsDiff: p.statistics.maxAbsDiff,
        meanAbsDiff: p.statistics.meanAbsDiff,
        relL2: p.statistics.relL2,
        cosine: p.statistics.cosine,
      } : {}),
    })),
  }, (_, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), 2);
}

/** Largest change first: pairs without comparable values (shape changed, one side only) above every measured one. */
function changeOf(p: PairResult): number {
  if (p.statistics) return p.status === 'equal' ? -1 : Number.isNaN(p.statistics.relL2) ? Infinity : p.statistics.relL2;
  if (p.status === 'shape-changed' || p.status === 'only-in-a' || p.status === 'only-in-b' || p.status === 'dtype-changed') return Infinity;
  return -2;
}

export function* diffTable(input: DiffInput, described: { a: string; b: string }): Generator<string> {
  const s = input.comparison.summary;
  const counts = ([
    ['equal', s.equal], ['close', s.close], ['different', s.different], ['shape-changed', s.shapeChanged],
    ['dtype-changed', s.dtypeChanged], ['same-metadata', s.sameMetadata], ['only-in-a', s.onlyInA],
    ['only-in-b', s.onlyInB], ['dropped-by-rule', s.droppedByRule],
  ] as const).filter(([, n]) => n > 0).map(([name, n]) => `${n} ${name}`);
  const p = s.parameters;
  const header = [
    `A: ${input.a} (${described.a})`,
    `B: ${input.b} (${described.b})`,
    `${input.comparison.pairs.length} rows: ${counts.join(', ') || 'nothing to compare'}`,
    `parameters: ${group(p.equal)} equal, ${group(p.changed)} changed, ${group(p.added)} added, ${group(p.removed)} removed`,
    ...(input.notCompared.length > 0
      ? [`not compared: ${input.notCompared.map((n) => `${n.side.toUpperCase()} ${n.name}${n.tensors ? ` (${n.tensors} tensors)` : ''}`).join(', ')}`]
      : []),
    '',
  ];
  yield header.join('\n') + '\n';
  const rows = [...input.comparison.pairs].sort((x, y) => changeOf(y) - changeOf(x));
  const cells = rows.map((r) => [
    r.status,
    r.statistics ? num(r.statistics.relL2) : '',
    r.statistics ? num(r.statistics.maxAbsDiff) : '',
    r.statistics ? num(r.statistics.cosine, 8) : '',
    side(r, 'a'),
    side(r, 'b'),
    r.via ?? '',
  ]);
  const head = ['status', 'relL2', 'maxAbsDiff', 'cosine', 'A', 'B', 'via'];
  const widths = head.map((h, c) => Math.max(h.length, ...cells.map((row) => row[c]!.length)));
  const line = (row: readonly string[]): string => row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ').trimEnd() + '\n';
  yield line(head);
  for (let at = 0; at < cells.length; at += 2000) yield cells.slice(at, at + 2000).map(line).join('');
}

function side(r: PairResult, which: 'a' | 'b'): string {
  const t = r[which];
  if (!t) return '—';
  const rows = r.rows && r.fused === which ? `[${r.rows[0]}:${r.rows[1]}]` : '';
  return `${t.name}${rows} ${t.dtype}[${t.shape.join(',')}]`;
}

function num(x: number, digits = 3): string {
  return Number.isFinite(x) ? x.toPrecision(digits) : String(x);
}

function group(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
