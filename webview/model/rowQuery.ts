/** Filtering and sorting of tensor rows: pure, so it is unit-tested and fast at 100 k rows. */
import type { TensorRow } from '../../src/protocol/messages';

export type SortKey = 'name' | 'dtype' | 'shape' | 'numel' | 'bytes' | 'target';
export type SortDirection = 'asc' | 'desc';

export interface SortSpec {
  readonly key: SortKey;
  readonly dir: SortDirection;
}

export interface RowQuery {
  /** Substring (case-insensitive), or a glob when it holds `*`, `?` or `[`. */
  readonly filter: string;
  /** Keep dropped and unknown rows only. */
  readonly onlyUnmapped: boolean;
  readonly sort?: SortSpec;
}

/** Indices of the rows the query keeps, in display order. */
export function queryRows(rows: readonly TensorRow[], query: RowQuery): number[] {
  const matches = compileFilter(query.filter);
  const kept: number[] = [];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (query.onlyUnmapped && row.status === 'mapped') continue;
    if (matches(row)) kept.push(i);
  }
  if (query.sort) {
    const compare = comparator(query.sort.key);
    const sign = query.sort.dir === 'asc' ? 1 : -1;
    kept.sort((a, b) => sign * compare(rows[a]!, rows[b]!) || a - b);
  }
  return kept;
}

/** A row matches when its name or one of its HF targets does. */
export function compileFilter(text: string): (row: TensorRow) => boolean {
  const needle = text.trim();
  if (!needle) return () => true;
  const test = /[*?[]/.test(needle) ? globTest(needle) : substringTest(needle);
  return (row) => test(row.name) || row.targets.some((t) => test(t.name));
}

function substringTest(needle: string): (s: string) => boolean {
  const lower = needle.toLowerCase();
  return (s) => s.toLowerCase().includes(lower);
}

/** `*` any run of characters (dots included), `?` one character, `[abc]` a class; the whole name must match. */
export function globTest(glob: string): (s: string) => boolean {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) source += '\\[';
      else {
        const body = glob.slice(i + 1, end).replace(/\\/g, '\\\\');
        source += `[${body.startsWith('!') ? '^' + body.slice(1) : body}]`;
        i = end;
      }
    } else source += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  const re = new RegExp(`^${source}$`, 'i');
  return (s) => re.test(s);
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
const STATUS_ORDER = { mapped: 0, dropped: 1, unknown: 2 } as const;

function comparator(key: SortKey): (a: TensorRow, b: TensorRow) => number {
  switch (key) {
    case 'name':
      return (a, b) => collator.compare(a.name, b.name);
    case 'dtype':
      return (a, b) => collator.compare(a.dtype, b.dtype);
    case 'shape':
      return (a, b) => compareShapes(a.shape, b.shape);
    case 'numel':
      return (a, b) => a.numel - b.numel;
    case 'bytes':
      return (a, b) => a.bytes - b.bytes;
    case 'target':
      return (a, b) =>
        STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || collator.compare(targetText(a), targetText(b));
  }
}

function compareShapes(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

function targetText(row: TensorRow): string {
  return row.targets[0]?.name ?? row.reason ?? '';
}
