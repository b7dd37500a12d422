// The unpickler keeps only the memo entries a pickle reads back (memoReads.ts). Which keys those are is
// checked against Python's own opcode listing (pickletools), and shared values must stay shared.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { runPythonJson } from '../../helpers/torch';
import { memoReads } from '../../../src/core/pickle/memoReads';
import { unpickle } from '../../../src/core/pickle/unpickler';

const WRITE_PICKLES = String.raw`
import base64, json, pickle, pickletools
shared = [1, 'two']
obj = {'a': shared, 'b': shared, 'c': (shared, 'two', 3.5, b'xy', 2**70, None, True), 'd': 'two'}
out = {}
for protocol in (0, 2, 3, 4):
    data = pickle.dumps(obj, protocol=protocol)
    reads = sorted({arg for op, arg, _ in pickletools.genops(data) if op.name in ('BINGET', 'LONG_BINGET')})
    texts = any(op.name in ('GET', 'PUT', 'MEMOIZE') for op, _, _ in pickletools.genops(data))
    out[protocol] = {'data': base64.b64encode(data).decode(), 'reads': reads, 'textOrMemoize': texts}
# Cuts before STOP, at and just after the start of each opcode but STOP: the keys read by the opcodes wholly before the cut.
data = pickle.dumps(obj, protocol=2)
ops = list(pickletools.genops(data))
out['cuts'] = [{'at': at, 'reads': sorted({arg for op, arg, pos in ops if op.name == 'BINGET' and pos < start})}
               for _, _, start in ops[1:-1] for at in (start, start + 1)]
print(json.dumps(out))
`;

interface Case { data: string; reads: number[]; textOrMemoize: boolean }
interface Cut { at: number; reads: number[] }

describe('memo keys read back', () => {
  let cases: Record<string, Case> = {};
  let cuts: Cut[] = [];
  const bytes = (c: Case) => new Uint8Array(Buffer.from(c.data, 'base64'));
  before(async () => {
    ({ cuts, ...cases } = await runPythonJson<Record<string, Case> & { cuts: Cut[] }>(WRITE_PICKLES));
  });

  it('are the BINGET/LONG_BINGET keys pickletools lists, or undefined for opcodes it does not follow', () => {
    for (const [protocol, c] of Object.entries(cases)) {
      const reads = memoReads(bytes(c), 0)?.reads;
      if (c.textOrMemoize) assert.equal(reads, undefined, `protocol ${protocol}`);
      else assert.deepEqual(reads && [...reads].sort((a, b) => a - b), c.reads, `protocol ${protocol}`);
    }
    assert.ok(!cases['2']!.textOrMemoize && cases['2']!.reads.length > 0, 'protocol 2 reads its memo back');
  });

  it('of a cut-off pickle are the keys read before the cut: all a run over those bytes can read', () => {
    const whole = bytes(cases['2']!);
    assert.ok(cuts.length > 10 && cuts.some((c) => c.reads.length > 0));
    for (const cut of cuts) {
      const scan = memoReads(whole.subarray(0, cut.at), 0);
      assert.ok(scan !== undefined && !scan.complete && scan.needed > cut.at, `cut at byte ${cut.at} is cut off`);
      assert.deepEqual([...scan.reads].sort((a, b) => a - b), cut.reads, `cut at byte ${cut.at}`);
    }
  });

  it('shared values stay shared in every protocol', () => {
    for (const pickled of Object.values(cases)) {
      const { value } = unpickle(bytes(pickled), { file: 'memo.pkl' });
      assert.ok(typeof value === 'object' && value !== null && value.kind === 'dict');
      const [a, b, c] = value.keyValues.filter((_, i) => i % 2 === 1);
      assert.equal(a, b, 'the same list object under a and b');
      assert.ok(typeof c === 'object' && c !== null && c.kind === 'tuple' && c.items[0] === a);
    }
  });
});
