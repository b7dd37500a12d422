/** Little-endian integer fields of binary headers (zip records, safetensors, legacy torch), read straight from the bytes. */
export function u16(bytes: Uint8Array, at: number): number {
  return bytes[at]! | (bytes[at + 1]! << 8);
}

export function u32(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}

/** A 64-bit field as a JS number; undefined when it does not fit exactly (no real file is that large). */
export function u64(bytes: Uint8Array, at: number): number | undefined {
  const high = u32(bytes, at + 4);
  return high < 0x200000 ? high * 0x100000000 + u32(bytes, at) : undefined;
}
