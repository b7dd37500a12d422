// Entry of `dist/cli.js`: dispatches to one subcommand module per verb.

const USAGE = `usage: ckpt-ast <command> [options]

commands:
  inspect FILE [--json] [--hash]     list the tensors of a checkpoint
  convert FILE --out DIR [options]   convert an SSAST/AST checkpoint to a Hugging Face AST folder

run "ckpt-ast <command> --help" for a command's options`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    // Loaded per command: `inspect` never evaluates the conversion modules.
    case 'inspect':
      return (await import('./inspect')).runInspect(rest);
    case 'convert':
      return (await import('./convert')).runConvert(rest);
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

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
