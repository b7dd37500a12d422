// The safety scan on hand-built pickles (no torch needed): CPython's framing rules, names computed at load time,
// state written into globals, verdicts riding on errors, and names resolved as Python resolves them, including
// the benign names that must stay out of the dangerous class.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CheckpointError } from '../../../src/core/errors';
import { unpickle } from '../../../src/core/pickle/unpickler';
import { classifyGlobal, safetyReport } from '../../../src/core/safety/classifyGlobals';
import { concat, le64 } from '../../hostile/hostileBytes';

const ctx = { file: 'scan.pkl' };
const sbu = (s: string) => concat([0x8c, s.length], s);
const frame = (length: number) => concat([0x95], le64(BigInt(length)));

function scanOf(bytes: Uint8Array) {
  return safetyReport(unpickle(bytes, ctx));
}

function errorOf(bytes: Uint8Array): CheckpointError {
  try {
    unpickle(bytes, ctx);
  } catch (err) {
    assert.ok(err instanceof CheckpointError, String(err));
    return err;
  }
  assert.fail('no error');
}

describe('framing as CPython reads it', () => {
  it('a well-framed pickle has no finding, unframed opcodes after a frame included', () => {
    const body = concat(sbu('hello'), '.');
    assert.deepEqual(scanOf(concat([0x80, 4], frame(body.length), body)), { verdict: 'safe', globals: [] });
    // A large argument written after its frame, as Python's pickler writes big bytes, then a new frame.
    const tail = concat('0', 'N.');
    assert.equal(scanOf(concat([0x80, 4], frame(2), 'N0', [0x43, 3], 'abc', frame(tail.length), tail)).verdict, 'safe');
  });

  it('an argument past the end of its frame', () => {
    const report = scanOf(concat([0x80, 4], frame(3), sbu('hello'), '.'));
    assert.deepEqual(report.findings, ['framing mismatch at byte 11: the opcode runs 4 bytes past the end of its frame (byte 14)']);
    assert.equal(report.verdict, 'dangerous');
  });

  it('a text line past the end of its frame', () => {
    assert.deepEqual(scanOf(concat([0x80, 4], frame(3), 'I12345\n.')).findings, ['framing mismatch at byte 11: the opcode runs 4 bytes past the end of its frame (byte 14)']);
  });

  it('a frame inside a frame, and a frame longer than its pickle', () => {
    assert.deepEqual(scanOf(concat([0x80, 4], frame(20), 'N0', frame(2), 'N.', new Uint8Array(9))).findings, [
      'framing mismatch at byte 13: a new frame starts 18 bytes before the current one ends',
    ]);
    assert.deepEqual(scanOf(concat([0x80, 4], frame(10), 'N.', new Uint8Array(8))).findings, ['framing mismatch at byte 12: the frame runs 8 bytes past STOP, into whatever follows the pickle']);
  });
});

describe('names computed at load time and state written into globals', () => {
  const strCall = concat('cbuiltins\nstr\n(Vos\ntR');

  it('STACK_GLOBAL of a call result is a finding, not a bad pickle', () => {
    const report = scanOf(concat([0x80, 4], strCall, sbu('system'), [0x93], '.'));
    assert.deepEqual(report.findings, ['STACK_GLOBAL at byte 31 imports a name computed at load time (<computed>.system), not a literal string: it can be any global, os.system included']);
  });

  it('STACK_GLOBAL of literal non-strings stays the error CPython raises, with the verdict so far', () => {
    const err = errorOf(concat([0x80, 4], 'cos\nsystem\n0', 'K\x01', sbu('x'), [0x93], '.'));
    assert.match(err.message, /STACK_GLOBAL needs two strings on the stack/);
    assert.deepEqual(err.safety?.globals.map((g) => [g.name, g.verdict]), [['os.system', 'dangerous']]);
  });

  it('BUILD, SETITEM and APPEND on a global', () => {
    assert.deepEqual(scanOf(concat([0x80, 2], 'ctorch\n_utils\n}Vx\nNsb.')).findings, [
      "BUILD at byte 22 sets attributes of torch._utils itself (a module or class): every later use of it runs the file's replacements",
    ]);
    assert.deepEqual(scanOf(concat([0x80, 2], 'csys\nmodules\nVx\nNs.')).findings, [
      'byte 19 stores items into sys.modules itself: the file rewrites a global object (e.g. sys.modules) that later code trusts',
    ]);
    assert.deepEqual(scanOf(concat([0x80, 2], 'csys\npath\nVx\na.')).findings, [
      'byte 15 appends to sys.path itself: the file rewrites a global object (e.g. sys.modules) that later code trusts',
    ]);
  });
});

describe('verdicts ride on errors', () => {
  it('a pickle cut off after a dangerous global', () => {
    const err = errorOf(concat([0x80, 2], 'cos\nsystem\n(Vtouch x\n'));
    assert.match(err.message, /pickle is cut off/);
    assert.equal(err.safety?.verdict, 'dangerous');
  });

  it('an error before any global still states a verdict', () => {
    assert.deepEqual(errorOf(Uint8Array.of(0x80, 2, 0xff)).safety, { verdict: 'safe', globals: [] });
  });
});

describe('names resolved as Python resolves them', () => {
  const verdict = (name: string, split?: [string, string]) => classifyGlobal(name, 1, split).verdict;

  it('dotted prefixes, attribute walks, aliases and module objects', () => {
    assert.equal(verdict('builtins.eval.__call__', ['builtins', 'eval.__call__']), 'dangerous');
    assert.equal(verdict('torch.serialization.os.system', ['torch.serialization', 'os.system']), 'dangerous');
    assert.equal(verdict('torch.serialization.os'), 'dangerous');
    assert.equal(verdict('__builtins__.eval'), 'dangerous');
    assert.equal(verdict('nt.system'), 'dangerous');
    assert.equal(verdict('_operator.itemgetter'), 'dangerous');
    assert.equal(verdict('builtins.str.__class__', ['builtins', 'str.__class__']), 'dangerous');
    assert.equal(verdict('torch.serialization.load'), 'dangerous');
    assert.equal(verdict('torch.load'), 'dangerous');
    assert.equal(verdict('logging.handlers.SysLogHandler'), 'dangerous');
    assert.equal(classifyGlobal('logging.handlers.SysLogHandler', 1).reason, 'module logging.handlers: handlers open files, sockets, SMTP and HTTP connections');
  });

  it('benign names stay out of the dangerous class', () => {
    for (const name of ['numpy.core.multiarray._reconstruct', 'numpy.dtype', '__main__.Net', 'torch.autograd.profiler.profile', 'mypkg.io.Reader',
      'mypkg.types.Config', '__torch__.torch.nn.modules.linear.Linear', 'torch.nn.modules.linear.Linear', 'argparse.Namespace', 'builtins.slice',
      'collections.defaultdict', 'pathlib.PosixPath', 'torch.jit._pickle.build_intlist', 'torch.distributed._shard.sharded_tensor.ShardedTensor']) {
      assert.equal(verdict(name), 'not-weights-only', name);
    }
    assert.equal(verdict('torch._utils._rebuild_tensor_v2'), 'safe');
    assert.equal(verdict('_codecs.encode'), 'safe');
  });
});
