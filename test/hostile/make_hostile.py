#!/usr/bin/python3
"""Writes the hostile checkpoint corpus into OUT_DIR (a temp folder: nothing here is committed).

    /usr/bin/python3 test/hostile/make_hostile.py OUT_DIR        # corpus + OUT_DIR/manifest.json
    /usr/bin/python3 test/hostile/make_hostile.py --prove OUT_DIR [NAME ...]
        # loads the live/ copies (all, or those whose file name is given) as a victim would

Every payload pickle tries to create a sentinel file. Pickles are assembled opcode by opcode (not by
pickle.dumps) so each protocol 0-5 can use GLOBAL, STACK_GLOBAL, INST or OBJ, including opcodes Python
itself would not emit at that protocol; pickle.loads and torch.load accept them all. Each payload is
wrapped three ways: a raw pickle, a torch zip (data.pkl next to a real float storage) and a torch legacy
file. A second copy of each, under live/, aims at its own sentinel so --prove can show the payload runs
under pickle.load / torch.load without disturbing the copy our reader is tested on.

manifest.json: [{file, container, payload, opcode, protocol, global, sentinel, live}], where `global` is
the name (Python 3 spelling, as our reader reports it) that must be flagged.
"""
import json
import os
import struct
import sys
import zlib

# ---------------------------------------------------------------- pickle assembly


class Call:
    """callee(*args) in the pickle: callee is a Global or another Call."""

    def __init__(self, callee, *args):
        self.callee = callee
        self.args = args


class Global:
    def __init__(self, module, name):
        self.module = module
        self.name = name


class Raw:
    """Opcode bytes written as they are (tensor rebuilds, persistent ids)."""

    def __init__(self, emit):
        self.emit = emit


class Pickler:
    def __init__(self, protocol, opcode='GLOBAL'):
        self.protocol = protocol
        self.opcode = opcode
        self.out = bytearray()

    def string(self, text):
        data = text.encode('utf-8')
        if self.protocol == 0:
            self.out += b'V' + text.encode('raw_unicode_escape') + b'\n'
        elif self.protocol >= 4 and len(data) < 256:
            self.out += b'\x8c' + bytes([len(data)]) + data
        else:
            self.out += b'X' + struct.pack('<I', len(data)) + data

    def int(self, n):
        if self.protocol == 0:
            self.out += b'I%d\n' % n
        else:
            self.out += b'J' + struct.pack('<i', n)

    def bool(self, b):
        if self.protocol >= 2:
            self.out += b'\x88' if b else b'\x89'
        else:
            self.out += b'I01\n' if b else b'I00\n'

    def bytes(self, data):
        if self.protocol >= 3:
            self.out += b'C' + bytes([len(data)]) + data
        else:  # protocol 2 spelling of bytes, as torch writes them
            self.value(Call(Global('_codecs', 'encode'), data.decode('latin1'), 'latin1'))

    def global_(self, g):
        if self.opcode == 'STACK_GLOBAL':
            self.string(g.module)
            self.string(g.name)
            self.out += b'\x93'
        else:
            self.out += b'c' + g.module.encode() + b'\n' + g.name.encode() + b'\n'

    def tuple(self, items):
        self.out += b'('
        for item in items:
            self.value(item)
        self.out += b't'

    def call(self, c):
        # INST and OBJ name and call the global in one step (only for a plain global callee).
        if self.opcode == 'INST' and isinstance(c.callee, Global):
            self.out += b'('
            for a in c.args:
                self.value(a)
            self.out += b'i' + c.callee.module.encode() + b'\n' + c.callee.name.encode() + b'\n'
        elif self.opcode == 'OBJ' and isinstance(c.callee, Global):
            self.out += b'('
            self.out += b'c' + c.callee.module.encode() + b'\n' + c.callee.name.encode() + b'\n'
            for a in c.args:
                self.value(a)
            self.out += b'o'
        else:
            self.value(c.callee)
            self.tuple(c.args)
            self.out += b'R'

    def value(self, v):
        if isinstance(v, Call):
            self.call(v)
        elif isinstance(v, Global):
            self.global_(v)
        elif isinstance(v, Raw):
            v.emit(self)
        elif isinstance(v, bool):
            self.bool(v)
        elif isinstance(v, int):
            self.int(v)
        elif isinstance(v, str):
            self.string(v)
        elif isinstance(v, bytes):
            self.bytes(v)
        elif isinstance(v, tuple):
            self.tuple(v)
        elif v is None:
            self.out += b'N'
        elif isinstance(v, dict):
            self.out += b'(d' if self.protocol == 0 else b'}'
            for k, item in v.items():
                self.value(k)
                self.value(item)
                self.out += b's'
        else:
            raise TypeError(v)

    def dumps(self, v):
        body = Pickler(self.protocol, self.opcode)
        body.value(v)
        body.out += b'.'
        head = bytes([0x80, self.protocol]) if self.protocol >= 2 else b''
        if self.protocol >= 4:  # one FRAME around the rest, as protocol 4+ writers do
            return head + b'\x95' + struct.pack('<Q', len(body.out)) + bytes(body.out)
        return head + bytes(body.out)


