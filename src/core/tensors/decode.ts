import type { DType } from './dtype';

/** IEEE half precision bits → number (subnormals, infinities and NaN included). */
export function float16ToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

const scratch = new DataView(new ArrayBuffer(4));

/** bfloat16 is the top half of a float32. */
export function bfloat16ToNumber(bits: number): number {
  scratch.setUint32(0, bits << 16, false);
  return scratch.getFloat32(0, false);
}

/** float8 e4m3fn: bias 7, no infinities, NaN only at S.1111.111. */
export function float8e4m3fnToNumber(bits: number): number {
  const sign = bits & 0x80 ? -1 : 1;
  const exponent = (bits >> 3) & 0xf;
  const fraction = bits & 0x7;
  if (exponent === 0xf && fraction === 0x7) return NaN;
  if (exponent === 0) return sign * fraction * 2 ** -9;
  return sign * (1 + fraction / 8) * 2 ** (exponent - 7);
}

/** float8 e5m2 is the top byte of a float16. */
export function float8e5m2ToNumber(bits: number): number {
  return float16ToNumber(bits << 8);
}

/** Every 16-bit pattern decoded once: statistics over float16/bfloat16 tensors are then a table lookup. */
let halfTable: Float32Array | undefined;
let brainTable: Float32Array | undefined;

function table(decode: (bits: number) => number): Float32Array {
  const out = new Float32Array(65536);
  for (let bits = 0; bits < 65536; bits++) out[bits] = decode(bits);
  return out;
}

function lookup16(bytes: Uint8Array, values: Float32Array): Float32Array {
  const out = new Float32Array(bytes.length >> 1);
  for (let i = 0, at = 0; i < out.length; i++, at += 2) out[i] = values[bytes[at]! | (bytes[at + 1]! << 8)]!;
  return out;
}

/**
 * The elements of little-endian tensor bytes as numbers (int64 rounded to the nearest double).
 * Complex dtypes have no single number per element and are refused.
 */
export function decodeValues(bytes: Uint8Array, dtype: DType): ArrayLike<number> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const aligned = (size: number) => bytes.byteOffset % size === 0 && bytes.length % size === 0;
  const mapBytes = (size: number, f: (at: number) => number): Float64Array => {
    const out = new Float64Array(Math.floor(bytes.length / size));
    for (let i = 0; i < out.length; i++) out[i] = f(i * size);
    return out;
  };
  switch (dtype) {
    case 'float64':
      return aligned(8) ? new Float64Array(bytes.buffer, bytes.byteOffset, bytes.length / 8) : mapBytes(8, (at) => view.getFloat64(at, true));
    case 'float32':
      return aligned(4) ? new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4) : mapBytes(4, (at) => view.getFloat32(at, true));
    case 'float16': return lookup16(bytes, (halfTable ??= table(float16ToNumber)));
    case 'bfloat16': return lookup16(bytes, (brainTable ??= table(bfloat16ToNumber)));
    case 'float8_e4m3fn': return mapBytes(1, (at) => float8e4m3fnToNumber(bytes[at]!));
    case 'float8_e5m2': return mapBytes(1, (at) => float8e5m2ToNumber(bytes[at]!));
    case 'int64': return mapBytes(8, (at) => Number(view.getBigInt64(at, true)));
    case 'int32': case 'qint32': return mapBytes(4, (at) => view.getInt32(at, true));
    case 'int16': return mapBytes(2, (at) => view.getInt16(at, true));
    case 'int8': case 'qint8': return mapBytes(1, (at) => view.getInt8(at));
    case 'uint8': case 'quint8': case 'bool': return bytes;
    case 'complex64': case 'complex128':
      throw new RangeError(`${dtype} values have no single number per element`);
  }
}
