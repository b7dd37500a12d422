import type { ErrorShape } from '../core/errors';
import type { ErrorView, FileFacts } from './messages';

/** The editor's error view for an ErrorShape: whichever side failed (core, worker, host), it looks the same. */
export function errorView(file: FileFacts, shape: ErrorShape): ErrorView {
  return {
    kind: 'error',
    file,
    errorName: shape.name || 'Error',
    code: shape.code,
    message: shape.message,
    ...(shape.offset !== undefined ? { offset: shape.offset } : {}),
    ...(shape.entry !== undefined ? { entry: shape.entry } : {}),
  };
}