def tensor_rebuild(key, legacy):
    """torch._utils._rebuild_tensor_v2(storage(key, 6 floats), 0, (2, 3), (3, 1), False, OrderedDict())."""

    def emit(p):
        p.global_(Global('torch._utils', '_rebuild_tensor_v2'))
        p.out += b'('
        pid = ('storage', Global('torch', 'FloatStorage'), key, 'cpu', 6) + ((None,) if legacy else ())
        p.value(pid)
        p.out += b'Q'  # BINPERSID: torch's persistent ids, accepted at every protocol
        for item in (0, (2, 3), (3, 1), False):
            p.value(item)
        p.value(Call(Global('collections', 'OrderedDict')))
        p.out += b'tR'

    return Raw(emit)


STORAGE_BYTES = struct.pack('<6f', *range(6))

# ---------------------------------------------------------------- containers


def zip_file(entries):
    """A stored zip: [(name, data)]. Written by hand so sizes and offsets are exactly what we say."""
    out = bytearray()
    central = bytearray()
    for name, data in entries:
        offset = len(out)
        crc = zlib.crc32(data)
        n = name.encode()
        out += struct.pack('<IHHHHHIIIHH', 0x04034B50, 20, 0, 0, 0, 0, crc, len(data), len(data), len(n), 0) + n + data
        central += struct.pack('<IHHHHHHIIIHHHHHII', 0x02014B50, 20, 20, 0, 0, 0, 0, crc, len(data), len(data),
                               len(n), 0, 0, 0, 0, 0, offset) + n
    cd_offset = len(out)
    out += central
    out += struct.pack('<IHHHHIIH', 0x06054B50, 0, 0, len(entries), len(entries), len(central), cd_offset, 0)
    return bytes(out)


def torch_zip(data_pkl):
    return zip_file([('archive/data.pkl', data_pkl), ('archive/data/0', STORAGE_BYTES), ('archive/version', b'3\n')])


def torch_legacy(obj_pickle, protocol):
    import pickle
    sys_info = {'protocol_version': 1001, 'little_endian': True, 'type_sizes': {'short': 2, 'int': 4, 'long': 4}}
    head = b''.join(pickle.dumps(v, protocol=2) for v in (0x1950A86A20F9469CFC6C, 1001, sys_info))
    keys = pickle.dumps(['0'], protocol=2)
    return head + obj_pickle + keys + struct.pack('<q', 6) + STORAGE_BYTES


# ---------------------------------------------------------------- payloads


def payloads(sentinel, helper_py):
    """name -> (call tree, global our reader must flag, live under pickle.load?, lowest protocol)."""
    touch = 'touch ' + sentinel
    stmt = 'open(%r, "w").close()' % sentinel
    b = lambda n: Global('builtins', n)
    system = Global('os', 'system')
    get = lambda obj, attr: Call(b('getattr'), obj, attr)
    return {
        'os-system': (Call(system, touch), 'os.system', True, 0),
        'posix-system': (Call(Global('posix', 'system'), touch), 'posix.system', True, 0),
        'subprocess-popen': (Call(Global('subprocess', 'Popen'), ('touch', sentinel)), 'subprocess.Popen', True, 0),
        'builtins-eval': (Call(b('eval'), stmt), 'builtins.eval', True, 0),
        'builtins-exec': (Call(b('exec'), stmt), 'builtins.exec', True, 0),
        'getattr-import-chain': (Call(get(Call(b('__import__'), 'os'), 'system'), touch), 'builtins.getattr', True, 0),
        'cprofile-run': (Call(Global('cProfile', 'run'), stmt), 'cProfile.run', True, 0),
        'profile-run': (Call(Global('profile', 'run'), stmt), 'profile.run', True, 0),
        'pdb-run': (Call(Global('pdb', 'run'), stmt), 'pdb.run', True, 0),
        'timeit-timeit': (Call(Global('timeit', 'timeit'), stmt, 'pass', Global('time', 'perf_counter'), 1), 'timeit.timeit', True, 0),
        'posixsubprocess-fork-exec': (Call(Global('_posixsubprocess', 'fork_exec'), ('touch', sentinel)), '_posixsubprocess.fork_exec', False, 0),
        'ctypes-cdll-system': (Call(get(Call(Global('ctypes', 'CDLL'), None), 'system'), touch.encode()), 'ctypes.CDLL', True, 0),
        'importlib-import-module': (Call(get(Call(Global('importlib', 'import_module'), 'os'), 'system'), touch), 'importlib.import_module', True, 0),
        'runpy-run-path': (Call(Global('runpy', 'run_path'), helper_py), 'runpy.run_path', True, 0),
        'thread-start-new-thread': (Call(Global('_thread', 'start_new_thread'), system, (touch,)), '_thread.start_new_thread', True, 0),
        'logging-config-listen': (Call(Global('logging.config', 'listen'), 0), 'logging.config.listen', False, 0),
        'zipimport-zipimporter': (Call(get(Call(Global('zipimport', 'zipimporter'), sentinel + '.zip'), 'load_module'), 'm'), 'zipimport.zipimporter', False, 0),
        # Python 2 names: pickle maps them (fix_imports) below protocol 3; our reader reports the Python 3 name.
        'py2-builtin-eval': (Call(Global('__builtin__', 'eval'), stmt), 'builtins.eval', True, 0),
        'py2-commands-getoutput': (Call(Global('commands', 'getoutput'), touch), 'subprocess.getoutput', True, 0),
    }


