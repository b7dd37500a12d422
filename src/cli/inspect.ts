// `inspect FILE [--json] [--hash]`: list a checkpoint's tensors from its metadata, never running its pickle.
import { CheckpointError } from '../core/errors';
import { parseCommandArgs, UsageError, type OptionSpecs } from './commandArgs';
import { openInput, type OpenedInput } from './openInput';
import { tensorSha256 } from '../node/tensorSha256';
import type { TensorInfo } from '../core/tensors/tensorInfo';
import { errorJson, errorLine, inspectJson, inspectTable } from './inspectReport';
import { writeStdout } from './stdout';

const HELP = `usage: ckpt-ast inspect FILE|DIR|INDEX|URL [--json] [--hash] [--no-download]

  --json   print one JSON object: {format, tensors, metadata, warnings, safety, unsafeGlobals[, moduleSources]};
           for a file that cannot be read, {error, safety, unsafeGlobals} (safety as far as read)
  --hash   add each tensor's sha256 (of its contiguous little-endian bytes); reads every tensor
           (not for tensors marked "unreadable": sparse, or values not stored as file bytes)
  --no-download  for a server without Range support: fail instead of downloading the file

  DIR: a model folder (weights + config.json); INDEX: a *.index.json of shards;
  URL: https://, http:// or hf://owner/repo/path[@revision] (HF_ENDPOINT, HF_TOKEN)

exit status: 0 listed, 1 usage, 2 unreadable or not a checkpoint`;

const OPTIONS: OptionSpecs = { json: {}, hash: {}, 'no-download': {}, help: { short: 'h' } };

export async function runInspect(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseCommandArgs(args, OPTIONS);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    return usage(err.message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  if (positionals.length !== 1) return usage(positionals.length === 0 ? 'missing FILE' : `expected one FILE, got ${positionals.length}`);
  const file = positionals[0]!;

  let input: OpenedInput;
  try {
    input = await openInput(file, { noDownload: values['no-download'] === true });
  } catch (err) {
    if (!(err instanceof CheckpointError) && !(err instanceof RangeError) && !isSystemError(err)) throw err;
    if (values.json) writeStdout([errorJson(err) + '\n']);
    process.stderr.write(err instanceof CheckpointError || err instanceof RangeError ? `error: ${errorLine(err)}\n` : `error: cannot read ${file}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  const { index, source } = input;
  try {
    let hashes: Map<TensorInfo, string> | undefined;
    if (values.hash) {
      hashes = new Map();
      // Sparse tensors and values not stored as file bytes have no bytes to hash (their `unreadable` says why).
      for (const tensor of index.tensors) if (tensor.unreadable === undefined) hashes.set(tensor, await tensorSha256(source, tensor));
    }
    writeStdout(values.json ? [inspectJson(index, hashes, input) + '\n'] : inspectTable(index, hashes, input));
    for (const failure of input.failures) process.stderr.write(`error: ${failure}\n`);
    return input.failures.length > 0 ? 2 : 0;
  } catch (err) {
    if (!(err instanceof CheckpointError) && !(err instanceof RangeError)) throw err;
    if (values.json) writeStdout([errorJson(err) + '\n']);
    process.stderr.write(`error: ${errorLine(err)}\n`);
    return 2;
  } finally {
    await source.close();
  }
}

/** Node's errors for a missing or unreadable path (ENOENT, EACCES, EISDIR …). */
function isSystemError(err: unknown): boolean {
  const code = err instanceof Error ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code);
}

function usage(problem: string): number {
  process.stderr.write(`${problem}\n${HELP}\n`);
  return 1;
}
