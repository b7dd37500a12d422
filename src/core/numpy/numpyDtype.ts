import type { DType } from '../tensors/dtype';

/** numpy type codes (kind + item size) that have a torch dtype of the same bits. */
const BY_CODE: Readonly<Record<string, DType>> = {
  f2: 'float16', f4: 'float32', f8: 'float64', i1: 'int8', i2: 'int16', i4: 'int32', i8: 'int64',
  u1: 'uint8', b1: 'bool', c8: 'complex64', c16: 'complex128',
};

/** A numpy dtype as the file spells it: `<f4` in an .npy header, or `f4` with the byte order apart (pickled numpy.dtype). */
export interface NumpyDtype {
  /** The code as written, for messages (`<u2`, `|O`, `<U5`). */
  readonly descr: string;
  /** Undefined for dtypes without a torch equivalent (unsigned 16–64 bit, strings, records, datetimes, objects). */
  readonly dtype?: DType;
  readonly bigEndian: boolean;
  /** Python objects: the data is a pickle, not raw bytes. */
  readonly isObject: boolean;
}

export function numpyDtype(code: string, byteOrder = code[0] ?? '='): NumpyDtype {
  const bare = /^[<>|=]/.test(code) ? code.slice(1) : code;
  const bigEndian = byteOrder === '>';
  return {
    descr: code,
    ...(Object.hasOwn(BY_CODE, bare) ? { dtype: BY_CODE[bare] } : {}),
    bigEndian: bigEndian && !bare.endsWith('1'),
    isObject: bare.startsWith('O'),
  };
}
