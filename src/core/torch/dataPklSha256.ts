import type { ByteSource } from '../io/byteSource';
import { isJoinedSource } from '../io/concatSource';
import { openZip } from '../zip/zipArchive';
import { findDataPkl, MAX_DATA_PKL } from './zipCheckpoint';

/**
 * sha256 hex of a torch zip's `data.pkl` entry, which names the pickle converted weights came from;
 * undefined for other formats and for sharded sources (each .bin shard has its own data.pkl; none names the
 * whole). `sha256` hashes bytes (the core has no hashing of its own).
 */
export async function sourceDataPklSha256(source: ByteSource, sha256: (bytes: Uint8Array) => Promise<string>): Promise<string | undefined> {
  if (isJoinedSource(source)) return undefined;
  const archive = await openZip(source);
  const dataPkl = archive && findDataPkl(archive);
  if (!archive || !dataPkl) return undefined;
  const bytes = await archive.readEntry(dataPkl, MAX_DATA_PKL);
  return sha256(bytes);
}
