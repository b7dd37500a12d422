import { basename, dirname, extname, isAbsolute, resolve } from 'node:path';

/** The checkpoint's file name without its extension: `ssast_tiny.pth` → `ssast_tiny`. */
export function checkpointStem(checkpointPath: string): string {
  const name = basename(checkpointPath);
  return name.slice(0, name.length - extname(name).length) || name;
}

/**
 * The folder a pattern like `${stem}-hf-ast` names. Relative results sit next to the
 * checkpoint, so the converted model lands where the user keeps the original.
 */
export function resolveOutputFolder(checkpointPath: string, patternOrPath: string): string {
  const expanded = patternOrPath.trim().replace(/\$\{stem\}/g, checkpointStem(checkpointPath));
  return isAbsolute(expanded) ? resolve(expanded) : resolve(dirname(checkpointPath), expanded);
}
