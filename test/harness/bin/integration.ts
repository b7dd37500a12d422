// CLI: runs the integration suite inside code-server; exit code 0 only if every test passed.
// Prints a last line `integration: N passed, N failed` that test/run.mjs reads.
import { runIntegration } from '../runIntegration';

runIntegration().then(
  (c) => process.exit(c.failed === 0 && c.passed > 0 ? 0 : 1),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    console.log('integration: 0 passed, 1 failed');
    process.exit(1);
  },
);
