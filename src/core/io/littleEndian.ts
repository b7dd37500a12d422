/** Little-endian integer fields of binary headers (zip records, safetensors, legacy torch). */
export function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function u16(bytes: Uint8Array, at: number): number {
  return view(bytes).getUint16(at, true);
}

export function u32(bytes: Uint8Array, at: number): number {
  return view(bytes).getUint32(at, true);
}

/** A 64-bit field as a JS number; undefined when it does not fit exactly (no real file is that large). */
export function u64(bytes: Uint8Array, at: number): number | undefined {
  const value = view(bytes).getBigUint64(at, true);
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : undefined;
}
