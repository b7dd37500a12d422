import { CheckpointError } from '../errors';
import type { ByteSource } from '../io/byteSource';
import { contiguousStrides, ITEMSIZE } from './dtypeInfo';
import type { TensorInfo } from './tensorInfo';

export interface StreamOptions {
  /** Bytes per yielded chunk (rounded down to whole elements); the buffers' size, else 4 MiB, by default. */
  readonly chunkBytes?: number;
  readonly signal?: AbortSignal;
  /**
   * Buffers to recycle (when the source can read into one), shared by the streams of one consumer: each
   * yielded chunk is then only valid until the next is asked for, from this stream or the next one
   * using the same buffers. For consumers that write, hash or compare a chunk and drop it.
   */
  readonly buffers?: ChunkBuffers;
}

/** Two chunk buffers taken in turn: with one chunk read ahead, the one refilled is always the one let go of. */
export class ChunkBuffers {
  private readonly pair: [Uint8Array, Uint8Array];
  private turn = 0;

  constructor(readonly chunkBytes: number) {
    this.pair = [new Uint8Array(chunkBytes), new Uint8Array(chunkBytes)];
  }

  take(length: number): Uint8Array {
    return this.pair[this.turn++ % 2]!.subarray(0, length);
  }
}

const DEFAULT_CHUNK = 4 * 1024 * 1024;
/** readTensor holds the whole tensor in memory: larger ones are refused (a stride-0 view can claim terabytes). */
export const MAX_READ_BYTES = 2 ** 31;

/** Sparse tensors and values not stored as file bytes have no byte range to read (TensorInfo.unreadable says why). */
function refuseUnreadable(source: ByteSource, tensor: TensorInfo): void {
  if (tensor.unreadable !== undefined) throw new CheckpointError(source.name, `tensor ${tensor.name}: values not available: ${tensor.unreadable}`);
}

/** True when the view's elements lie in the storage in logical order, back to back. */
export function isContiguous(tensor: Pick<TensorInfo, 'shape' | 'stride'>): boolean {
  const expected = contiguousStrides(tensor.shape);
  return tensor.shape.every((n, d) => n <= 1 || tensor.stride[d] === expected[d]);
}

/**
 * One tensor's logical bytes, little-endian, in the order `tensor.contiguous()` holds them:
 * storage offset and arbitrary strides honoured. Memory is the tensor plus one read window.
 */
export async function readTensor(source: ByteSource, tensor: TensorInfo, signal?: AbortSignal): Promise<Uint8Array> {
  refuseUnreadable(source, tensor);
  if (tensor.numel === 0) return new Uint8Array(0);
  if (tensor.bytes > MAX_READ_BYTES) {
    throw new CheckpointError(source.name, `tensor ${tensor.name} is ${tensor.bytes} bytes, more than the ${MAX_READ_BYTES}-byte limit for reading it into memory`);
  }
  if (isContiguous(tensor)) {
    const out = await source.read(tensor.byteRange[0], tensor.bytes);
    return toLittleEndian(out, tensor);
  }
  return toLittleEndian(await gather(source, tensor, DEFAULT_CHUNK, signal), tensor);
}

/** The same bytes as readTensor, in chunks; contiguous tensors never hold more than one chunk. */
export async function* streamTensor(source: ByteSource, tensor: TensorInfo, opts: StreamOptions = {}): AsyncIterable<Uint8Array> {
  refuseUnreadable(source, tensor);
  const itemsize = ITEMSIZE[tensor.dtype];
  const wanted = opts.chunkBytes ?? opts.buffers?.chunkBytes ?? DEFAULT_CHUNK;
  const chunk = Math.max(itemsize, Math.floor(wanted / itemsize) * itemsize);
  if (!isContiguous(tensor)) {
    const all = await readTensor(source, tensor, opts.signal);
    for (let at = 0; at < all.length; at += chunk) yield all.subarray(at, at + chunk);
    return;
  }
  const readInto = source.readInto?.bind(source);
  const buffers = chunk <= (opts.buffers?.chunkBytes ?? 0) && readInto ? opts.buffers : undefined;
  const readChunk = (at: number): Promise<Uint8Array> => {
    const offset = tensor.byteRange[0] + at;
    const length = Math.min(chunk, tensor.bytes - at);
    const target = buffers?.take(length);
    const pending = readInto && target ? readInto(offset, target).then(() => target) : source.read(offset, length);
    // A consumer that stops early never awaits the read ahead: its failure must not surface as an unhandled rejection.
    pending.catch(() => undefined);
    return pending;
  };
  // One chunk read ahead: the next read runs (on libuv's pool) while the consumer hashes or writes this one.
  let next = tensor.bytes > 0 ? readChunk(0) : undefined;
  try {
    for (let at = 0; next !== undefined; at += chunk) {
      opts.signal?.throwIfAborted();
      const bytes = await next;
      next = at + chunk < tensor.bytes ? readChunk(at + chunk) : undefined;
      yield toLittleEndian(bytes, tensor);
    }
  } finally {
    // A consumer that stops early leaves a read ahead in flight; with shared buffers the next stream
    // must not get that buffer while the read still fills it.
    await next?.catch(() => undefined);
  }
}

