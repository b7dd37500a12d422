/**
 * Renders catalog answers as the Markdown a hover shows. Pure: paths and command links come
 * from the caller, so this file knows nothing of vscode.
 */
import type { HfModelKind, KeyMapping, MappedTarget } from '../../ast/keyMapping';
import type { CatalogAnswer } from './checkpointCatalog';
import { hasTemplateFields, type HfHit, type KeyHit, type ModuleHit, type TensorFacts } from './checkpointKeys';

export interface HoverMarkdownContext {
  /** How to name a checkpoint file to the user (workspace-relative when possible). */
  displayPath(path: string): string;
  /** A Markdown link target opening `path` in the inspector at tensor `tensorName`. */
  openLink(path: string, tensorName: string | undefined): string;
}

/** Other checkpoints holding the same name are listed by file, up to this many. */
const MAX_OTHER_FILES = 3;

/** `written` is the hovered string as it stands in the code. */
export function hoverMarkdown(answers: readonly CatalogAnswer[], ctx: HoverMarkdownContext, written = ''): string | undefined {
  const [first, ...others] = answers;
  if (!first) return undefined;
  const { hit, entry } = first;
  const model = entry.keys.model ?? 'ASTModel';
  const body = hit.kind === 'key' ? describeKey(hit, model) : hit.kind === 'hf' ? describeHf(hit, model) : describeModule(hit, entry.keys.keyPrefix, model);
  const row = hit.kind === 'module' ? hit.summary.firstTensor : hit.tensor.name;
  const template = hasTemplateFields(written) ? ['', `Placeholders in \`${written.replace(/`/g, "'")}\` read as 0.`] : [];
  const lines = [...body, ...template, '', `From \`${ctx.displayPath(entry.path)}\` · [Open in Checkpoint Inspector](${ctx.openLink(entry.path, row)})`];
  if (others.length > 0) {
    // Same name, maybe another model size: the shape tells them apart at a glance.
    const names = others.slice(0, MAX_OTHER_FILES).map((a) => `\`${ctx.displayPath(a.entry.path)}\`${shapeOf(a.hit)}`);
    const more = others.length > MAX_OTHER_FILES ? ` and ${others.length - MAX_OTHER_FILES} more` : '';
    lines.push('', `Also in ${names.join(', ')}${more}.`);
  }
  return lines.join('  \n');
}

function describeKey(hit: KeyHit, model: HfModelKind): string[] {
  const t = hit.tensor;
  const lines = [`**\`${t.name}\`** · \`${t.dtype}\` \`${formatShape(t.shape)}\``, sizeLine(t)];
  if (hit.mapping) lines.push('', ...describeMapping(hit.mapping, model));
  return lines;
}

function describeMapping(m: KeyMapping, model: HfModelKind): string[] {
  switch (m.status) {
    case 'mapped':
      return [
        m.targets.length === 1 ? `HF \`${model}\` target:` : `HF \`${model}\` targets (${m.targets.length}):`,
        ...m.targets.map((target) => `- \`${target.name}\` \`${formatShape(target.shape)}\`${rowsNote(target)}`),
      ];
    case 'dropped':
      return [`Not converted to HF AST: ${sentence(m.reason ?? 'no HF counterpart')}`];
    case 'unknown':
      return [`No HF AST rule matches this key${m.reason ? `: ${sentence(m.reason)}` : '.'}`];
  }
}

function describeHf(hit: HfHit, model: HfModelKind): string[] {
  const { target, tensor } = hit;
  return [
    `**\`${target.name}\`** (HF \`${model}\`) · \`${formatShape(target.shape)}\``,
    '',
    `Comes from \`${tensor.name}\` · \`${tensor.dtype}\` \`${formatShape(tensor.shape)}\`${rowsNote(target)} (${target.transform})`,
  ];
}

function describeModule(hit: ModuleHit, keyPrefix: string, model: HfModelKind): string[] {
  const s = hit.summary;
  const name = s.side === 'source' ? `${keyPrefix}${s.prefix}` : s.prefix;
  const what = s.side === 'source' ? 'Module' : `HF \`${model}\` module`;
  const size = s.side === 'source' ? ` · ${formatBytes(s.bytes)}` : '';
  return [
    `**${what} \`${name}\`** · ${count(s.tensors, 'tensor')} · ${count(s.params, 'parameter')}${size}`,
    `Contains: ${[...s.children].map((c) => `\`${c}\``).join(', ')}`,
  ];
}

function shapeOf(hit: CatalogAnswer['hit']): string {
  if (hit.kind === 'module') return '';
  return ` \`${formatShape(hit.kind === 'key' ? hit.tensor.shape : hit.target.shape)}\``;
}

/** A reason as a sentence: one final period, whether or not the rule wrote one. */
function sentence(text: string): string {
  return text.endsWith('.') ? text : `${text}.`;
}

function rowsNote(target: MappedTarget): string {
  return target.sourceRows ? ` ← rows ${target.sourceRows[0]}–${target.sourceRows[1]}` : '';
}

function sizeLine(t: TensorFacts): string {
  return `${count(t.numel, 'element')} · ${formatBytes(t.bytes)}`;
}

/** As Python prints `list(tensor.shape)`: `[576, 192]`, `[]` for a scalar. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Exact bytes with a binary-unit hint: `442,368 bytes (432 KiB)`. */
export function formatBytes(bytes: number): string {
  const exact = `${bytes.toLocaleString('en-US')} bytes`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = '';
  for (const u of units) {
    if (value < 1024) break;
    value /= 1024;
    unit = u;
  }
  return unit === '' ? exact : `${exact} (${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${unit})`;
}

function count(n: number, noun: string): string {
  return `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;
}
