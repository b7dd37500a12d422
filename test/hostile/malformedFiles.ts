// A set of malformed and hostile-structure files for the VS Code tests (the unit tests in
// test/oracle/hostile/malformed.test.ts attack each structure in more detail). `expect` is the text the
// error must contain, or 'lists' for files that are legal but nasty and must list.
import { concat, dictPickle, le64, op, rebuildTensor, repeat, SIX_FLOATS, storagePid, torchZip, zipArchive } from './hostileBytes';

export interface MalformedFile {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly expect: string | 'lists';
}

/** `sample` is a real torch checkpoint (the committed fixture): truncated and bit-flipped copies are made from it. */
export function malformedFiles(sample: Uint8Array): MalformedFile[] {
  const weight = rebuildTensor(storagePid('0', 6), 0n, [2n, 3n], [3n, 1n]);
  const withWeight = (name: string, value: Uint8Array) => torchZip(dictPickle([['w', weight], [name, value]]));
  const cdOutside = zipArchive([{ name: 'archive/data.pkl', data: dictPickle([['w', weight]]) }, { name: 'archive/data/0', data: SIX_FLOATS }]);
  new DataView(cdOutside.buffer).setUint32(cdOutside.length - 22 + 16, 0x7fff0000, true);
  let bomb: Uint8Array = concat(op.str('x'), op.put(0));
  for (let i = 0; i < 60; i++) bomb = concat(bomb, op.pop, op.mark, op.get(0), op.get(0), op.list, op.put(0));
  const flipped = sample.slice();
  flipped[Math.floor(sample.length / 3)]! ^= 0x10;
  return [
    { name: 'truncated-half.pth', bytes: sample.slice(0, Math.floor(sample.length / 2)), expect: 'truncated' },
    { name: 'truncated-1-16.pth', bytes: sample.slice(0, Math.floor(sample.length / 16)), expect: 'the file is truncated' },
    { name: 'bit-flipped.pth', bytes: flipped, expect: 'lists' },
    { name: 'marks-1e6.pth', bytes: torchZip(concat(op.proto, repeat('(', 1_000_000), op.stop)), expect: 'more than 100000 nested marks' },
    { name: 'memo-out-of-range.pth', bytes: torchZip(concat(op.proto, op.get(7), op.stop)), expect: 'memo entry 7 is read before it is written' },
    { name: 'cd-outside.pth', bytes: cdOutside, expect: 'runs past the end-of-central-directory record' },
    { name: 'entry-100gb.pth', bytes: zipArchive([{ name: 'archive/data.pkl', data: dictPickle([['w', weight]]) }, { name: 'archive/data/0', data: SIX_FLOATS, declaredSize: 100n * 1024n ** 3n }]), expect: 'lies outside the file' },
    { name: 'header-2-63.safetensors', bytes: concat(le64(1n << 63n), '{"a":1}'), expect: 'header length over 2^53' },
    { name: 'numel-2-90.pth', bytes: torchZip(dictPickle([['w', rebuildTensor(storagePid('0', 6), 0n, [1n << 30n, 1n << 30n, 1n << 30n], [0n, 0n, 0n])]])), expect: 'more than 2^53 elements' },
    { name: 'negative-stride.pth', bytes: torchZip(dictPickle([['w', rebuildTensor(storagePid('0', 6), 0n, [2n, 3n], [3n, -1n])]])), expect: 'stride is not a non-negative integer' },
    { name: 'view-past-storage.pth', bytes: torchZip(dictPickle([['w', rebuildTensor(storagePid('0', 6), 0n, [4n, 3n], [3n, 1n])]])), expect: 'reads past the end of storage 0' },
    { name: 'nested-lists.pth', bytes: withWeight('deep', concat(op.emptyList, op.put(0), repeat(concat(op.emptyList, op.put(1), op.append, op.pop, op.get(1)), 1_000_000), op.pop, op.get(0))), expect: 'lists' },
    { name: 'self-list.pth', bytes: withWeight('l', concat(op.emptyList, op.put(5), op.get(5), op.append)), expect: 'lists' },
    { name: 'shared-bomb.pth', bytes: withWeight('b', bomb), expect: 'lists' },
    { name: 'expanded-2-40.pth', bytes: torchZip(dictPickle([['w', rebuildTensor(storagePid('0', 6), 0n, [1n << 20n, 1n << 20n], [0n, 0n])]])), expect: 'lists' },
  ];
}
