/**
 * The editor page: renders what the host sends and keeps the view state (filter, sort, grouping,
 * scroll, selection) across reloads and tab switches.
 */
import { READY_TIMEOUT_MS, requestTimeoutMs, type CheckpointView, type DocumentView, type HostRequest, type HostResponses, type HostToWebview, type StatisticsView } from '../src/protocol/messages';
import { fromWire } from '../src/protocol/packedRows';
import { RequestClient, RequestFailedError, type RequestHandle } from '../src/protocol/rpc';
import { h } from './dom';
import { formatCount } from './model/format';
import { ancestorGroupIds, flatList, groupedList } from './model/moduleTree';
import { queryRows, type SortKey } from './model/rowQuery';
import { checkbox, textField, type Checkbox, type TextField } from './ui/toolkit';
import { renderError } from './views/errorView';
import { renderHeader } from './views/header';
import { RowTooltip } from './views/rowTooltip';
import { renderSections } from './views/sections';
import { StatsPanel } from './views/statsPanel';
import { TensorTable } from './views/tensorTable';
import { INITIAL_VIEW_STATE, vscode, type ViewState } from './vscodeApi';

const HISTOGRAM_BINS = 64;
const FILTER_DEBOUNCE_MS = 60;
const STATUS_MS = 4000;
/** `code` of the failure the webview gives its own open requests when a new view replaces the page. */
const SUPERSEDED = 'superseded';

export class App {
  private readonly client = new RequestClient<HostRequest, HostResponses>((m) => vscode.postMessage(m), requestTimeoutMs);
  private state: ViewState = { ...INITIAL_VIEW_STATE, ...vscode.getState() };
  private view: CheckpointView | undefined;
  private readonly table = new TensorTable({
    sort: (key) => this.sortBy(key),
    select: (key) => this.update({ selected: key }, false),
    openStatistics: (row) => this.openStatistics(row),
    toggleGroup: (id, expanded) => this.toggleGroup(id, expanded),
    copy: (text) => this.copy(text),
    hover: (row, anchor) => this.tooltip.hover(row === undefined ? undefined : this.view?.rows[row], anchor, this.view?.posEmbed),
    scrolled: (scrollTop) => this.persist({ scrollTop }),
  });
  private readonly tooltip = new RowTooltip();
  private readonly stats = new StatsPanel({
    cancel: () => this.statsJob?.handle?.cancel(),
    close: () => this.closeStatistics(),
    retry: () => this.statsJob && this.openStatistics(this.statsJob.row, true),
  });
  private readonly statsCache = new Map<string, StatisticsView>();
  private statsJob: { row: number; handle?: RequestHandle<StatisticsView> } | undefined;
  private filterField: TextField | undefined;
  private onlyUnmappedBox: Checkbox | undefined;
  private rowCount = h('span', { class: 'row-count muted', testid: 'row-count' });
  private statusLine = h('span', { class: 'status-line muted', testid: 'status-line', 'aria-live': 'polite' });
  private filterTimer: ReturnType<typeof setTimeout> | undefined;
  private statusTimer: ReturnType<typeof setTimeout> | undefined;
  private firstRowsShown = false;
  private viewTimer: ReturnType<typeof setTimeout> | undefined;
  /** Timings exposed on #app for the time-to-first-rows benchmark. */
  private readyAt = 0;

  constructor(private readonly root: HTMLElement) {
    document.body.append(this.tooltip.element);
    window.addEventListener('message', (e: MessageEvent<HostToWebview>) => this.receive(e.data));
    document.addEventListener('keydown', (e) => this.onGlobalKey(e));
    this.readyAt = performance.now();
    vscode.postMessage({ type: 'ready' });
    this.expectView(READY_TIMEOUT_MS);
  }

  /** `ready` is bounded like every request: no `init` within `ms` shows an error with a way to retry. */
  private expectView(ms: number): void {
    clearTimeout(this.viewTimer);
    this.viewTimer = setTimeout(() => {
      this.root.dataset.kind = 'error';
      this.root.replaceChildren(
        renderError(
          { kind: 'error', file: { name: 'Checkpoint Inspector', uri: '' }, errorName: 'RequestFailedError', code: 'timeout', message: `the extension host sent no checkpoint view within ${ms / 1000} s` },
          () => this.reload(),
          (t) => this.copy(t),
        ),
      );
    }, ms);
  }

