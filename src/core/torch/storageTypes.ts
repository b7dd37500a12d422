import type { DType } from '../tensors/dtype';

/** torch.<Name>Storage → dtype; UntypedStorage holds raw bytes. */
const BY_STORAGE_NAME: Readonly<Record<string, DType>> = {
  DoubleStorage: 'float64', FloatStorage: 'float32', HalfStorage: 'float16', BFloat16Storage: 'bfloat16',
  LongStorage: 'int64', IntStorage: 'int32', ShortStorage: 'int16', CharStorage: 'int8', ByteStorage: 'uint8',
  BoolStorage: 'bool', ComplexFloatStorage: 'complex64', ComplexDoubleStorage: 'complex128',
  QInt8Storage: 'qint8', QUInt8Storage: 'quint8', QInt32Storage: 'qint32',
  Float8_e4m3fnStorage: 'float8_e4m3fn', Float8_e5m2Storage: 'float8_e5m2',
  UntypedStorage: 'uint8',
};

/** dtype of a storage class named by a pickle (`torch.FloatStorage`, `torch.cuda.HalfStorage`, `torch.storage.UntypedStorage`). */
export function storageDtype(module: string, name: string): DType | undefined {
  if (module !== 'torch' && module !== 'torch.cuda' && module !== 'torch.storage') return undefined;
  // Own properties only: a pickle naming `torch.constructor` must not reach Object.prototype.
  return Object.hasOwn(BY_STORAGE_NAME, name) ? BY_STORAGE_NAME[name] : undefined;
}

/** torch.float32 etc., as `_rebuild_tensor_v3` names the dtype. */
const BY_DTYPE_NAME: Readonly<Record<string, DType>> = {
  float64: 'float64', double: 'float64', float32: 'float32', float: 'float32', float16: 'float16', half: 'float16',
  bfloat16: 'bfloat16', int64: 'int64', long: 'int64', int32: 'int32', int: 'int32', int16: 'int16', short: 'int16',
  int8: 'int8', uint8: 'uint8', bool: 'bool', complex64: 'complex64', complex128: 'complex128',
  float8_e4m3fn: 'float8_e4m3fn', float8_e5m2: 'float8_e5m2', qint8: 'qint8', quint8: 'quint8', qint32: 'qint32',
};

export function torchDtype(module: string, name: string): DType | undefined {
  return module === 'torch' && Object.hasOwn(BY_DTYPE_NAME, name) ? BY_DTYPE_NAME[name] : undefined;
}
