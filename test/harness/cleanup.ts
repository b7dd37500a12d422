// Everything the harness starts (servers, browsers, temp folders) registers how to end it here, so that
// a failing test, an exception or Ctrl-C never leaves a code-server behind.
type Cleanup = { async: () => Promise<void>; sync: () => void };

const pending = new Set<Cleanup>();
let signalsHooked = false;

function hookSignals(): void {
  if (signalsHooked) return;
  signalsHooked = true;
  // 'exit' only allows synchronous work: kill by pid, remove folders.
  process.on('exit', () => {
    for (const c of pending) c.sync();
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      void runAll().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    });
  }
}

/**
 * Registers a cleanup; returns a function that runs it once (and unregisters it).
 * `sync` is the last-resort version used when the process exits without awaiting.
 */
export function registerCleanup(asyncFn: () => Promise<void>, syncFn: () => void): () => Promise<void> {
  hookSignals();
  const entry: Cleanup = { async: asyncFn, sync: syncFn };
  pending.add(entry);
  return async () => {
    if (!pending.delete(entry)) return;
    await asyncFn();
  };
}

async function runAll(): Promise<void> {
  const all = [...pending];
  pending.clear();
  await Promise.allSettled(all.map((c) => c.async()));
}
