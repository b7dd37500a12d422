/**
 * Python 2 → 3 module and name mapping, as pickle's fix_imports applies it, so that a global
 * named `__builtin__.eval` is classified as `builtins.eval` (the name Python would import).
 */
const MODULES: Readonly<Record<string, string>> = {
  __builtin__: 'builtins',
  copy_reg: 'copyreg',
  Queue: 'queue',
  SocketServer: 'socketserver',
  ConfigParser: 'configparser',
  repr: 'reprlib',
  tkFileDialog: 'tkinter.filedialog',
  Tkinter: 'tkinter',
  markupbase: '_markupbase',
  _winreg: 'winreg',
  thread: '_thread',
  dummy_thread: '_dummy_thread',
  dbhash: 'dbm.bsd',
  dumbdbm: 'dbm.dumb',
  dbm: 'dbm.ndbm',
  gdbm: 'dbm.gnu',
  xmlrpclib: 'xmlrpc.client',
  SimpleXMLRPCServer: 'xmlrpc.server',
  httplib: 'http.client',
  htmlentitydefs: 'html.entities',
  HTMLParser: 'html.parser',
  Cookie: 'http.cookies',
  cookielib: 'http.cookiejar',
  BaseHTTPServer: 'http.server',
  SimpleHTTPServer: 'http.server',
  CGIHTTPServer: 'http.server',
  commands: 'subprocess',
  UserString: 'collections',
  UserList: 'collections',
  UserDict: 'collections',
  urlparse: 'urllib.parse',
  robotparser: 'urllib.robotparser',
  urllib2: 'urllib.request',
  anydbm: 'dbm',
  StringIO: 'io',
  cStringIO: 'io',
  cPickle: 'pickle',
  exceptions: 'builtins',
};

const NAMES: Readonly<Record<string, readonly [string, string]>> = {
  '__builtin__.xrange': ['builtins', 'range'],
  '__builtin__.reduce': ['functools', 'reduce'],
  '__builtin__.intern': ['sys', 'intern'],
  '__builtin__.unichr': ['builtins', 'chr'],
  '__builtin__.unicode': ['builtins', 'str'],
  '__builtin__.long': ['builtins', 'int'],
  '__builtin__.basestring': ['builtins', 'str'],
  'itertools.izip': ['builtins', 'zip'],
  'itertools.imap': ['builtins', 'map'],
  'itertools.ifilter': ['builtins', 'filter'],
  'UserDict.UserDict': ['collections', 'UserDict'],
  'UserDict.IterableUserDict': ['collections', 'UserDict'],
  'UserList.UserList': ['collections', 'UserList'],
  'UserString.UserString': ['collections', 'UserString'],
  'whichdb.whichdb': ['dbm', 'whichdb'],
  'commands.getoutput': ['subprocess', 'getoutput'],
  'commands.getstatusoutput': ['subprocess', 'getstatusoutput'],
};

export function pythonThreeName(module: string, name: string): [string, string] {
  const renamed = NAMES[`${module}.${name}`];
  if (renamed) return [renamed[0], renamed[1]];
  return [MODULES[module] ?? module, name];
}
