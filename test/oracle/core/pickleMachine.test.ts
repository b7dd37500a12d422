// The pickle machine against CPython's own pickler: protocols 0–5, memo sharing, Python 2 names,
// placeholder objects, extension codes, and limits that stop hostile streams with an error.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { runPythonJson } from '../../helpers/torch';
import { PickleFormatError } from '../../../src/core/errors';
import { DEFAULT_PICKLE_LIMITS, unpickle } from '../../../src/core/pickle/unpickler';
import { globalName, type PyValue } from '../../../src/core/pickle/values';
import { classifyGlobal } from '../../../src/core/safety/classifyGlobals';

const PICKLE_CASES = String.raw`
import base64, copyreg, json, pickle

class Point:
    def __init__(self, x):
        self.x = x

class Keyword:
    def __init__(self, *, size):
        self.size = size
    def __getnewargs_ex__(self):
        return ((), {'size': self.size})

shared = ['shared']
data = [None, True, False, 0, 255, 65535, -1, 2**31, -2**63, 2**100, -2**70, 1.5, -0.0, 1e300,
        'text', 'ünïcödé ✓', '', b'', b'\x00\xffbytes', (), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4),
        {'a': 1, 2: 'b', (3, 4): [5]}, {1, 2, 3}, frozenset([7]), shared, shared]

def tag(v):
    if v is None or isinstance(v, str): return v
    if isinstance(v, bool): return {'bool': v}
    if isinstance(v, int): return {'int': str(v)}
    if isinstance(v, float): return {'float': repr(v)}
    if isinstance(v, bytes): return {'bytes': v.hex()}
    if isinstance(v, tuple): return {'tuple': [tag(x) for x in v]}
    if isinstance(v, list): return [tag(x) for x in v]
    if isinstance(v, dict): return {'dict': [[tag(k), tag(x)] for k, x in v.items()]}
    if isinstance(v, (set, frozenset)): return {'set': [tag(x) for x in v]}
    raise TypeError(type(v))

copyreg.add_extension('__main__', 'Point', 240)
out = {'data': {}, 'point': {}, 'py2': base64.b64encode(pickle.dumps([eval, getattr, range], protocol=2)).decode(),
       'keyword': base64.b64encode(pickle.dumps(Keyword(size=3), protocol=4)).decode(),
       'extension': base64.b64encode(pickle.dumps(Point, protocol=2)).decode(),
       'bytearray5': base64.b64encode(pickle.dumps(bytearray(b'ab'), protocol=5)).decode(),
       'expected': tag(data)}
copyreg.remove_extension('__main__', 'Point', 240)
for p in range(6):
    out['data'][p] = base64.b64encode(pickle.dumps(data, protocol=p)).decode()
    out['point'][p] = base64.b64encode(pickle.dumps(Point(7), protocol=p)).decode()
cycle = []
cycle.append(cycle)
out['cycle'] = base64.b64encode(pickle.dumps(cycle, protocol=2)).decode()
out['wide'] = base64.b64encode(pickle.dumps(list(range(3000)), protocol=2)).decode()
print(json.dumps(out))
`;

interface Cases {
  data: Record<string, string>; point: Record<string, string>; expected: unknown;
  py2: string; keyword: string; extension: string; bytearray5: string; cycle: string; wide: string;
}

const ctx = { file: 'test.pkl' };
const bytes = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));

/** A dict's alternating keys and values as [key, value] pairs. */
function pairs(keyValues: readonly PyValue[]): [PyValue, PyValue][] {
  const out: [PyValue, PyValue][] = [];
  for (let i = 0; i < keyValues.length; i += 2) out.push([keyValues[i]!, keyValues[i + 1]!]);
  return out;
}

/** The same tagging as the Python side; sets and bytes pickled as calls at low protocols are normalised. */
function tag(v: PyValue): unknown {
  if (v === null || typeof v === 'string') return v;
  if (typeof v === 'boolean') return { bool: v };
  if (typeof v === 'bigint') return { int: v.toString() };
  if (typeof v === 'number') return { float: Object.is(v, -0) ? '-0.0' : pythonRepr(v) };
  switch (v.kind) {
    case 'bytes': return { bytes: Buffer.from(v.bytes).toString('hex') };
    case 'tuple': return { tuple: v.items.map(tag) };
    case 'list': return v.items.map(tag);
    case 'dict': return { dict: pairs(v.keyValues).map(([k, x]) => [tag(k), tag(x)]) };
    case 'set': case 'frozenset': return { set: v.items.map(tag) };
    case 'object': {
      const callee = globalName(v.callee);
      const [first, encoding] = v.args;
      if (callee === '_codecs.encode' && typeof first === 'string' && encoding === 'latin1') {
        return { bytes: Buffer.from(first, 'latin1').toString('hex') };
      }
      if ((callee === 'builtins.set' || callee === 'builtins.frozenset') && typeof first === 'object' && first?.kind === 'list') {
        return { set: first.items.map(tag) };
      }
      if (callee === 'builtins.bytes' && v.args.length === 0) return { bytes: '' };
      return { object: callee, args: v.args.map(tag) };
    }
    default: return { [v.kind]: true };
  }
}

