import { DATA_NAMES_IN_DENYLISTED_MODULES, DENYLIST, MODULE_ALIASES, PRIVATE_STDLIB_MODULES } from './denylist';

const EXACT = new Map<string, string>();
const MODULES = new Map<string, string>();
for (const [pattern, reason] of DENYLIST) {
  if (pattern.endsWith('.*')) MODULES.set(pattern.slice(0, -2), reason);
  else EXACT.set(pattern, reason);
}
for (const m of PRIVATE_STDLIB_MODULES) if (!MODULES.has(m)) MODULES.set(m, 'private interpreter module: a pickle has no reason to name it');
const SPARED = new Set(DATA_NAMES_IN_DENYLISTED_MODULES);
/**
 * Modules that other modules import under their own name, so `torch.serialization.os` is the os module itself:
 * named as a global, it is what the next attribute walk, getattr or BUILD works on. Other denylisted names are
 * not taken as module objects when they end a name (`torch.autograd.profiler.profile` is a class, not profile).
 */
const MODULE_OBJECTS = new Set(['os', 'posix', 'nt', 'sys', 'subprocess', 'builtins', '__builtins__', 'shutil', 'socket', 'pickle',
  '_pickle', 'importlib', 'ctypes', 'runpy', 'marshal', 'pty', '_posixsubprocess', 'io', '_io', 'operator', '_operator']);
const isDunder = (segment: string): boolean => segment.length > 4 && segment.startsWith('__') && segment.endsWith('__');

/**
 * Why torch.load importing `module` and resolving `name` in it (as CPython's find_class does: a dotted name is
 * walked attribute by attribute) reaches something dangerous, or undefined. Any dotted prefix of the full path
 * that the denylist names is enough (`builtins.eval.__call__` is `builtins.eval`), aliases count as the module
 * they stand for (`posix.system` is `os.system`), and every step of an attribute walk can start a new path:
 * `torch.serialization` + `os.system` reaches the os module torch.serialization imported.
 */
export function dangerousReason(module: string, name: string): string | undefined {
  const moduleParts = module.split('.');
  const nameParts = name.split('.');
  const parts = [...moduleParts, ...nameParts];
  const direct = pathReason(parts);
  if (direct !== undefined) return direct;
  const walked = nameParts.slice(1).find(isDunder) ?? (nameParts.length > 1 && isDunder(nameParts[0]!) ? nameParts[0] : undefined);
  if (walked !== undefined) return `${module}.${name} walks through ${walked}, which reaches interpreter internals (globals, builtins, subclasses, call slots)`;
  const last = nameParts[nameParts.length - 1]!;
  if (nameParts.length === 1 && MODULE_OBJECTS.has(last) && module !== last) {
    return `${module}.${name} is the ${MODULE_ALIASES[last] ?? last} module reached as an attribute: ${pathReason([last])}`;
  }
  // An attribute walk: each step from the name's first segment on may be a module the previous one imported.
  for (let start = moduleParts.length; nameParts.length > 1 && start < parts.length - 1; start++) {
    const reached = pathReason(parts.slice(start));
    if (reached !== undefined) return `${module}.${name} reaches ${parts.slice(start).join('.')} through attributes: ${reached}`;
  }
  return undefined;
}

/** The reason for the first denylisted prefix of `parts` (first segment de-aliased): exact names before whole modules. */
function pathReason(parts: readonly string[]): string | undefined {
  const canonical = [MODULE_ALIASES[parts[0]!] ?? parts[0]!, ...parts.slice(1)];
  const spelled = canonical[0] === parts[0] ? '' : ` (${parts[0]} is ${canonical[0]})`;
  const prefixes = canonical.map((_, k) => [canonical.slice(0, k + 1).join('.'), parts.slice(0, k + 1).join('.')] as const);
  for (const [prefix, asWritten] of prefixes) {
    const exact = EXACT.get(prefix) ?? EXACT.get(asWritten);
    if (exact !== undefined) return `${prefix}${spelled}: ${exact}`;
  }
  // The most specific module entry explains best (logging.handlers, not logging).
  for (const [prefix, asWritten] of [...prefixes].reverse()) {
    const whole = MODULES.get(prefix) ?? MODULES.get(asWritten);
    if (whole === undefined) continue;
    // A module entry spares its data names (the plain builtins constructors, joblib's array wrappers), but not
    // attributes walked from them.
    if (SPARED.has(canonical.join('.'))) continue;
    return `module ${prefix}${spelled}: ${whole}`;
  }
  return undefined;
}
