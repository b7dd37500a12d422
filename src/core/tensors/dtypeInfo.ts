import type { DType } from './dtype';

/** Bytes per element. */
export const ITEMSIZE: Readonly<Record<DType, number>> = {
  float64: 8, float32: 4, float16: 2, bfloat16: 2,
  int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, bool: 1,
  complex64: 8, complex128: 16,
  float8_e4m3fn: 1, float8_e5m2: 1,
  qint8: 1, quint8: 1, qint32: 4,
};

/** safetensors dtype codes, and the torch names they mean. */
export const SAFETENSORS_DTYPES: Readonly<Record<string, DType>> = {
  F64: 'float64', F32: 'float32', F16: 'float16', BF16: 'bfloat16',
  I64: 'int64', I32: 'int32', I16: 'int16', I8: 'int8', U8: 'uint8', BOOL: 'bool',
  C64: 'complex64', C128: 'complex128', F8_E4M3: 'float8_e4m3fn', F8_E5M2: 'float8_e5m2',
};

/** Row-major strides of a contiguous tensor of this shape, in elements. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let step = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = step;
    step *= shape[d]!;
  }
  return strides;
}

export function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