function pythonRepr(x: number): string {
  return Number.isInteger(x) && Math.abs(x) < 1e16 ? `${x}.0` : String(x);
}

describe('pickle machine', () => {
  let cases: Cases;
  before(async () => {
    cases = await runPythonJson<Cases>(PICKLE_CASES);
  });

  for (const protocol of [0, 1, 2, 3, 4, 5]) {
    it(`protocol ${protocol}: builds the same values CPython pickled`, () => {
      const result = unpickle(bytes(cases.data[protocol]!), ctx);
      assert.deepEqual(tag(result.value), cases.expected);
      // Memo: the two references to one list are one object.
      const items = (result.value as { items: PyValue[] }).items;
      assert.equal(items[items.length - 1], items[items.length - 2]);
    });

    it(`protocol ${protocol}: a class instance becomes a placeholder holding its state`, () => {
      const { value, globals } = unpickle(bytes(cases.point[protocol]!), ctx);
      assert.ok(typeof value === 'object' && value !== null && value.kind === 'object');
      const state = value.state;
      assert.ok(typeof state === 'object' && state !== null && state.kind === 'dict');
      assert.deepEqual(state.keyValues, ['x', 7n]);
      assert.ok(globals.has('__main__.Point'));
    });
  }

  it('maps Python 2 names and classifies them: __builtin__.eval is builtins.eval, dangerous', () => {
    const { globals } = unpickle(bytes(cases.py2), ctx);
    assert.deepEqual([...globals.keys()].sort(), ['builtins.eval', 'builtins.getattr', 'builtins.range']);
    assert.equal(classifyGlobal('builtins.eval', 1).verdict, 'dangerous');
    assert.equal(classifyGlobal('builtins.getattr', 1).verdict, 'dangerous');
    assert.equal(classifyGlobal('builtins.range', 1).verdict, 'not-weights-only');
  });

  it('NEWOBJ_EX keeps keyword arguments; EXT1 names the extension code; BYTEARRAY8 gives bytes', () => {
    const keyword = unpickle(bytes(cases.keyword), ctx).value;
    assert.ok(typeof keyword === 'object' && keyword?.kind === 'object');
    assert.deepEqual(tag(keyword.kwargs!), { dict: [['size', { int: '3' }]] });
    assert.ok(unpickle(bytes(cases.extension), ctx).globals.has('copyreg._extension_registry[240]'));
    assert.deepEqual(tag(unpickle(bytes(cases.bytearray5), ctx).value), { bytes: '6162' });
  });

  it('a self-containing list is one object (no infinite structure)', () => {
    const { value } = unpickle(bytes(cases.cycle), ctx);
    assert.ok(typeof value === 'object' && value?.kind === 'list');
    assert.equal(value.items[0], value);
  });

  it('limits end hostile streams with an error', () => {
    const marks = new Uint8Array(DEFAULT_PICKLE_LIMITS.maxMarkDepth + 10).fill(0x28);
    assert.throws(() => unpickle(marks, ctx), (e: unknown) => e instanceof PickleFormatError && /more than 100000 nested marks/.test(e.message));
    assert.throws(
      () => unpickle(bytes(cases.wide), ctx, 0, { ...DEFAULT_PICKLE_LIMITS, maxItems: 1000 }),
      (e: unknown) => e instanceof PickleFormatError && /^test\.pkl: bad pickle: more than 1000 values; refusing to build more \(at byte \d+\)$/.test(e.message),
    );
    const hugeInt = new Uint8Array([0x80, 0x02, 0x8b, 0xa0, 0x86, 0x01, 0x00]); // LONG4 of 100000 bytes
    assert.throws(() => unpickle(hugeInt, ctx), /integer of 100000 bytes is larger than the 65536-byte limit/);
    const memo = new Uint8Array([0x80, 0x02, 0x4e, 0x71, 0x00, 0x71, 0x01, 0x71, 0x02, 0x2e]); // None, BINPUT ×3
    assert.throws(() => unpickle(memo, ctx, 0, { ...DEFAULT_PICKLE_LIMITS, maxMemo: 2 }), /memo grew past 2 entries/);
    assert.throws(() => unpickle(new Uint8Array([0x80, 0x02, 0xff]), ctx), {
      message: 'test.pkl: bad pickle: unknown opcode 0xff; the data is not a pickle or is corrupt (at byte 2)',
    });
  });
});
