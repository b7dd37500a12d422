/** Statistics of one tensor: streamed progress with Cancel, then the numbers and a histogram. */
import type { StatisticsView, TensorRow } from '../../src/protocol/messages';
import { h } from '../dom';
import { formatBytes, formatCount, formatShape, formatStat } from '../model/format';
import { button } from '../ui/toolkit';

export type StatsState =
  | { readonly phase: 'running'; readonly done: number; readonly total: number }
  | { readonly phase: 'done'; readonly stats: StatisticsView }
  | { readonly phase: 'failed'; readonly message: string; readonly cancelled: boolean }
  | { readonly phase: 'unavailable'; readonly message: string };

export class StatsPanel {
  readonly element = h('section', { class: 'stats-panel', testid: 'stats-panel', 'aria-live': 'polite', hidden: true });

  constructor(private readonly events: { cancel(): void; close(): void; retry(): void }) {}

  show(row: TensorRow, state: StatsState): void {
    this.element.hidden = false;
    this.element.dataset.tensor = row.name;
    this.element.dataset.phase = state.phase;
    const title = h(
      'div',
      { class: 'stats-title' },
      h('strong', { testid: 'stats-tensor' }, row.name),
      h('span', { class: 'muted' }, `  ${row.dtype} ${formatShape(row.shape)} · ${formatBytes(row.bytes)}`),
      button('Close', () => this.events.close(), { testId: 'stats-close' }),
    );
    this.element.replaceChildren(title, this.body(state));
  }

  hide(): void {
    this.element.hidden = true;
    this.element.replaceChildren();
  }

  private body(state: StatsState): HTMLElement {
    switch (state.phase) {
      case 'running': {
        const bar = h('progress', { testid: 'stats-progress', max: Math.max(1, state.total), value: state.done });
        return h(
          'div',
          { class: 'stats-running' },
          bar,
          h('span', {}, ` ${formatBytes(state.done)} of ${formatBytes(state.total)} `),
          button('Cancel', () => this.events.cancel(), { testId: 'stats-cancel' }),
        );
      }
      case 'failed':
        return h(
          'div',
          { class: state.cancelled ? 'muted' : 'stats-error', testid: 'stats-error' },
          state.cancelled ? 'Cancelled. ' : `Statistics failed: ${state.message} `,
          button('Compute again', () => this.events.retry(), { testId: 'stats-retry' }),
        );
      case 'done':
        return this.results(state.stats);
      case 'unavailable':
        return h('div', { class: 'muted', testid: 'stats-unavailable' }, `Statistics not available: ${state.message}`);
    }
  }

  private results(s: StatisticsView): HTMLElement {
    const entry = (label: string, id: string, value: number, text = formatStat(value)) =>
      h('div', { class: 'stat' }, h('dt', {}, label), h('dd', { testid: `stat-${id}`, 'data-value': String(value) }, text));
    const canvas = h('canvas', { class: 'histogram', testid: 'stats-histogram', height: 120, 'aria-label': 'Histogram of finite values' });
    const list = h(
      'dl',
      { class: 'stats-values' },
      entry('Count', 'count', s.count, formatCount(s.count)),
      entry('Min', 'min', s.min),
      entry('Max', 'max', s.max),
      entry('Mean', 'mean', s.mean),
      entry('Std (n−1)', 'std', s.std),
      entry('NaN', 'nan', s.nanCount, formatCount(s.nanCount)),
      entry('+Inf', 'posinf', s.posInfCount, formatCount(s.posInfCount)),
      entry('−Inf', 'neginf', s.negInfCount, formatCount(s.negInfCount)),
    );
    const axis = h(
      'div',
      { class: 'histogram-axis muted' },
      h('span', {}, formatStat(s.histogram.min)),
      h('span', {}, `${s.histogram.counts.length} bins`),
      h('span', {}, formatStat(s.histogram.max)),
    );
    requestAnimationFrame(() => drawHistogram(canvas, s.histogram.counts));
    return h('div', { class: 'stats-results' }, list, h('div', { class: 'histogram-box' }, canvas, axis));
  }
}

/** Bars scaled to the tallest bin, in the theme's chart colour (re-read so theme switches apply). */
function drawHistogram(canvas: HTMLCanvasElement, counts: readonly number[]): void {
  const ratio = window.devicePixelRatio || 1;
  const width = Math.max(100, canvas.clientWidth);
  const height = canvas.clientHeight || 120;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  const ctx = canvas.getContext('2d');
  if (!ctx || counts.length === 0) return;
  ctx.scale(ratio, ratio);
  const style = getComputedStyle(document.body);
  ctx.fillStyle = style.getPropertyValue('--vscode-charts-blue').trim() || style.color;
  const peak = Math.max(1, ...counts);
  const barWidth = width / counts.length;
  counts.forEach((c, i) => {
    const barHeight = c === 0 ? 0 : Math.max(1, (c / peak) * (height - 2));
    ctx.fillRect(i * barWidth, height - barHeight, Math.max(1, barWidth - 1), barHeight);
  });
}
