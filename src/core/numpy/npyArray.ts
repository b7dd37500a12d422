import type { MetaValue } from '../checkpointIndex';
import { NumpyFormatError } from '../errors';
import { u16, u32 } from '../io/littleEndian';
import { arrayMeta, fortranStrides } from './arrayShape';
import { contiguousStrides, ITEMSIZE, product } from '../tensors/dtypeInfo';
import type { TensorInfo } from '../tensors/tensorInfo';
import { numpyDtype } from './numpyDtype';
import { parsePythonLiteral, type PyLiteral } from './pythonLiteral';

export const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Real headers are a few hundred bytes; numpy itself refuses to read more than 10 000 by default. */
const MAX_HEADER = 1024 * 1024;

export function isNpy(head: Uint8Array): boolean {
  return NPY_MAGIC.every((b, i) => head[i] === b);
}

/** What an .npy header says, and where its data starts (relative to the start of the .npy). */
export interface NpyHeader {
  readonly descr: string;
  readonly fortranOrder: boolean;
  readonly shape: readonly number[];
  readonly dataOffset: number;
}

/**
 * The header of an .npy (NEP 1): magic, version major/minor, header length (2 bytes little-endian in 1.0,
 * 4 in 2.0 and 3.0), then a Python dict literal (latin-1, UTF-8 from 3.0) with descr, fortran_order and shape.
 * `read(offset, length)` reads the .npy's own bytes (a file, or an entry of an .npz).
 */
export async function readNpyHeader(file: string, size: number, read: (offset: number, length: number) => Promise<Uint8Array>, where: { entry?: string } = {}): Promise<NpyHeader> {
  const fail = (problem: string, offset = 0): never => {
    throw new NumpyFormatError(file, problem, { ...where, offset });
  };
  if (size < 10) fail(`.npy is ${size} bytes, shorter than its fixed header`);
  const head = await read(0, 12 <= size ? 12 : 10);
  if (!isNpy(head)) fail('not an .npy: the magic string \\x93NUMPY is missing');
  const major = head[6]!;
  if (major < 1 || major > 3) fail(`.npy format version ${major}.${head[7]} is not one of 1.0, 2.0, 3.0`, 6);
  const lengthSize = major === 1 ? 2 : 4;
  if (8 + lengthSize > size) fail('.npy ends inside its header length', 8);
  const length = major === 1 ? u16(head, 8) : u32(head, 8);
  const start = 8 + lengthSize;
  if (length > MAX_HEADER) fail(`.npy header of ${length} bytes is larger than the ${MAX_HEADER}-byte limit`, 8);
  if (start + length > size) fail(`.npy header of ${length} bytes runs past the end (${size} bytes)`, 8);
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(await read(start, length));
  let literal: PyLiteral;
  try {
    literal = parsePythonLiteral(text);
  } catch (err) {
    return fail(`.npy header is not a Python dict literal (${(err as Error).message})`, start);
  }
  if (!(literal instanceof Map)) return fail('.npy header is not a dict', start);
  const descr = literal.get('descr');
  const fortran = literal.get('fortran_order');
  const shape = literal.get('shape');
  if (typeof fortran !== 'boolean') fail('.npy header has no boolean fortran_order', start);
  if (!Array.isArray(shape) || !shape.every((n) => Number.isSafeInteger(n) && (n as number) >= 0)) fail('.npy header shape is not a tuple of non-negative integers', start);
  // Structured dtypes are a list of fields: named by their Python spelling.
  const code = typeof descr === 'string' ? descr : Array.isArray(descr) ? 'structured' : fail('.npy header has no descr', start);
  return { descr: code, fortranOrder: fortran as boolean, shape: shape as number[], dataOffset: start + length };
}

/** What one .npy holds: a tensor, or (object arrays, dtypes without a torch equivalent) a metadata entry only. */
export type NpyContent =
  | { readonly kind: 'tensor'; readonly tensor: TensorInfo }
  | { readonly kind: 'other'; readonly meta: MetaValue; readonly isObject: boolean; readonly dataOffset: number };

/** The TensorInfo of an .npy whose data starts at `base + header.dataOffset` in the file (`unreadable`: compressed npz). */
export function npyContent(file: string, name: string, header: NpyHeader, base: number, size: number, unreadable?: string): NpyContent {
  const described = numpyDtype(header.descr);
  const numel = product(header.shape);
  if (described.isObject) return { kind: 'other', meta: arrayMeta(header.shape, header.descr, 'object array: its elements are a pickle, scanned, not run'), isObject: true, dataOffset: header.dataOffset };
  if (described.dtype === undefined) {
    return { kind: 'other', meta: arrayMeta(header.shape, header.descr, 'dtype without a torch equivalent; not listed as a tensor'), isObject: false, dataOffset: header.dataOffset };
  }
  const dtype = described.dtype;
  const bytes = numel * ITEMSIZE[dtype];
  if (!Number.isSafeInteger(bytes) || (unreadable === undefined && header.dataOffset + bytes > size)) {
    throw new NumpyFormatError(file, `array ${name} (${header.descr} [${header.shape.join(', ')}]) needs ${bytes} bytes of data, more than the ${size - header.dataOffset} after its header`, { offset: base + header.dataOffset });
  }
  const byteStart = base + header.dataOffset;
  return {
    kind: 'tensor',
    tensor: {
      name, path: [name], dtype, shape: header.shape,
      stride: header.fortranOrder ? fortranStrides(header.shape) : contiguousStrides(header.shape), storageOffset: 0,
      storage: { key: name, dtype, numel, byteStart, byteLength: bytes, ...(described.bigEndian ? { bigEndian: true } : {}) },
      numel, bytes, byteRange: [byteStart, byteStart + bytes],
      ...(header.fortranOrder ? { layout: 'Fortran order' } : {}),
      ...(unreadable === undefined ? {} : { unreadable }),
    },
  };
}
