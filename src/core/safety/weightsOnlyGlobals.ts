/**
 * Globals that `torch.load(weights_only=True)` accepts (torch 1.13 through 2.x): a pickle naming
 * only these is safe to load. Names are `module.name` after Python 2 mapping.
 */
const STORAGE_NAMES = [
  'Double', 'Float', 'Half', 'BFloat16', 'Long', 'Int', 'Short', 'Char', 'Byte', 'Bool',
  'ComplexDouble', 'ComplexFloat', 'QUInt8', 'QInt8', 'QInt32', 'QUInt4x2', 'QUInt2x4',
];

const DTYPE_NAMES = [
  'complex32', 'complex64', 'complex128', 'float16', 'float32', 'float64', 'bfloat16',
  'int8', 'int16', 'int32', 'int64', 'uint8', 'bool', 'float8_e4m3fn', 'float8_e5m2',
];

const REBUILD_FUNCTIONS = [
  '_rebuild_parameter', '_rebuild_parameter_with_state', '_rebuild_tensor', '_rebuild_tensor_v2',
  '_rebuild_tensor_v3', '_rebuild_sparse_tensor', '_rebuild_meta_tensor_no_storage',
  '_rebuild_sparse_csr_tensor', '_rebuild_qtensor', '_rebuild_wrapper_subclass', '_rebuild_nested_tensor',
];

export const WEIGHTS_ONLY_GLOBALS: ReadonlySet<string> = new Set([
  'collections.OrderedDict',
  'torch.nn.parameter.Parameter',
  'torch.serialization._get_layout',
  'torch.Size',
  'torch.Tensor',
  'torch.device',
  'torch.storage.TypedStorage',
  'torch.storage.UntypedStorage',
  'torch.UntypedStorage',
  'torch._tensor._rebuild_from_type_v2',
  'torch.per_tensor_affine',
  'torch.per_channel_affine',
  'torch.strided',
  'torch.sparse_coo',
  '_codecs.encode',
  'builtins.set',
  'builtins.frozenset',
  'builtins.bytearray',
  ...STORAGE_NAMES.flatMap((s) => [`torch.${s}Storage`, `torch.cuda.${s}Storage`]),
  ...STORAGE_NAMES.flatMap((s) => [`torch.${s}Tensor`, `torch.cuda.${s}Tensor`]),
  ...DTYPE_NAMES.map((d) => `torch.${d}`),
  ...REBUILD_FUNCTIONS.map((f) => `torch._utils.${f}`),
]);