OPCODES = ('GLOBAL', 'STACK_GLOBAL', 'INST', 'OBJ')


def variants():
    """(protocol, opcode) pairs: every protocol with GLOBAL and STACK_GLOBAL, INST/OBJ at protocols 0 and 2."""
    for protocol in range(6):
        yield protocol, 'GLOBAL'
        yield protocol, 'STACK_GLOBAL'
    for protocol in (0, 2):
        yield protocol, 'INST'
        yield protocol, 'OBJ'


def write_corpus(out):
    os.makedirs(os.path.join(out, 'live'), exist_ok=True)
    manifest = []
    for folder in (out, os.path.join(out, 'live')):
        for protocol, opcode in variants():
            for container in ('raw', 'zip', 'legacy'):
                for name in payloads('x', 'x'):
                    stem = '%s-%s-p%d-%s' % (name, opcode.lower().replace('_', ''), protocol, container)
                    file = os.path.join(folder, stem + ('.pkl' if container == 'raw' else '.pth'))
                    sentinel = os.path.join(folder, stem + '.ran')
                    helper = os.path.join(folder, stem + '.helper.py')
                    tree, flagged, live, _ = payloads(sentinel, helper)[name]
                    # fix_imports maps Python 2 names only below protocol 3.
                    live = live and not (name.startswith('py2-') and protocol >= 3)
                    with open(helper, 'w') as f:
                        f.write('open(%r, "w").close()\n' % sentinel)
                    p = Pickler(protocol, opcode)
                    if container == 'raw':
                        data = p.dumps(tree)
                    elif container == 'zip':
                        data = torch_zip(p.dumps({'weight': tensor_rebuild('0', False), 'hook': tree}))
                    else:
                        data = torch_legacy(p.dumps({'weight': tensor_rebuild('0', True), 'hook': tree}), protocol)
                    with open(file, 'wb') as f:
                        f.write(data)
                    if folder == out:
                        manifest.append({'file': file, 'container': container, 'payload': name, 'opcode': opcode,
                                         'protocol': protocol, 'global': flagged, 'sentinel': sentinel, 'live': live,
                                         'liveFile': os.path.join(out, 'live', os.path.basename(file)),
                                         'liveSentinel': os.path.join(out, 'live', stem + '.ran')})
    with open(os.path.join(out, 'manifest.json'), 'w') as f:
        json.dump(manifest, f, indent=1)
    return manifest


def prove(out, names):
    """Loads each live/ copy the way a victim would, one forked child per file (a payload may hang or crash it)."""
    import pickle
    import signal
    import time
    import torch
    with open(os.path.join(out, 'manifest.json')) as f:
        manifest = json.load(f)
    ran = {}
    for item in manifest:
        if not item['live'] or (names and os.path.basename(item['file']) not in names):
            continue
        pid = os.fork()
        if pid == 0:
            os.dup2(os.open(os.devnull, os.O_RDWR), 1)
            os.dup2(os.open(os.devnull, os.O_RDWR), 2)
            r, w = os.pipe()  # pdb reads its commands from stdin: tell it to continue
            os.write(w, b'c\n' * 8)
            os.close(w)
            os.dup2(r, 0)
            signal.alarm(20)
            try:
                if item['container'] == 'raw':
                    with open(item['liveFile'], 'rb') as f:
                        pickle.load(f)
                else:
                    torch.load(item['liveFile'])
            except BaseException:
                pass
            if item['payload'].startswith('thread-'):
                time.sleep(0.5)  # start_new_thread runs its payload on another thread
            os._exit(0)
        os.waitpid(pid, 0)
        ran[os.path.basename(item['file'])] = os.path.exists(item['liveSentinel'])
    print(json.dumps(ran))


if __name__ == '__main__':
    if sys.argv[1] == '--prove':
        prove(sys.argv[2], set(sys.argv[3:]))
    else:
        print(json.dumps(len(write_corpus(sys.argv[1]))))
