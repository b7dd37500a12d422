import type { PyPersistentId, PyValue } from './values';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * The persistent id BINPERSID/PERSID pushes: torch.save's storage tuple in its compact form when every field is
 * what torch writes (see PyStoragePid), anything else (legacy views, foreign ids) wrapped as it is.
 */
export function persistentId(pid: PyValue): PyPersistentId {
  if (typeof pid === 'object' && pid !== null && pid.kind === 'tuple' && (pid.items.length === 5 || (pid.items.length === 6 && pid.items[5] === null))) {
    const [tag, type, key, location, numel] = pid.items;
    if (tag === 'storage' && typeof type === 'object' && type !== null && type.kind === 'global' && typeof key === 'string'
      && typeof location === 'string' && typeof numel === 'bigint' && numel >= 0n && numel <= MAX_SAFE) {
      return { kind: 'storage-pid', type, key, location, numel: Number(numel) };
    }
  }
  return { kind: 'persistent', pid };
}
