/**
 * The virtualized tensor table: only the rows in view (plus a margin) exist in the DOM, so 100 k
 * tensors scroll as smoothly as 100. Row heights vary (a qkv row lists three targets), so the
 * table keeps prefix offsets and finds the first visible row by binary search.
 */
import type { TensorRow } from '../../src/protocol/messages';
import { h } from '../dom';
import { formatBytes, formatCount, formatShape } from '../model/format';
import type { DisplayItem } from '../model/moduleTree';
import type { SortKey, SortSpec } from '../model/rowQuery';

const LINE = 22;
const OVERSCAN_PX = 400;
const INDENT_PX = 14;

export interface TableEvents {
  sort(key: SortKey): void;
  select(key: string): void;
  openStatistics(row: number): void;
  toggleGroup(id: string, expanded: boolean): void;
  copy(text: string): void;
  hover(row: number | undefined, anchor: DOMRect | undefined): void;
  scrolled(scrollTop: number): void;
}

const COLUMNS: readonly { key: SortKey; label: string; numeric?: boolean }[] = [
  { key: 'name', label: 'Name' },
  { key: 'dtype', label: 'DType' },
  { key: 'shape', label: 'Shape' },
  { key: 'numel', label: 'Elements', numeric: true },
  { key: 'bytes', label: 'Size', numeric: true },
  { key: 'target', label: 'HF AST target' },
];

/** Selection key of a display item: tensors by name, groups by id. */
export function itemKey(rows: readonly TensorRow[], item: DisplayItem): string {
  return item.kind === 'tensor' ? rows[item.row]!.name : `group:${item.id}`;
}

export class TensorTable {
  readonly element: HTMLElement;
  private readonly head: HTMLElement;
  private readonly body: HTMLElement;
  private rows: readonly TensorRow[] = [];
  private items: readonly DisplayItem[] = [];
  private offsets = new Float64Array(1);
  private selectedIndex = -1;
  private frame = 0;
  /** Item index → its row element, for the items currently in the DOM. */
  private readonly rendered = new Map<number, HTMLElement>();
  private range: [number, number] = [0, 0];

  constructor(private readonly events: TableEvents) {
    this.head = h('div', { class: 'table-head', role: 'row' });
    this.body = h('div', { class: 'table-body', role: 'rowgroup' });
    this.element = h('div', { class: 'table', role: 'grid', tabindex: 0, testid: 'tensor-table', 'aria-label': 'Tensors' }, this.head, this.body);
    this.element.addEventListener('scroll', () => this.scheduleRender());
    this.element.addEventListener('keydown', (e) => this.onKey(e));
    this.body.addEventListener('click', (e) => this.onClick(e));
    this.body.addEventListener('dblclick', (e) => {
      const index = this.itemIndexAt(e.target);
      const item = index === undefined ? undefined : this.items[index];
      if (item?.kind === 'tensor') this.events.openStatistics(item.row);
    });
    this.body.addEventListener('mouseover', (e) => this.onHover(e));
    this.body.addEventListener('mouseleave', () => this.events.hover(undefined, undefined));
    new ResizeObserver(() => this.scheduleRender()).observe(this.element);
  }

  setData(rows: readonly TensorRow[], items: readonly DisplayItem[], sort: SortSpec | undefined, selected: string | undefined): void {
    this.rows = rows;
    this.items = items;
    this.offsets = new Float64Array(items.length + 1);
    for (let i = 0; i < items.length; i++) this.offsets[i + 1] = this.offsets[i]! + this.heightOf(items[i]!);
    this.body.style.height = `${this.offsets[items.length]}px`;
    this.element.setAttribute('aria-rowcount', String(items.length));
    this.renderHead(sort);
    this.invalidate();
    this.select(selected, false);
  }

  scrollTo(top: number): void {
    this.element.scrollTop = top;
    this.render();
  }

  focus(): void {
    this.element.focus();
  }

  /** Moves the selection; `reveal` scrolls it into view. */
  select(key: string | undefined, reveal = true): void {
    this.markSelected(this.rendered.get(this.selectedIndex), false);
    this.selectedIndex = key === undefined ? -1 : this.items.findIndex((it) => itemKey(this.rows, it) === key);
    this.markSelected(this.rendered.get(this.selectedIndex), true);
    if (reveal && this.selectedIndex >= 0) this.reveal(this.selectedIndex);
    this.render();
  }

  /** Selects the first row (keyboard entry from the filter field). */
  selectFirst(): void {
    const item = this.items[0];
    if (item) this.events.select(itemKey(this.rows, item));
  }

  private markSelected(el: HTMLElement | undefined, selected: boolean): void {
    if (!el) return;
    el.classList.toggle('selected', selected);
    if (selected) el.setAttribute('aria-selected', 'true');
    else el.removeAttribute('aria-selected');
  }

  private heightOf(item: DisplayItem): number {
    return item.kind === 'tensor' ? LINE * Math.max(1, this.rows[item.row]!.targets.length) : LINE;
  }

