/** Tensor element types, spelled as torch prints them (`torch.float32` → `float32`). */
export type DType =
  | 'float64' | 'float32' | 'float16' | 'bfloat16'
  | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool'
  | 'complex64' | 'complex128'
  | 'float8_e4m3fn' | 'float8_e5m2'
  | 'qint8' | 'quint8' | 'qint32';
