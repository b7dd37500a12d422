/** Collapsible sections under the table: HF keys nothing fills, state dicts found, everything else. */
import type { MetaValue } from '../../src/core/checkpointIndex';
import type { CheckpointView } from '../../src/protocol/messages';
import { h } from '../dom';
import { formatCount, formatShape } from '../model/format';

export function renderSections(view: CheckpointView): HTMLElement[] {
  const out: HTMLElement[] = [];
  if (!('error' in view.mapping)) {
    const missing = view.mapping.missing;
    out.push(
      section(
        `Missing in HF (${missing.length})`,
        'missing-section',
        missing.length === 0
          ? h('p', { class: 'muted' }, 'Every HF AST key is filled by a tensor of this file.')
          : h('ul', { class: 'missing-list' }, ...missing.map((m) => h('li', { 'data-name': m.name }, h('code', {}, m.name), ` ${formatShape(m.shape)}`))),
        missing.length > 0,
      ),
    );
  }
  const dicts = view.stateDicts.map((d) => h('li', {}, h('code', {}, d.path.length ? d.path.join('.') : '(top level)'), ` — ${formatCount(d.tensorCount)} tensors`));
  out.push(section(`State dicts (${view.stateDicts.length})`, 'state-dicts', h('ul', {}, ...dicts), false));
  out.push(section('Metadata', 'metadata-tree', metaNode('(file)', view.metadata, true), false));
  for (const m of view.moduleSources) {
    const body = h('div', {}, h('p', { class: 'muted' }, `Saved from ${m.sourceFile}; torch.load imports the class by name and only compares this text.`), h('pre', { class: 'module-source' }, m.source));
    out.push(section(`Module source: ${m.className}`, 'module-source', body, false));
  }
  const headerKeys = Object.entries(view.headerMetadata);
  if (headerKeys.length > 0) {
    out.push(section('safetensors __metadata__', 'header-metadata', h('dl', {}, ...headerKeys.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])), false));
  }
  return out;
}

function section(title: string, testId: string, content: HTMLElement, open: boolean): HTMLElement {
  return h('details', { class: 'section', testid: testId, open }, h('summary', {}, title), content);
}

/** One node of the object tree; containers fill their children only when first opened. */
function metaNode(key: string, value: MetaValue, open = false): HTMLElement {
  const children = containerChildren(value);
  if (!children) return h('div', { class: 'meta-leaf', 'data-key': key }, h('span', { class: 'meta-key' }, key), ': ', h('span', { class: `meta-${value.kind}` }, leafText(value)));
  const details = h('details', { class: 'meta-node', 'data-key': key, open }, h('summary', {}, h('span', { class: 'meta-key' }, key), `: ${describe(value)}`));
  const fill = () => {
    if (details.dataset.filled) return;
    details.dataset.filled = '1';
    const list = h('div', { class: 'meta-children' }, ...children().map(([k, v]) => metaNode(k, v)));
    const truncated = 'truncated' in value ? value.truncated : undefined;
    if (truncated) list.append(h('div', { class: 'muted' }, `… ${formatCount(truncated)} more not shown`));
    details.append(list);
  };
  if (open) fill();
  details.addEventListener('toggle', fill);
  return details;
}

function containerChildren(value: MetaValue): (() => (readonly [string, MetaValue])[]) | undefined {
  switch (value.kind) {
    case 'dict':
      return () => [...value.entries];
    case 'list':
    case 'tuple':
    case 'set':
      return () => value.items.map((v, i) => [String(i), v] as const);
    case 'object':
      return () => [...value.args.map((v, i) => [`arg ${i}`, v] as const), ...(value.state ? [['state', value.state] as const] : [])];
    default:
      return undefined;
  }
}

function describe(value: MetaValue): string {
  switch (value.kind) {
    case 'dict':
      return `dict (${value.entries.length + (value.truncated ?? 0)} entries)`;
    case 'list':
    case 'tuple':
    case 'set':
      return `${value.kind} (${value.items.length + (value.truncated ?? 0)} items)`;
    case 'object':
      return value.type;
    default:
      return value.kind;
  }
}

function leafText(value: MetaValue): string {
  switch (value.kind) {
    case 'none':
      return 'None';
    case 'bool':
      return value.value ? 'True' : 'False';
    case 'int':
      return value.value;
    case 'float':
      return String(value.value);
    case 'str':
      return JSON.stringify(value.value);
    case 'bytes':
      return `bytes (${formatCount(value.length)}) ${value.preview}`;
    case 'tensor':
      return `tensor ${value.name}`;
    case 'ref':
      return value.note;
    default:
      return value.kind;
  }
}