/**
 * Non-contiguous views (transposed, sliced, expanded): walk the elements with the dims ordered
 * by decreasing stride, so storage offsets mostly increase and each storage window is read once;
 * each element lands at its row-major position in the output.
 */
async function gather(source: ByteSource, tensor: TensorInfo, windowBytes: number, signal?: AbortSignal): Promise<Uint8Array> {
  const itemsize = ITEMSIZE[tensor.dtype];
  // Copy whole elements as 16- or 32-bit units (element offsets are multiples of the unit).
  const unit = itemsize % 4 === 0 ? 4 : itemsize % 2 === 0 ? 2 : 1;
  const perElement = itemsize / unit;
  const out = new Uint8Array(tensor.bytes);
  const outUnits = asUnits(out, unit);
  const outStrides = contiguousStrides(tensor.shape);
  const dims = tensor.shape.map((_, d) => d).filter((d) => tensor.shape[d]! > 1);
  dims.sort((a, b) => tensor.stride[b]! - tensor.stride[a]! || a - b);
  const sizes = dims.map((d) => tensor.shape[d]!);
  const srcSteps = dims.map((d) => tensor.stride[d]! * perElement);
  const dstSteps = dims.map((d) => outStrides[d]! * perElement);
  const [rangeStart, rangeEnd] = tensor.byteRange;

  let window = asUnits(new Uint8Array(0), unit);
  let windowStart = 0; // in units from rangeStart
  const index = new Array<number>(dims.length).fill(0);
  let src = 0; // in units from rangeStart
  let dst = 0;
  for (let n = 0; n < tensor.numel; n++) {
    if (src < windowStart || src + perElement > windowStart + window.length) {
      signal?.throwIfAborted();
      windowStart = src;
      const from = rangeStart + src * unit;
      const bytes = await source.read(from, Math.min(Math.max(windowBytes, itemsize), rangeEnd - from));
      window = asUnits(bytes.byteOffset % unit === 0 ? bytes : bytes.slice(), unit);
    }
    const at = src - windowStart;
    for (let u = 0; u < perElement; u++) outUnits[dst + u] = window[at + u]!;
    // Odometer over the reordered dims, innermost (smallest stride) last.
    for (let k = dims.length - 1; k >= 0; k--) {
      if (++index[k]! < sizes[k]!) {
        src += srcSteps[k]!;
        dst += dstSteps[k]!;
        break;
      }
      index[k] = 0;
      src -= srcSteps[k]! * (sizes[k]! - 1);
      dst -= dstSteps[k]! * (sizes[k]! - 1);
    }
  }
  return out;
}

function asUnits(bytes: Uint8Array, unit: number): Uint8Array | Uint16Array | Uint32Array {
  const count = Math.floor(bytes.length / unit);
  if (unit === 4) return new Uint32Array(bytes.buffer, bytes.byteOffset, count);
  if (unit === 2) return new Uint16Array(bytes.buffer, bytes.byteOffset, count);
  return bytes;
}

/** Big-endian storages (rare: files from s390x) are swapped element by element (complex: per part). */
function toLittleEndian(bytes: Uint8Array, tensor: TensorInfo): Uint8Array {
  if (!tensor.storage.bigEndian) return bytes;
  const unit = tensor.dtype.startsWith('complex') ? ITEMSIZE[tensor.dtype] / 2 : ITEMSIZE[tensor.dtype];
  for (let at = 0; at + unit <= bytes.length; at += unit) bytes.subarray(at, at + unit).reverse();
  return bytes;
}
