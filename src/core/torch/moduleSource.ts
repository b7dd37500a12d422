import type { ModuleSource } from '../checkpointIndex';
import type { PyPersistentId, PyValue } from '../pickle/values';

/**
 * The persistent id a legacy whole-module save writes for each nn.Module class: `('module', cls, source_file, source)`,
 * so that torch.load can warn when the class's source changed. It names the class (a global torch.load imports).
 */
export function moduleSourceOf(id: PyValue): ModuleSource | undefined {
  if (typeof id !== 'object' || id === null || id.kind !== 'persistent') return undefined;
  const { pid } = id;
  if (typeof pid !== 'object' || pid === null || pid.kind !== 'tuple' || pid.items[0] !== 'module') return undefined;
  const [, cls, sourceFile, source] = pid.items;
  const className = typeof cls === 'object' && cls !== null && cls.kind === 'global' ? `${cls.module}.${cls.name}` : '?';
  return { className, sourceFile: typeof sourceFile === 'string' ? sourceFile : '', source: typeof source === 'string' ? source : '' };
}

/** The module classes' sources, once per class, and the other persistent ids (the storages). */
export function splitModuleSources(persistents: readonly PyPersistentId[]): { modules: ModuleSource[]; storages: PyPersistentId[] } {
  const modules = new Map<string, ModuleSource>();
  const storages: PyPersistentId[] = [];
  for (const p of persistents) {
    const module = moduleSourceOf(p);
    if (module === undefined) storages.push(p);
    else if (!modules.has(module.className)) modules.set(module.className, module);
  }
  return { modules: [...modules.values()], storages };
}
