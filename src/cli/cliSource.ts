// How the CLI opens checkpoints: a short-lived process, so opening and small metadata reads (zip local headers,
// data.pkl) are synchronous; a promise round trip per 30-byte header costs more than the read (see FileSourceOptions).
import type { ByteSource } from '../core/io/byteSource';
import { openFileSource } from '../node/nodeFileSource';

const SYNC_READS_UP_TO = 64 * 1024;

export function openCliSource(path: string): Promise<ByteSource> {
  return openFileSource(path, { syncReadsUpTo: SYNC_READS_UP_TO });
}
