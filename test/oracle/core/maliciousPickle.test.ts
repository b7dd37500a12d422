// Files whose pickle would run os.system or cProfile.run under torch.load: we list them, call
// them dangerous with the global named, and a sentinel file proves nothing ran. The same payload
// aimed at a second sentinel is loaded by torch to prove the payload is live.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runPython, tempDir } from '../../helpers/torch';
import { openFileSource } from '../../../src/node/nodeFileSource';
import { openCheckpoint } from '../../../src/core/openCheckpoint';
import type { CheckpointIndex } from '../../../src/core/checkpointIndex';

const WRITE_PAYLOADS = String.raw`
import os, pickle, sys, cProfile, torch

class SystemPayload:
    def __init__(self, sentinel):
        self.sentinel = sentinel
    def __reduce__(self):
        return (os.system, ('touch ' + self.sentinel,))

class ProfilePayload:
    def __init__(self, sentinel):
        self.sentinel = sentinel
    def __reduce__(self):
        return (cProfile.run, ("open(%r, 'w').close()" % self.sentinel,))

def write(kind, out, sentinel):
    payload = (SystemPayload if kind.startswith('system') else ProfilePayload)(sentinel)
    if kind.endswith('zip'):
        torch.save({'weight': torch.ones(2, 3), 'hook': payload}, out)
    elif kind.endswith('legacy'):
        torch.save({'weight': torch.ones(2, 3), 'hook': payload}, out, _use_new_zipfile_serialization=False)
    else:
        with open(out, 'wb') as f:
            pickle.dump(payload, f, protocol=int(kind[-1]))

args = sys.argv[1:]
for i in range(0, len(args), 3):
    write(*args[i:i + 3])
`;

const LOAD_WITH_TORCH = String.raw`
import sys, torch
for path in sys.argv[1:]:
    try:
        torch.load(path)
    except Exception:
        pass  # the payload runs during unpickling, before any error
`;

const CASES = [
  { kind: 'system-zip', global: 'posix.system' },
  { kind: 'system-legacy', global: 'posix.system' },
  { kind: 'profile-zip', global: 'cProfile.run' },
  { kind: 'profile-legacy', global: 'cProfile.run' },
  { kind: 'system-raw-pickle-0', global: 'posix.system' },
  { kind: 'system-raw-pickle-2', global: 'posix.system' },
  { kind: 'profile-raw-pickle-4', global: 'cProfile.run' },
];

describe('checkpoints with code-running pickles', () => {
  const tmp = tempDir();
  const paths = (kind: string) => ({
    file: join(tmp.dir, `${kind}.pth`),
    sentinel: join(tmp.dir, `${kind}.ran`),
    live: join(tmp.dir, `${kind}-live.pth`),
    liveSentinel: join(tmp.dir, `${kind}-live.ran`),
  });
  before(async () => {
    // One python run writes every file, one more loads the live copies: torch's import is the slow part.
    await runPython(WRITE_PAYLOADS, CASES.flatMap(({ kind }) => {
      const p = paths(kind);
      return [kind, p.file, p.sentinel, kind, p.live, p.liveSentinel];
    }));
    await runPython(LOAD_WITH_TORCH, CASES.map(({ kind }) => paths(kind).live));
  });
  after(() => tmp.cleanup());

  for (const { kind, global } of CASES) {
    describe(kind, () => {
      const { file, sentinel, liveSentinel } = paths(kind);

      it('the payload is live: torch.load runs it', () => {
        assert.ok(existsSync(liveSentinel), 'torch.load should have created the live sentinel');
      });

      it(`is reported dangerous, naming ${global}, and nothing runs`, async () => {
        const source = await openFileSource(file);
        try {
          if (kind.includes('raw-pickle')) {
            // Listed, not refused: the verdict names the payload's global.
            const index = await openCheckpoint(source);
            assert.equal(index.format, 'pickle');
            assert.equal(index.safety.verdict, 'dangerous');
            assert.equal(index.safety.globals.find((g) => g.name === global)?.verdict, 'dangerous');
          } else {
            const index: CheckpointIndex = await openCheckpoint(source);
            assert.equal(index.safety.verdict, 'dangerous');
            const named = index.safety.globals.find((g) => g.name === global);
            assert.equal(named?.verdict, 'dangerous');
            assert.deepEqual(index.tensors.map((t) => [t.name, [...t.shape]]), [['weight', [2, 3]]]);
            const hook = index.metadata.kind === 'dict' ? index.metadata.entries.find(([k]) => k === 'hook')?.[1] : undefined;
            assert.ok(hook?.kind === 'object' && hook.type === global, `hook kept as an inert ${global} call`);
          }
        } finally {
          await source.close();
        }
        assert.equal(existsSync(sentinel), false, 'our reader must not run the payload');
      });
    });
  }
});
