/**
 * The display list of the table: flat rows, or rows grouped by module path with groups that
 * expand and collapse. A layer stack (`module.v.blocks` holding `0 … 11`) starts collapsed, and so
 * does each layer in it, so a 12-layer model reads as one line, then a dozen, not 150.
 */
import type { TensorRow } from '../../src/protocol/messages';

export type DisplayItem =
  | { readonly kind: 'tensor'; readonly row: number; readonly depth: number; readonly label: string }
  | {
      readonly kind: 'group';
      readonly id: string;
      readonly label: string;
      readonly depth: number;
      readonly expanded: boolean;
      readonly tensors: number;
      readonly bytes: number;
      readonly unmapped: number;
    };

export function flatList(rows: readonly number[]): DisplayItem[] {
  return rows.map((row) => ({ kind: 'tensor', row, depth: 0, label: '' }));
}

interface Group {
  readonly id: string;
  readonly segment: string;
  readonly groups: Map<string, Group>;
  /** Children in first-seen order: sub-groups and row indices interleaved. */
  readonly order: (Group | number)[];
  tensors: number;
  bytes: number;
  unmapped: number;
}

/**
 * Groups `rows` (indices, already filtered and sorted) by the dotted prefixes of their names.
 * `expanded` holds the user's toggles by group id; groups without one use the default.
 */
export function groupedList(
  all: readonly TensorRow[],
  rows: readonly number[],
  expanded: ReadonlyMap<string, boolean>,
): DisplayItem[] {
  const root = newGroup('', '');
  for (const index of rows) {
    const row = all[index]!;
    const segments = row.name.split('.');
    let group = root;
    account(group, row);
    for (let s = 0; s < segments.length - 1; s++) {
      const segment = segments[s]!;
      let child = group.groups.get(segment);
      if (!child) {
        child = newGroup(group.id ? `${group.id}.${segment}` : segment, segment);
        group.groups.set(segment, child);
        group.order.push(child);
      }
      group = child;
      account(group, row);
    }
    group.order.push(index);
  }
  const out: DisplayItem[] = [];
  emitChildren(root, 0, all, expanded, false, out);
  return out;
}

function emitChildren(
  group: Group,
  depth: number,
  all: readonly TensorRow[],
  expanded: ReadonlyMap<string, boolean>,
  inStack: boolean,
  out: DisplayItem[],
): void {
  for (const child of group.order) {
    if (typeof child === 'number') {
      const name = all[child]!.name;
      out.push({ kind: 'tensor', row: child, depth, label: name.slice(name.lastIndexOf('.') + 1) });
      continue;
    }
    // A group with a single sub-group and nothing else reads better as one line: `module.v`.
    let node = child;
    let label = node.segment;
    while (node.order.length === 1 && typeof node.order[0] !== 'number') {
      node = node.order[0]!;
      label += `.${node.segment}`;
    }
    const stack = isIndexedContainer(node);
    const open = expanded.get(node.id) ?? !(stack || inStack);
    out.push({ kind: 'group', id: node.id, label, depth, expanded: open, tensors: node.tensors, bytes: node.bytes, unmapped: node.unmapped });
    if (open) emitChildren(node, depth + 1, all, expanded, stack, out);
  }
}

/** Ids of the groups holding `name`, outermost first: the ones to expand to show its row. */
export function ancestorGroupIds(name: string): string[] {
  const segments = name.split('.');
  return segments.slice(0, -1).map((_, i) => segments.slice(0, i + 1).join('.'));
}

/** `blocks` holding `0`, `1`, … : a repeated layer stack. */
function isIndexedContainer(group: Group): boolean {
  return group.order.length > 1 && group.order.every((c) => typeof c !== 'number' && /^\d+$/.test(c.segment));
}

function newGroup(id: string, segment: string): Group {
  return { id, segment, groups: new Map(), order: [], tensors: 0, bytes: 0, unmapped: 0 };
}

function account(group: Group, row: TensorRow): void {
  group.tensors++;
  group.bytes += row.bytes;
  if (row.status !== 'mapped') group.unmapped++;
}
