import type { ByteSource } from '../core/io/byteSource';
import type { TensorInfo } from '../core/tensors/tensorInfo';
import { streamTensor } from '../core/tensors/tensorReader';

/** sha256 hex of the tensor's contiguous little-endian bytes (what `t.contiguous()` holds). */
export async function tensorSha256(source: ByteSource, tensor: TensorInfo, signal?: AbortSignal): Promise<string> {
  // Loaded here, not at the top: listing (which never hashes) then starts without node:crypto.
  const { createHash } = await import('node:crypto');
  const hash = createHash('sha256');
  for await (const chunk of streamTensor(source, tensor, { signal })) hash.update(chunk);
  return hash.digest('hex');
}
