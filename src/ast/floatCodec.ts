import type { DType } from '../core/tensors/dtype';
import { bfloat16ToNumber, float16ToNumber } from '../core/tensors/decode';
import { ITEMSIZE } from '../core/tensors/dtypeInfo';

/** Float dtypes a converted model.safetensors may hold. */
export type FloatDType = 'float64' | 'float32' | 'float16' | 'bfloat16';

export function isFloatDType(d: DType): d is FloatDType {
  return d === 'float64' || d === 'float32' || d === 'float16' || d === 'bfloat16';
}

/** Little-endian bytes of `dtype` as float32 values (float64 rounds to nearest, as torch's .float()). */
export function toFloat32(bytes: Uint8Array, dtype: FloatDType): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.byteLength / ITEMSIZE[dtype];
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    switch (dtype) {
      case 'float32': out[i] = view.getFloat32(i * 4, true); break;
      case 'float64': out[i] = view.getFloat64(i * 8, true); break;
      case 'float16': out[i] = float16ToNumber(view.getUint16(i * 2, true)); break;
      case 'bfloat16': out[i] = bfloat16ToNumber(view.getUint16(i * 2, true)); break;
    }
  }
  return out;
}

/** float32 values as little-endian bytes of `dtype`, rounding to nearest even like torch's .to(). */
export function fromFloat32(values: Float32Array, dtype: FloatDType): Uint8Array {
  const out = new Uint8Array(values.length * ITEMSIZE[dtype]);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    switch (dtype) {
      case 'float32': view.setFloat32(i * 4, v, true); break;
      case 'float64': view.setFloat64(i * 8, v, true); break;
      case 'float16': view.setUint16(i * 2, floatToHalf(v), true); break;
      case 'bfloat16': view.setUint16(i * 2, floatToBfloat(v), true); break;
    }
  }
  return out;
}

/** Re-encodes `bytes` from one float dtype to another (identity when they are equal). */
export function convertFloatBytes(bytes: Uint8Array, from: FloatDType, to: FloatDType): Uint8Array {
  return from === to ? bytes : fromFloat32(toFloat32(bytes, from), to);
}

const scratch = new DataView(new ArrayBuffer(4));

function floatBits(v: number): number {
  scratch.setFloat32(0, v);
  return scratch.getUint32(0);
}

/** IEEE binary16 bits of a float32 value, round to nearest even, overflow to ±inf, NaN kept quiet. */
function floatToHalf(v: number): number {
  const bits = floatBits(v);
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    // Subnormal half: shift the full significand (implicit 1 included) and round the dropped bits.
    const m = mant | 0x800000;
    const shift = 14 - e;
    return sign | roundShift(m, shift);
  }
  // roundShift may carry into the exponent, which is the correct rounding up (even to inf).
  return sign | ((e << 10) + roundShift(mant, 13));
}

function floatToBfloat(v: number): number {
  const bits = floatBits(v);
  if ((bits & 0x7f800000) === 0x7f800000 && bits & 0x7fffff) return (bits >>> 16) | 0x40;
  return roundShift(bits, 16) & 0xffff;
}

/** value >> shift, rounded to nearest, ties to even. */
function roundShift(value: number, shift: number): number {
  const kept = Math.floor(value / 2 ** shift);
  const rest = value - kept * 2 ** shift;
  const half = 2 ** (shift - 1);
  return rest > half || (rest === half && (kept & 1) === 1) ? kept + 1 : kept;
}
