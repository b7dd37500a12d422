// Entry of `dist/cli.js`: dispatches to one bundle per command (dist/cli-inspect.js, dist/cli-convert.js, dist/cli-diff.js,
// see scripts/build.mjs), so `inspect` never parses the conversion code, and each bundle starts from a code cache
// kept in the user's cache folder.
import { join } from 'node:path';
import { loadCommandBundle } from './commandBundle';
import { userCacheDir } from './userCacheDir';

const USAGE = `usage: ckpt-ast <command> [options]

commands:
  inspect FILE [--json] [--hash]     list the tensors of a checkpoint (FILE: a file, model folder,
                                     shard index, or http(s)/hf:// URL)
  convert FILE --out DIR [options]   convert an SSAST/AST checkpoint to a Hugging Face AST folder
  diff A B [--json] [--no-values]    compare two checkpoints tensor by tensor

run "ckpt-ast <command> --help" for a command's options`;

type Run = (args: string[]) => Promise<number>;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'inspect':
      return runBundle<typeof import('./inspect')>('cli-inspect.js', (m) => m.runInspect, rest);
    case 'convert':
      return runBundle<typeof import('./convert')>('cli-convert.js', (m) => m.runConvert, rest);
    case 'diff':
      return runBundle<typeof import('./diff')>('cli-diff.js', (m) => m.runDiff, rest);
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(USAGE + '\n');
      return 0;
    default:
      process.stderr.write((command ? `unknown command "${command}"\n` : '') + USAGE + '\n');
      return 1;
  }
}

async function runBundle<T>(bundle: string, pick: (exports: T) => Run, args: string[]): Promise<number> {
  const loaded = loadCommandBundle<T>(join(__dirname, bundle), userCacheDir());
  const code = await pick(loaded.exports)(args);
  // Cached after a run that did the command's work, so the cache holds the functions a real run compiles.
  if (code === 0 && !args.some((a) => a === '--help' || a === '-h')) loaded.saveCache();
  return code;
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
