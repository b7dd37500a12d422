// CLI: installs code-server into its cache folder if missing (test/run.mjs, scripts/start.mjs).
import { ensureCodeServer } from '../codeServer';

ensureCodeServer().then(
  (entry) => console.log(`code-server: ${entry}`),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
