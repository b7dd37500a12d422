// `inspect FILE [--json] [--hash]`: list a checkpoint's tensors from its metadata, never running its pickle.
import { parseArgs } from 'node:util';
import { CheckpointError } from '../core/errors';
import { openCliSource } from './cliSource';
import { openCheckpoint } from '../core/openCheckpoint';
import { tensorSha256 } from '../node/tensorSha256';
import type { TensorInfo } from '../core/tensors/tensorInfo';
import { inspectJson, inspectTable } from './inspectReport';
import { writeStdout } from './stdout';

const HELP = `usage: ckpt-ast inspect FILE [--json] [--hash]

  --json   print one JSON object: {format, tensors, metadata, warnings, safety, unsafeGlobals}
  --hash   add each tensor's sha256 (of its contiguous little-endian bytes); reads every tensor

exit status: 0 listed, 1 usage, 2 unreadable or not a checkpoint`;

export async function runInspect(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' }, hash: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  } catch (err) {
    return usage(err instanceof Error ? err.message : String(err));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  if (positionals.length !== 1) return usage(positionals.length === 0 ? 'missing FILE' : `expected one FILE, got ${positionals.length}`);
  const file = positionals[0]!;

  let source;
  try {
    source = await openCliSource(file);
  } catch (err) {
    process.stderr.write(`error: cannot read ${file}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  try {
    const index = await openCheckpoint(source);
    let hashes: Map<TensorInfo, string> | undefined;
    if (values.hash) {
      hashes = new Map();
      for (const tensor of index.tensors) hashes.set(tensor, await tensorSha256(source, tensor));
    }
    writeStdout(values.json ? [inspectJson(index, hashes) + '\n'] : inspectTable(index, hashes));
    return 0;
  } catch (err) {
    if (!(err instanceof CheckpointError) && !(err instanceof RangeError)) throw err;
    process.stderr.write(`error: ${err.message}\n`);
    return 2;
  } finally {
    await source.close();
  }
}

function usage(problem: string): number {
  process.stderr.write(`${problem}\n${HELP}\n`);
  return 1;
}