  private receive(message: HostToWebview): void {
    if (this.client.handle(message)) return;
    if (message.type === 'loading') {
      this.expectView(requestTimeoutMs('reload'));
      this.root.replaceChildren(h('p', { class: 'loading', testid: 'loading' }, `Reading ${message.file.name}…`));
    } else if (message.type === 'init') {
      clearTimeout(this.viewTimer);
      if (!this.firstRowsShown) this.root.dataset.initWaitMs = String(Math.round(performance.now() - this.readyAt));
      this.show(fromWire(message.view));
    } else if (message.type === 'reveal') {
      this.reveal(message.tensor);
    }
  }

  private show(view: DocumentView): void {
    this.client.failAll('the file was reloaded', SUPERSEDED);
    this.statsCache.clear();
    this.statsJob = undefined;
    this.tooltip.hide();
    this.root.dataset.kind = view.kind;
    if (view.kind === 'error') {
      this.view = undefined;
      this.root.replaceChildren(renderError(view, () => this.reload(), (t) => this.copy(t)));
      return;
    }
    this.view = view;
    this.root.dataset.loadMs = String(view.loadMs);
    this.filterField = textField('Filter: substring or glob (*.qkv.*)', this.state.filter, (v) => this.onFilter(v), 'filter');
    this.onlyUnmappedBox = checkbox('Only unmapped', this.state.onlyUnmapped, (v) => this.update({ onlyUnmapped: v }), 'only-unmapped');
    const toolbar = h(
      'div',
      { class: 'toolbar', role: 'toolbar' },
      this.filterField.element,
      this.onlyUnmappedBox.element,
      checkbox('Group by module', this.state.grouped, (v) => this.update({ grouped: v }), 'group-modules').element,
      this.rowCount,
      this.statusLine,
    );
    this.stats.hide();
    this.root.replaceChildren(
      renderHeader(view, { convert: () => this.convert(), copy: (t) => this.copy(t) }),
      toolbar,
      h('main', { class: 'table-area' }, this.table.element),
      h('div', { class: 'drawer' }, this.stats.element, ...renderSections(view)),
    );
    this.refreshRows();
    this.table.scrollTo(this.state.scrollTop);
  }

  /** Re-applies filter, "only unmapped", sort and grouping to the rows. */
  private refreshRows(): void {
    const view = this.view;
    if (!view) return;
    const kept = queryRows(view.rows, { filter: this.state.filter, onlyUnmapped: this.state.onlyUnmapped, ...(this.state.sort ? { sort: this.state.sort } : {}) });
    const items = this.state.grouped ? groupedList(view.rows, kept, new Map(this.state.expanded)) : flatList(kept);
    this.table.setData(view.rows, items, this.state.sort, this.state.selected);
    this.rowCount.textContent = `${formatCount(kept.length)} of ${formatCount(view.rows.length)} tensors`;
    this.rowCount.dataset.shown = String(kept.length);
    if (!this.firstRowsShown && kept.length > 0) {
      this.firstRowsShown = true;
      this.root.dataset.firstRowsMs = String(Math.round(performance.now()));
      this.root.dataset.readyAtMs = String(Math.round(this.readyAt));
    }
  }

  /**
   * Selects, scrolls to and focuses the row of `name` (asked for by the host, e.g. from a key hover),
   * clearing a filter that hides it and expanding the groups that hold it.
   */
  private reveal(name: string): void {
    const view = this.view;
    const row = view?.rows.find((r) => r.name === name);
    if (!view || !row) {
      this.say(`No tensor named ${name} in this file`);
      return;
    }
    const hidden = queryRows([row], { filter: this.state.filter, onlyUnmapped: this.state.onlyUnmapped }).length === 0;
    if (hidden) {
      clearTimeout(this.filterTimer);
      if (this.filterField) this.filterField.value = '';
      if (this.onlyUnmappedBox) this.onlyUnmappedBox.checked = false;
    }
    const expanded = new Map(this.state.expanded);
    for (const id of ancestorGroupIds(name)) expanded.set(id, true);
    this.persist({ selected: name, expanded: [...expanded], ...(hidden ? { filter: '', onlyUnmapped: false } : {}) });
    this.refreshRows();
    this.table.select(name);
    this.table.focus();
  }

  private update(change: Partial<ViewState>, rowsChanged = true): void {
    this.persist(change);
    if (rowsChanged) this.refreshRows();
    else this.table.select(this.state.selected);
  }

