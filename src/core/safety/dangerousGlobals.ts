/**
 * Globals known to run code, spawn processes, touch files or the network, or reach arbitrary
 * attributes. Whole modules match with their submodules. Includes the modules public pickle
 * scanner bypasses use because denylists forgot them (cProfile, pdb, timeit, _thread, ctypes…).
 */
const DANGEROUS_MODULES = [
  'os', 'posix', 'nt', 'subprocess', '_posixsubprocess', 'sys', 'socket', 'shutil', 'pty', 'webbrowser',
  'pickle', '_pickle', 'marshal', 'shelve', 'dill', 'code', 'codeop', 'runpy', 'importlib', 'zipimport', 'pkgutil',
  'cProfile', 'profile', 'pdb', 'bdb', 'timeit', 'trace', 'doctest', '_thread', 'threading', 'multiprocessing',
  'ctypes', '_ctypes', 'signal', 'asyncio', 'logging.config', 'http', 'urllib', 'ftplib', 'smtplib', 'telnetlib',
  'xmlrpc', 'tempfile', 'io', '_io', 'fcntl', 'resource', 'site', 'sysconfig', 'ensurepip',
  'venv', 'distutils', 'setuptools', 'pip', 'idlelib', 'tkinter', 'torch.hub', 'torch._C._jit', 'torch.ops', 'torch.classes', 'numpy.testing', 'numpy.f2py', 'numpy.distutils',
];

const DANGEROUS_NAMES = new Set([
  'builtins.eval', 'builtins.exec', 'builtins.compile', 'builtins.__import__', 'builtins.getattr',
  'builtins.setattr', 'builtins.delattr', 'builtins.open', 'builtins.breakpoint',
  'builtins.globals', 'builtins.locals', 'builtins.vars', 'builtins.execfile', 'builtins.file', 'builtins.apply',
  'operator.attrgetter', 'operator.methodcaller', 'operator.getitem', 'functools.partial', 'functools.reduce',
  'types.FunctionType', 'types.CodeType', 'types.MethodType', 'types.ModuleType',
  'torch.load', 'torch.save', 'torch.jit.load', 'numpy.load', 'numpy.save', 'numpy.fromfile', 'numpy.memmap',
]);

export function dangerousReason(fullName: string): string | undefined {
  if (DANGEROUS_NAMES.has(fullName)) return `${fullName} can run code or reach arbitrary objects when called`;
  const module = DANGEROUS_MODULES.find((m) => fullName.startsWith(`${m}.`));
  if (module !== undefined) return `module ${module} can run code, spawn processes or touch files`;
  return undefined;
}
