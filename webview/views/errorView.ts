/** A file the core could not read: the error, where in the file, and a way to try again. */
import type { ErrorView } from '../../src/protocol/messages';
import { h } from '../dom';
import { formatBytes, formatOffset } from '../model/format';
import { button } from '../ui/toolkit';
import { safetyBanner } from './header';

export function renderError(view: ErrorView, reload: () => void, copy: (text: string) => void): HTMLElement {
  return h(
    'section',
    { class: 'error-view', testid: 'error-view', role: 'alert' },
    h('h1', { class: 'file-name', title: view.file.uri }, view.file.name),
    // What torch.load would have run before failing the same way: the banner comes first.
    view.safety !== undefined && safetyBanner(view.safety, { copy }, true),
    h('p', { class: 'error-title' }, `Cannot read this checkpoint (${view.errorName})`),
    h('pre', { class: 'error-message', testid: 'error-message' }, view.message),
    h('p', { class: 'muted', testid: 'error-code', title: 'Stable error code (the same in the CLI and logs)' }, `Code: ${view.code}`),
    view.offset !== undefined &&
      h('p', { testid: 'error-offset' }, `At byte ${formatOffset(view.offset)}${view.entry !== undefined ? ` of zip entry ${view.entry}` : ' of the file'}`),
    view.entry !== undefined && view.offset === undefined && h('p', { testid: 'error-entry' }, `In zip entry ${view.entry}`),
    view.file.size !== undefined && h('p', { class: 'muted' }, `File size ${formatBytes(view.file.size)}`),
    button('Reload', reload, { testId: 'reload-button' }),
  );
}
