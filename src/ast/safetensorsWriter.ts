import type { FloatDType } from './floatCodec';
import type { OutputFile } from './outputSink';

const SAFETENSORS_DTYPE: Record<FloatDType, string> = { float64: 'F64', float32: 'F32', float16: 'F16', bfloat16: 'BF16' };

export interface SafetensorsEntry {
  readonly name: string;
  readonly dtype: FloatDType;
  readonly shape: readonly number[];
  readonly byteLength: number;
}

/**
 * The 8-byte length + JSON header for `entries` laid out back to back in the given order.
 * The JSON is padded with spaces so tensor data starts 8-byte aligned, as the safetensors
 * writers do (lets readers map F64/I64 data without copying).
 */
export function safetensorsHeader(entries: readonly SafetensorsEntry[], metadata: Readonly<Record<string, string>>): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const e of entries) {
    header[e.name] = { dtype: SAFETENSORS_DTYPE[e.dtype], shape: e.shape, data_offsets: [offset, offset + e.byteLength] };
    offset += e.byteLength;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded).fill(0x20, 8);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  return out;
}

/** Pieces up to this size are gathered and written together (biases and norms: ~120 per SSAST-Base model). */
const SMALL_PIECE = 256 * 1024;
const GATHER_BYTES = 1024 * 1024;

/**
 * Appends a header and then each tensor's bytes, checking each against its declared length. Small
 * pieces are copied into one buffer and written together: a write per 3 KB bias would cost a
 * thread-pool round trip each. `finish` writes what is gathered and checks every tensor came.
 */
export class SafetensorsWriter {
  private position = 0;
  private next = 0;
  private readonly gathered = new Uint8Array(GATHER_BYTES);
  private gatheredLength = 0;

  constructor(private readonly file: OutputFile, private readonly entries: readonly SafetensorsEntry[]) {}

  async writeHeader(metadata: Readonly<Record<string, string>>): Promise<void> {
    await this.append(safetensorsHeader(this.entries, metadata));
  }

  /** The next entry's bytes, in the order the header lists them, as one buffer or a stream of chunks. */
  async writeTensor(chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<void> {
    const entry = this.entries[this.next];
    if (!entry) throw new Error('safetensors writer: more tensors than declared');
    let written = 0;
    for await (const chunk of chunks) {
      if (written + chunk.byteLength > entry.byteLength) throw new Error(`safetensors writer: ${entry.name} has more than the declared ${entry.byteLength} bytes`);
      await this.append(chunk);
      written += chunk.byteLength;
    }
    if (written !== entry.byteLength) throw new Error(`safetensors writer: ${entry.name} has ${written} bytes, declared ${entry.byteLength}`);
    this.next++;
  }

  async finish(): Promise<void> {
    const missing = this.entries[this.next];
    if (missing) throw new Error(`safetensors writer: ${missing.name} and ${this.entries.length - this.next - 1} more declared but not written`);
    await this.flush();
  }

  /** Copies small pieces (so callers may reuse their buffers at once); writes big ones directly. */
  private async append(bytes: Uint8Array): Promise<void> {
    if (bytes.byteLength <= SMALL_PIECE) {
      if (this.gatheredLength + bytes.byteLength > GATHER_BYTES) await this.flush();
      this.gathered.set(bytes, this.gatheredLength);
      this.gatheredLength += bytes.byteLength;
      return;
    }
    await this.flush();
    await this.writeAt(bytes);
  }

  private async flush(): Promise<void> {
    const length = this.gatheredLength;
    this.gatheredLength = 0;
    if (length > 0) await this.writeAt(this.gathered.subarray(0, length));
  }

  private async writeAt(bytes: Uint8Array): Promise<void> {
    let done = 0;
    while (done < bytes.byteLength) {
      done += await this.file.write(bytes.subarray(done), this.position + done);
    }
    this.position += bytes.byteLength;
  }
}
