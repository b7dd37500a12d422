// What `inspect` was given — a checkpoint file, a shard index, a model folder, or a URL to either — opened
// as one checkpoint, with what the report adds for shards and folders. Remote files are read in place by
// Range requests; a server without them is downloaded to a temporary file first (unless --no-download).
import { statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { RangeNotSupportedError } from '../core/errors';
import type { ByteSource } from '../core/io/byteSource';
import { openHttpSource } from '../core/http/httpSource';
import { openCheckpointOrIndex, openModelFolder, type OpenedCheckpoint } from '../core/shards/openWithSiblings';
import type { SiblingOpener } from '../core/shards/shardedCheckpoint';
import { checkAstConfig } from '../ast/configCheck';
import { openCliSource } from './cliSource';
import { downloadToTempFile } from './downloadToTemp';
import { isRemote, remoteTarget } from './remoteOptions';

export interface InputOptions {
  /** Refuse servers without Range support instead of downloading the file. */
  readonly noDownload?: boolean;
}

export interface OpenedInput extends OpenedCheckpoint {
  /** config.json of a model folder. */
  readonly config?: unknown;
  /** Lines for stderr that make the run fail (exit 2) although a listing was printed: unreadable shards. */
  readonly failures: readonly string[];
}

export async function openInput(input: string, opts: InputOptions = {}): Promise<OpenedInput> {
  if (isRemote(input)) {
    const { url } = remoteTarget(input);
    const opener = remoteOpener(input, opts);
    return withFailures(await openCheckpointOrIndex(await opener.open(url, input), (name) => opener.open(new URL(name, url).href, name)));
  }
  const local: SiblingOpener = (name) => openCliSource(name);
  if (statSync(input).isDirectory()) {
    const folder = await openModelFolder(input, (name) => local(join(input, name)));
    const configWarnings = folder.configProblem !== undefined ? [folder.configProblem] : checkAstConfig(folder.config, folder.index.tensors);
    const index = configWarnings.length ? { ...folder.index, warnings: [...folder.index.warnings, ...configWarnings] } : folder.index;
    return withFailures({ ...folder, index });
  }
  return withFailures(await openCheckpointOrIndex(await local(input), (name) => local(join(dirname(input), name))));
}

function withFailures<T extends OpenedCheckpoint>(opened: T): T & { failures: string[] } {
  const failures = (opened.shards ?? []).filter((s) => s.error !== undefined).map((s) => `shard ${s.file} ${s.missing ? 'is missing' : 'is unreadable'}: ${s.error}`);
  return { ...opened, failures };
}

/** Opens URLs in place; falls back to a temporary download when the server cannot do ranges. */
function remoteOpener(input: string, opts: InputOptions): { open(url: string, name: string): Promise<ByteSource> } {
  const { options } = remoteTarget(input);
  return {
    async open(url, name) {
      try {
        return await openHttpSource(name, url, options);
      } catch (err) {
        if (!(err instanceof RangeNotSupportedError)) throw err;
        if (opts.noDownload) throw new RangeNotSupportedError(name, 'the server does not support HTTP Range requests, and --no-download forbids downloading the whole file', err.status);
        process.stderr.write(`${basename(new URL(url).pathname)}: the server does not support HTTP Range requests; downloading the whole file to a temporary file\n`);
        return downloadToTempFile(name, url, options);
      }
    },
  };
}
