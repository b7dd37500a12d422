// Where the CLI keeps its code cache: the user's own cache folder, never the install folder (often read-only,
// shared by every user of a global install) nor a shared temp folder (bytecode there is code anyone could plant).
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

export type CacheEnv = Readonly<Record<string, string | undefined>>;

/** `ckpt-ast` under the platform's per-user cache folder: XDG_CACHE_HOME or ~/.cache, ~/Library/Caches, %LOCALAPPDATA%. */
export function userCacheDir(env: CacheEnv = process.env, platform: NodeJS.Platform = process.platform, home = homedir()): string {
  if (platform === 'win32') return join(env.LOCALAPPDATA || join(home, 'AppData', 'Local'), 'ckpt-ast', 'Cache');
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'ckpt-ast');
  // The XDG spec: a relative XDG_CACHE_HOME is invalid and must be ignored.
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(home, '.cache'), 'ckpt-ast');
}
