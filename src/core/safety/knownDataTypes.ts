/**
 * Globals outside torch's weights-only allowlist that only rebuild plain data: containers, paths, numbers,
 * numpy arrays and dtypes, config objects. Allowing them with `torch.serialization.add_safe_globals` lets
 * weights_only loading accept the file without letting it run code. Anything not here (a user's own class, a
 * library function) is unknown code: it may be harmless, but nothing in the file proves it. Exact names only:
 * an attribute walked from one of these (`argparse.Namespace.__init__`) is not the data type.
 */
const NAMES = [
  'argparse.Namespace',
  'collections.defaultdict', 'collections.deque', 'collections.Counter', 'collections.ChainMap',
  'pathlib.Path', 'pathlib.PosixPath', 'pathlib.WindowsPath', 'pathlib.PurePath', 'pathlib.PurePosixPath', 'pathlib.PureWindowsPath',
  'datetime.datetime', 'datetime.date', 'datetime.time', 'datetime.timedelta', 'datetime.timezone',
  'decimal.Decimal', 'fractions.Fraction', 'typing.Any',
  'builtins.dict', 'builtins.list', 'builtins.tuple', 'builtins.int', 'builtins.float', 'builtins.complex',
  'builtins.str', 'builtins.bytes', 'builtins.bool', 'builtins.slice', 'builtins.range', 'builtins.object',
  'numpy.ndarray', 'numpy.dtype', 'numpy.core.multiarray._reconstruct', 'numpy._core.multiarray._reconstruct',
  'numpy.core.multiarray.scalar', 'numpy._core.multiarray.scalar',
  'numpy.core.numeric._frombuffer', 'numpy._core.numeric._frombuffer',
  'omegaconf.dictconfig.DictConfig', 'omegaconf.listconfig.ListConfig', 'omegaconf.base.ContainerMetadata',
  'omegaconf.base.Metadata', 'omegaconf.nodes.AnyNode', 'omegaconf.nodes.StringNode', 'omegaconf.nodes.IntegerNode',
  'omegaconf.nodes.FloatNode', 'omegaconf.nodes.BooleanNode', 'omegaconf.nodes.EnumNode', 'omegaconf.nodes.BytesNode',
  'omegaconf.nodes.PathNode',
];

/** numpy 1.25+ dtype classes (`numpy.dtypes.Float32DType`): data, like numpy.dtype. */
const NUMPY_DTYPE_CLASS = /^numpy\.dtypes\.[A-Za-z0-9]+DType$/;

const KNOWN = new Set(NAMES);

export function isKnownDataType(fullName: string): boolean {
  return KNOWN.has(fullName) || NUMPY_DTYPE_CLASS.test(fullName);
}