  private renderHead(sort: SortSpec | undefined): void {
    this.head.replaceChildren(
      ...COLUMNS.map((c) => {
        const active = sort?.key === c.key;
        const arrow = active ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : '';
        const cell = h(
          'button',
          {
            class: `head-cell${c.numeric ? ' num' : ''}${active ? ' sorted' : ''}`,
            role: 'columnheader',
            testid: `sort-${c.key}`,
            'aria-sort': active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none',
            title: `Sort by ${c.label.toLowerCase()}`,
          },
          c.label + arrow,
        );
        cell.addEventListener('click', () => this.events.sort(c.key));
        return cell;
      }),
    );
  }

  private scheduleRender(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
      this.events.scrolled(this.element.scrollTop);
    });
  }

  /**
   * Keeps the rows of [first, end) in the DOM, in order: on scroll only the rows entering the view
   * are built and the ones leaving it removed, so a frame touches a handful of elements.
   */
  private render(): void {
    const started = performance.now();
    const top = Math.max(0, this.element.scrollTop - this.head.offsetHeight - OVERSCAN_PX);
    const bottom = this.element.scrollTop + this.element.clientHeight + OVERSCAN_PX;
    const first = this.firstAt(top);
    let end = first;
    while (end < this.items.length && this.offsets[end]! < bottom) end++;
    const [oldFirst, oldEnd] = this.range;
    if (end <= oldFirst || first >= oldEnd) {
      this.body.replaceChildren(...this.build(first, end));
    } else {
      for (let i = oldFirst; i < Math.min(first, oldEnd); i++) this.rendered.get(i)?.remove();
      for (let i = Math.max(end, oldFirst); i < oldEnd; i++) this.rendered.get(i)?.remove();
      if (first < oldFirst) this.body.prepend(...this.build(first, oldFirst));
      if (end > oldEnd) this.body.append(...this.build(oldEnd, end));
    }
    for (const i of this.rendered.keys()) if (i < first || i >= end) this.rendered.delete(i);
    this.range = [first, end];
    // Exposed for the scrolling benchmark (test/ui/editorFirstRows.test.ts).
    this.element.dataset.renderMs = (performance.now() - started).toFixed(2);
  }

  private build(from: number, to: number): HTMLElement[] {
    const out: HTMLElement[] = [];
    for (let i = from; i < to; i++) {
      const el = this.renderItem(i);
      this.rendered.set(i, el);
      out.push(el);
    }
    return out;
  }

  /** Drops every rendered row: the items or their heights changed. */
  private invalidate(): void {
    this.rendered.clear();
    this.range = [0, 0];
    this.body.replaceChildren();
  }

  /** Index of the first item whose bottom edge is below `y`. */
  private firstAt(y: number): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.offsets[mid + 1]! <= y) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private renderItem(i: number): HTMLElement {
    const item = this.items[i]!;
    const el = item.kind === 'tensor' ? this.renderTensor(item.row, item.label, item.depth) : this.renderGroup(item);
    el.dataset.item = String(i);
    el.setAttribute('aria-rowindex', String(i + 1));
    el.style.top = `${this.offsets[i]}px`;
    el.style.height = `${this.offsets[i + 1]! - this.offsets[i]!}px`;
    if (i === this.selectedIndex) this.markSelected(el, true);
    return el;
  }

  private renderTensor(index: number, label: string, depth: number): HTMLElement {
    const row = this.rows[index]!;
    const name = h('div', { class: 'cell name', role: 'gridcell', title: row.name, testid: 'row-name' }, label || row.name);
    if (depth > 0) name.style.paddingLeft = `${depth * INDENT_PX + 18}px`;
    return h(
      'div',
      { class: `row tensor status-${row.status}`, role: 'row', testid: 'tensor-row', 'data-name': row.name, 'data-status': row.status, 'data-row': index },
      name,
      h('div', { class: 'cell', role: 'gridcell', testid: 'row-dtype', title: row.layout }, row.layout === undefined ? row.dtype : `${row.dtype} · ${row.layout}`),
      h('div', { class: 'cell', role: 'gridcell', testid: 'row-shape' }, formatShape(row.shape)),
      h('div', { class: 'cell num', role: 'gridcell', testid: 'row-numel' }, formatCount(row.numel)),
      h('div', { class: 'cell num', role: 'gridcell', testid: 'row-bytes', 'data-bytes': row.bytes }, formatBytes(row.bytes)),
      h('div', { class: 'cell target', role: 'gridcell', testid: 'row-targets' }, ...targetLines(row)),
      h(
        'div',
        { class: 'actions', role: 'gridcell' },
        action('Copy name', 'copy-name', 'name'),
        action('Copy shape', 'copy-shape', 'shape'),
        action('Stats', 'open-stats', 'stats'),
      ),
    );
  }

  private renderGroup(item: Extract<DisplayItem, { kind: 'group' }>): HTMLElement {
    const name = h(
      'div',
      { class: 'cell name group-name', role: 'gridcell', title: item.id },
      h('span', { class: 'twisty', 'aria-hidden': 'true' }, item.expanded ? '▾' : '▸'),
      item.label,
      h('span', { class: 'muted' }, `  ${formatCount(item.tensors)} tensors`),
    );
    name.style.paddingLeft = `${item.depth * INDENT_PX + 4}px`;
    return h(
      'div',
      { class: 'row group', role: 'row', testid: 'group-row', 'data-group': item.id, 'aria-expanded': String(item.expanded) },
      name,
      h('div', { class: 'cell num', role: 'gridcell' }, formatBytes(item.bytes)),
      h('div', { class: 'cell target muted', role: 'gridcell' }, item.unmapped > 0 ? `${formatCount(item.unmapped)} not mapped` : 'all mapped'),
    );
  }

  private onClick(e: MouseEvent): void {
    const index = this.itemIndexAt(e.target);
    if (index === undefined) return;
    const item = this.items[index]!;
    const actionName = (e.target as Element).closest<HTMLElement>('[data-action]')?.dataset.action;
    if (item.kind === 'group') {
      this.events.select(itemKey(this.rows, item));
      this.events.toggleGroup(item.id, !item.expanded);
      return;
    }
    const row = this.rows[item.row]!;
    this.events.select(row.name);
    if (actionName === 'name') this.events.copy(row.name);
    else if (actionName === 'shape') this.events.copy(formatShape(row.shape));
    else if (actionName === 'stats') this.events.openStatistics(item.row);
  }

  private onHover(e: MouseEvent): void {
    const rowEl = (e.target as Element).closest<HTMLElement>('.row.tensor');
    if (!rowEl) return this.events.hover(undefined, undefined);
    this.events.hover(Number(rowEl.dataset.row), rowEl.getBoundingClientRect());
  }

  private itemIndexAt(target: EventTarget | null): number | undefined {
    const el = target instanceof Element ? target.closest<HTMLElement>('[data-item]') : null;
    return el ? Number(el.dataset.item) : undefined;
  }

  private onKey(e: KeyboardEvent): void {
    const page = Math.max(1, Math.floor(this.element.clientHeight / LINE) - 1);
    const move = (to: number) => {
      if (this.items.length === 0) return;
      const i = Math.min(this.items.length - 1, Math.max(0, to));
      this.events.select(itemKey(this.rows, this.items[i]!));
    };
    const current = this.items[this.selectedIndex];
    const mod = e.ctrlKey || e.metaKey;
    let handled = true;
    if (e.key === 'ArrowDown') move(this.selectedIndex + 1);
    else if (e.key === 'ArrowUp') move(this.selectedIndex - 1);
    else if (e.key === 'PageDown') move(this.selectedIndex + page);
    else if (e.key === 'PageUp') move(this.selectedIndex - page);
    else if (e.key === 'Home') move(0);
    else if (e.key === 'End') move(this.items.length - 1);
    else if (e.key === 'Enter' && current?.kind === 'tensor') this.events.openStatistics(current.row);
    else if ((e.key === 'Enter' || e.key === ' ') && current?.kind === 'group') this.events.toggleGroup(current.id, !current.expanded);
    else if (e.key === 'ArrowRight' && current?.kind === 'group' && !current.expanded) this.events.toggleGroup(current.id, true);
    else if (e.key === 'ArrowLeft' && current?.kind === 'group' && current.expanded) this.events.toggleGroup(current.id, false);
    else if (mod && e.key.toLowerCase() === 'c' && current?.kind === 'tensor') {
      const row = this.rows[current.row]!;
      this.events.copy(e.shiftKey ? formatShape(row.shape) : row.name);
    } else handled = false;
    if (handled) e.preventDefault();
  }

  private reveal(index: number): void {
    const headHeight = this.head.offsetHeight;
    const top = this.offsets[index]!;
    const bottom = this.offsets[index + 1]!;
    const viewTop = this.element.scrollTop;
    const viewHeight = this.element.clientHeight - headHeight;
    if (top < viewTop) this.element.scrollTop = top;
    else if (bottom > viewTop + viewHeight) this.element.scrollTop = bottom - viewHeight;
  }
}

function targetLines(row: TensorRow): HTMLElement[] {
  if (row.status === 'dropped') return [h('div', { class: 'target-line' }, `dropped: ${row.reason ?? 'no reason given'}`)];
  if (row.status === 'unknown') return [h('div', { class: 'target-line' }, row.reason ? `unknown: ${row.reason}` : 'unknown')];
  return row.targets.map((t) =>
    h('div', { class: 'target-line', 'data-target': t.name }, t.name, h('span', { class: 'target-shape' }, ` ${formatShape(t.shape)}`)),
  );
}

function action(label: string, testId: string, name: string): HTMLElement {
  return h('button', { class: 'row-action', testid: testId, 'data-action': name, title: label, tabindex: -1 }, label);
}
