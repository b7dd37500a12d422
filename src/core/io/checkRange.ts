/** Shared by every ByteSource: reject ranges outside the file instead of short-reading. */
export function checkRange(name: string, size: number, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
    throw new RangeError(`${name}: read of ${length} bytes at byte ${offset} is outside the file (${size} bytes)`);
  }
}