  private persist(change: Partial<ViewState>): void {
    this.state = { ...this.state, ...change };
    vscode.setState(this.state);
  }

  private onFilter(value: string): void {
    clearTimeout(this.filterTimer);
    this.filterTimer = setTimeout(() => this.update({ filter: value }), FILTER_DEBOUNCE_MS);
  }

  /** Each header click cycles ascending → descending → file order. */
  private sortBy(key: SortKey): void {
    const current = this.state.sort?.key === key ? this.state.sort.dir : undefined;
    if (current === 'desc') this.update({ sort: undefined });
    else this.update({ sort: { key, dir: current === 'asc' ? 'desc' : 'asc' } });
  }

  private toggleGroup(id: string, expanded: boolean): void {
    const map = new Map(this.state.expanded);
    map.set(id, expanded);
    this.update({ expanded: [...map] });
  }

  private openStatistics(row: number, recompute = false): void {
    const tensor = this.view?.rows[row];
    if (!tensor) return;
    this.statsJob?.handle?.cancel();
    if (tensor.unreadable !== undefined) {
      // Nothing to compute: say why at once instead of asking the host to fail.
      this.statsJob = { row };
      this.stats.show(tensor, { phase: 'unavailable', message: tensor.unreadable });
      return;
    }
    const cached = this.statsCache.get(tensor.name);
    if (cached && !recompute) {
      this.statsJob = { row };
      this.stats.show(tensor, { phase: 'done', stats: cached });
      return;
    }
    this.stats.show(tensor, { phase: 'running', done: 0, total: tensor.bytes });
    const handle = this.client.request({ kind: 'statistics', tensor: tensor.name, bins: HISTOGRAM_BINS }, (done, total) => {
      if (this.statsJob?.handle === handle) this.stats.show(tensor, { phase: 'running', done, total });
    });
    const job = { row, handle };
    this.statsJob = job;
    handle.result.then(
      (stats) => {
        this.statsCache.set(tensor.name, stats);
        if (this.statsJob === job) this.stats.show(tensor, { phase: 'done', stats });
      },
      (err: unknown) => {
        if (this.statsJob !== job) return;
        const cancelled = err instanceof RequestFailedError && err.cancelled;
        this.stats.show(tensor, { phase: 'failed', message: err instanceof Error ? err.message : String(err), cancelled });
      },
    );
  }

  private closeStatistics(): void {
    this.statsJob?.handle?.cancel();
    this.statsJob = undefined;
    this.stats.hide();
    this.table.focus();
  }

  private copy(text: string): void {
    this.client.request({ kind: 'copy', text }).result.then(
      () => this.say(`Copied ${text.length > 60 ? text.slice(0, 57) + '…' : text}`),
      (err: unknown) => this.say(`Copy failed: ${String(err)}`),
    );
  }

  private convert(): void {
    this.client.request({ kind: 'convert' }).result.then(undefined, (err: unknown) => this.say(`Convert failed to start: ${String(err)}`));
  }

  private reload(): void {
    this.root.replaceChildren(h('p', { class: 'loading', testid: 'loading' }, 'Reading checkpoint…'));
    this.client.request({ kind: 'reload' }).result.then(undefined, (err: unknown) => {
      // A new view arrived first: it shows how the reload went (a failed read is an error view).
      if (err instanceof RequestFailedError && err.code === SUPERSEDED) return;
      this.root.replaceChildren(h('p', { class: 'error-message', testid: 'error-view' }, `Reload failed: ${String(err)}`));
    });
  }

  /** A short confirmation in the toolbar that clears itself. */
  private say(text: string): void {
    clearTimeout(this.statusTimer);
    this.statusLine.textContent = text;
    this.statusTimer = setTimeout(() => (this.statusLine.textContent = ''), STATUS_MS);
  }

  private onGlobalKey(e: KeyboardEvent): void {
    const typing = e.target instanceof HTMLElement && /^(INPUT|TEXTAREA|VSCODE-TEXT-FIELD)$/.test(e.target.tagName);
    if ((e.key === '/' && !typing) || ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'f')) {
      e.preventDefault();
      this.filterField?.focus();
    } else if (e.key === 'ArrowDown' && typing) {
      e.preventDefault();
      this.table.focus();
      if (this.state.selected === undefined) this.table.selectFirst();
    } else if (e.key === 'Escape' && typing) {
      this.table.focus();
    } else if (e.key === 'Escape' && this.statsJob) {
      this.closeStatistics();
    }
  }
}
