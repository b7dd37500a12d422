// `ckpt-ast inspect` options as its --help writes them, on the committed SSAST sample (Node alone).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fixturesDir } from '../../harness/paths';
import { runCli } from '../../helpers/cli';

const SAMPLE = join(fixturesDir(), 'ssast-tiny-sample.pth');

describe('ckpt-ast inspect: options as --help writes them', () => {
  it('--help lists --json, --hash and --no-download, and they work (also together, in any order)', async () => {
    const help = await runCli(['inspect', '-h']);
    assert.equal(help.code, 0);
    assert.deepEqual([...help.stdout.matchAll(/^ {2}--([a-z-]+)/gm)].map((m) => m[1]), ['json', 'hash', 'no-download']);
    // --no-download only changes what happens with a server lacking Range support: on a local file it changes nothing.
    const r = await runCli(['inspect', '--hash', SAMPLE, '--no-download', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const tensors = (JSON.parse(r.stdout) as { tensors: { sha256?: string }[] }).tensors;
    assert.ok(tensors.length > 0 && tensors.every((t) => /^[0-9a-f]{64}$/.test(t.sha256 ?? '')));
  });

  it('an unknown option or a value given to a flag names itself and the accepted forms', async () => {
    for (const [arg, first] of [['--jsn', 'unknown option --jsn; accepted: --json, --hash, --no-download, -h/--help'], ['--json=1', '--json takes no value, got "--json=1"; write --json alone']]) {
      const r = await runCli(['inspect', SAMPLE, arg!]);
      assert.equal(r.code, 1);
      assert.equal(r.stderr.split('\n')[0], first);
    }
  });
});
