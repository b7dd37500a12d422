import type { ByteSource } from '../io/byteSource';
import { u16, u32, u64 } from '../io/littleEndian';
import { ZipFormatError } from '../errors';

/** Where the central directory is, from the end-of-central-directory record (ZIP64 aware). */
export interface CentralDirectoryLocation {
  readonly entryCount: number;
  readonly offset: number;
  readonly size: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_LOCATOR_SIZE = 20;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const ZIP64_EOCD_SIZE = 56;

/** Offset of the end-of-central-directory record, or undefined when the file does not end like a zip. */
export async function findEndOfCentralDirectory(source: ByteSource): Promise<number | undefined> {
  // Archives without a comment (torch's) end with the record: a short tail finds it; a long comment needs the full one.
  return (await searchTail(source, EOCD_SIZE + 1024)) ?? (await searchTail(source, EOCD_SIZE + MAX_COMMENT));
}

async function searchTail(source: ByteSource, maxLength: number): Promise<number | undefined> {
  const tailLength = Math.min(source.size, maxLength);
  if (tailLength < EOCD_SIZE) return undefined;
  const tailStart = source.size - tailLength;
  const tail = await source.read(tailStart, tailLength);
  // Search backwards: the record is last, followed only by its comment, whose length it states.
  for (let at = tailLength - EOCD_SIZE; at >= 0; at--) {
    if (u32(tail, at) === EOCD_SIGNATURE && at + EOCD_SIZE + u16(tail, at + 20) === tailLength) return tailStart + at;
  }
  return undefined;
}

export async function readCentralDirectoryLocation(source: ByteSource, eocdOffset: number): Promise<CentralDirectoryLocation> {
  const eocd = await source.read(eocdOffset, EOCD_SIZE);
  let entryCount = u16(eocd, 10);
  let size = u32(eocd, 12);
  let offset = u32(eocd, 16);
  if (u16(eocd, 4) !== 0 || u16(eocd, 6) !== 0) {
    throw new ZipFormatError(source.name, 'multi-disk zip archives are not supported', { offset: eocdOffset });
  }
  if (eocdOffset >= ZIP64_LOCATOR_SIZE) {
    const locator = await source.read(eocdOffset - ZIP64_LOCATOR_SIZE, ZIP64_LOCATOR_SIZE);
    if (u32(locator, 0) === ZIP64_LOCATOR_SIGNATURE) {
      ({ entryCount, size, offset } = await readZip64Record(source, locator, eocdOffset - ZIP64_LOCATOR_SIZE));
    }
  }
  if (offset + size > eocdOffset) {
    throw new ZipFormatError(
      source.name,
      `corrupt zip: central directory (${size} bytes at byte ${offset}) runs past the end-of-central-directory record`,
      { offset: eocdOffset },
    );
  }
  return { entryCount, offset, size };
}

async function readZip64Record(source: ByteSource, locator: Uint8Array, locatorOffset: number): Promise<CentralDirectoryLocation> {
  const recordOffset = u64(locator, 8);
  if (recordOffset === undefined || recordOffset + ZIP64_EOCD_SIZE > locatorOffset) {
    throw new ZipFormatError(source.name, 'corrupt zip: ZIP64 locator points outside the file', { offset: locatorOffset });
  }
  const record = await source.read(recordOffset, ZIP64_EOCD_SIZE);
  if (u32(record, 0) !== ZIP64_EOCD_SIGNATURE) {
    throw new ZipFormatError(source.name, 'corrupt zip: no ZIP64 end-of-central-directory record where the locator points', { offset: recordOffset });
  }
  const entryCount = u64(record, 32);
  const size = u64(record, 40);
  const offset = u64(record, 48);
  if (entryCount === undefined || size === undefined || offset === undefined) {
    throw new ZipFormatError(source.name, 'corrupt zip: ZIP64 record sizes are out of range', { offset: recordOffset });
  }
  return { entryCount, size, offset };
}
