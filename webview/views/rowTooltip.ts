/** Hover card for a tensor row: layout in the file, HF targets, and the pos_embed grid breakdown. */
import type { PosEmbedBreakdown, TensorRow } from '../../src/protocol/messages';
import { h } from '../dom';
import { formatBytes, formatCount, formatShape } from '../model/format';

const SHOW_DELAY_MS = 350;

export class RowTooltip {
  readonly element = h('div', { class: 'row-tooltip', testid: 'row-tooltip', role: 'tooltip', hidden: true });
  private timer: ReturnType<typeof setTimeout> | undefined;
  private current: string | undefined;

  /** Shows the card for `row` next to `anchor` after a short delay; the same row keeps it. */
  hover(row: TensorRow | undefined, anchor: DOMRect | undefined, posEmbed: PosEmbedBreakdown | undefined): void {
    if (row?.name === this.current && row) return;
    this.hide();
    if (!row || !anchor) return;
    this.current = row.name;
    this.timer = setTimeout(() => this.show(row, anchor, posEmbed), SHOW_DELAY_MS);
  }

  hide(): void {
    clearTimeout(this.timer);
    this.current = undefined;
    this.element.hidden = true;
  }

  private show(row: TensorRow, anchor: DOMRect, posEmbed: PosEmbedBreakdown | undefined): void {
    this.element.replaceChildren(...tooltipContent(row, posEmbed?.tensor === row.name ? posEmbed : undefined));
    this.element.dataset.tensor = row.name;
    this.element.hidden = false;
    const below = anchor.bottom + 4;
    const fitsBelow = below + this.element.offsetHeight < window.innerHeight;
    this.element.style.top = `${fitsBelow ? below : Math.max(0, anchor.top - this.element.offsetHeight - 4)}px`;
    this.element.style.left = `${Math.min(anchor.left + 24, Math.max(0, window.innerWidth - this.element.offsetWidth - 8))}px`;
  }
}

function tooltipContent(row: TensorRow, pos: PosEmbedBreakdown | undefined): HTMLElement[] {
  const line = (label: string, value: string) => h('div', { class: 'tip-line' }, h('span', { class: 'tip-label' }, label), value);
  const out: HTMLElement[] = [
    h('div', { class: 'tip-name' }, row.name),
    line('dtype', row.dtype),
    ...(row.layout !== undefined ? [line('layout', row.layout)] : []),
    ...(row.unreadable !== undefined ? [line('values', `not available: ${row.unreadable}`)] : []),
    line('shape', formatShape(row.shape)),
    line('strides', formatShape(row.stride)),
    line('storage', `${row.storageKey}, offset ${formatCount(row.storageOffset)} elements`),
    line('bytes', `${formatBytes(row.bytes)} (${formatCount(row.bytes)}), file bytes ${formatCount(row.byteRange[0])}–${formatCount(row.byteRange[1])}`),
  ];
  if (row.status === 'mapped') {
    for (const t of row.targets) {
      const rows = t.sourceRows ? ` ← rows ${t.sourceRows[0]}–${t.sourceRows[1]}` : '';
      out.push(line('HF', `${t.name} ${formatShape(t.shape)}${rows} (${t.transform})`));
    }
  } else {
    out.push(line(row.status, row.reason ?? 'no HF AST counterpart'));
  }
  if (pos) out.push(...posEmbedLines(pos));
  return out;
}

function posEmbedLines(pos: PosEmbedBreakdown): HTMLElement[] {
  const out: HTMLElement[] = [
    h(
      'div',
      { class: 'tip-section', testid: 'pos-embed-breakdown' },
      `${pos.rows} rows = ${pos.clsTokens} cls token${pos.clsTokens === 1 ? '' : 's'} + ${pos.patches} patches`,
      pos.grid ? ` = ${pos.grid.f} (frequency) × ${pos.grid.t} (time) grid` : '',
    ),
  ];
  if (pos.patchSize) out.push(h('div', { class: 'tip-line' }, `patch ${pos.patchSize[0]}×${pos.patchSize[1]}; this grid comes from:`));
  for (const l of pos.layouts) {
    out.push(h('div', { class: 'tip-line' }, `stride ${l.stride[0]}×${l.stride[1]}: ${l.melBins} mel bins × ${l.frames} frames`));
  }
  return out;
}
