/** File facts, safety verdict, detected model and mapping coverage, with the Convert button. */
import type { CheckpointView, SafetyView } from '../../src/protocol/messages';
import { h } from '../dom';
import { formatBytes, formatCount, formatParameters } from '../model/format';
import { button } from '../ui/toolkit';

export interface HeaderActions {
  convert(): void;
  copy(text: string): void;
}

const FORMAT_LABELS: Record<CheckpointView['format'], string> = {
  'torch-zip': 'PyTorch zip (torch.save)',
  'torch-legacy': 'PyTorch legacy (pre-1.6)',
  safetensors: 'safetensors',
  torchscript: 'TorchScript archive',
  pickle: 'plain pickle (pickle.dump)',
  joblib: 'joblib (joblib.dump)',
  numpy: 'numpy .npy',
  npz: 'numpy .npz',
};

export function renderHeader(view: CheckpointView, actions: HeaderActions): HTMLElement {
  const dtypes = view.dtypeMix.map((d) => `${d.dtype} × ${formatCount(d.tensors)}`).join(', ') || 'none';
  const facts = h(
    'div',
    { class: 'facts' },
    h('h1', { class: 'file-name', testid: 'file-name', title: view.file.uri }, view.file.name),
    fact('Format', FORMAT_LABELS[view.format], 'format'),
    fact('Size', formatBytes(view.file.size ?? 0), 'file-size'),
    fact('Tensors', formatCount(view.tensorCount), 'tensor-count'),
    fact('Parameters', formatParameters(view.parameterCount), 'parameter-count', `${formatCount(view.parameterCount)} elements`),
    fact('DTypes', dtypes, 'dtype-mix'),
  );
  const detection =
    'error' in view.detection
      ? h('p', { class: 'detection muted', testid: 'detection-summary' }, `Model not recognised: ${view.detection.error}`)
      : h(
          'p',
          { class: 'detection', testid: 'detection-summary' },
          view.detection.summary,
          view.detection.refusal &&
            h('span', { class: 'refusal', testid: 'detection-refusal' }, ` — cannot convert: ${view.detection.refusal.reason}; ${view.detection.refusal.hint}`),
        );
  const coverage =
    'error' in view.mapping
      ? h('p', { class: 'coverage muted', testid: 'mapping-coverage' }, `No HF AST mapping: ${view.mapping.error}`)
      : h('p', { class: 'coverage', testid: 'mapping-coverage' }, view.mapping.coverage);
  const refused = 'error' in view.detection || view.detection.refusal !== undefined;
  const convert = button('Convert to HF AST', actions.convert, {
    testId: 'convert-button',
    appearance: refused ? 'secondary' : 'primary',
    title: refused
      ? 'This file does not look convertible (see above); the command explains why'
      : 'Write a Hugging Face AST folder (config.json + model.safetensors) next to this checkpoint',
  });
  return h(
    'header',
    { class: 'header', testid: 'header' },
    h('div', { class: 'header-top' }, facts, h('div', { class: 'header-actions' }, convert)),
    safetyBanner(view.safety, actions),
    detection,
    coverage,
    view.warnings.length > 0 &&
      h('ul', { class: 'warnings', testid: 'warnings' }, ...view.warnings.map((w) => h('li', {}, w))),
  );
}

function fact(label: string, value: string, testId: string, title?: string): HTMLElement {
  return h('span', { class: 'fact', title }, h('span', { class: 'fact-label' }, label), h('span', { class: 'fact-value', testid: testId }, value));
}

const VERDICT_TEXT: Record<SafetyView['verdict'], string> = {
  safe: 'Weights only: torch.load(weights_only=True) accepts this file; loading it runs no code.',
  'not-weights-only':
    'Not weights-only: torch.load(weights_only=True) refuses this file until these globals are allowed. Nothing was executed to read it here.',
  dangerous:
    'Dangerous: loading this file with torch.load(weights_only=False) would run the code below. Nothing was executed to read it here.',
};

/** The verdict of the part read before an error: torch.load would have run that much before failing the same way. */
const BEFORE_ERROR_TEXT: Record<SafetyView['verdict'], string> = {
  safe: 'Up to the error below, the pickle names only weights-only globals: torch.load would fail there without having run code.',
  'not-weights-only': 'Up to the error below, the pickle names globals torch.load(weights_only=False) would import and call before failing.',
  dangerous: 'Dangerous: before the error below, torch.load(weights_only=False) would already run the code listed here. Nothing was executed to read it here.',
};

/** The verdict, the globals behind it, and what allowing them would mean; also shown above a read error. */
export function safetyBanner(safety: SafetyView, actions: Pick<HeaderActions, 'copy'>, beforeError = false): HTMLElement {
  const shown = safety.verdict === 'safe' ? [] : safety.globals.filter((g) => g.verdict !== 'safe');
  return h(
    'section',
    { class: `safety safety-${safety.verdict}`, testid: 'safety-banner', 'data-verdict': safety.verdict, role: safety.verdict === 'dangerous' ? 'alert' : 'status' },
    h('p', { class: 'safety-text' }, beforeError ? BEFORE_ERROR_TEXT[safety.verdict] : VERDICT_TEXT[safety.verdict]),
    shown.length > 0 &&
      h(
        'ul',
        { class: 'safety-globals', testid: 'safety-globals' },
        ...shown.map((g) =>
          h('li', { 'data-verdict': g.verdict }, h('code', {}, g.name), ` × ${g.count}: ${g.reason}`),
        ),
      ),
    safety.findings !== undefined &&
      h('ul', { class: 'safety-findings', testid: 'safety-findings' }, ...safety.findings.map((f) => h('li', { 'data-verdict': 'dangerous' }, f))),
    safety.unknownCode !== undefined &&
      h(
        'p',
        { class: 'safety-unknown-code', testid: 'safety-unknown-code' },
        `Unknown code: ${safety.unknownCode.join(', ')}. Allowing these lets the file's author run code on your machine; `
          + 'load this file with weights_only=False only if you trust its source.',
      ),
    safety.allowlistSnippet !== undefined &&
      h(
        'div',
        { class: 'snippet' },
        h('pre', { testid: 'allowlist-snippet' }, safety.allowlistSnippet),
        button('Copy', () => actions.copy(safety.allowlistSnippet ?? ''), { testId: 'copy-allowlist', title: 'Copy these lines' }),
      ),
  );
}
