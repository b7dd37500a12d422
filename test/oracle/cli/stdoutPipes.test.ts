// `inspect` writes its listing straight to descriptor 1 (src/cli/stdout.ts). Through real pipes: a non-blocking
// pipe whose reader is slow still gets every row (the EAGAIN path), and a reader that leaves early (`| head -1`)
// ends the command quietly with status 0 instead of an EPIPE stack trace.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLI_PATH } from '../../helpers/cli';
import { runPythonJson, tempDir } from '../../helpers/torch';

const TENSORS = 3000; // ~200 KB of table: several times a pipe's 64 KB buffer

const SCRIPT = String.raw`
import fcntl, json, os, subprocess, sys, time, torch
path, node, cli, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
state = {'blocks.%d.weight' % i: torch.zeros(2, i % 5 + 1) for i in range(count)}
torch.save(state, path)

def non_blocking_stdout():
    fcntl.fcntl(1, fcntl.F_SETFL, fcntl.fcntl(1, fcntl.F_GETFL) | os.O_NONBLOCK)

slow = subprocess.Popen([node, cli, 'inspect', path], stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=non_blocking_stdout)
time.sleep(1.5)  # the CLI fills the pipe and meets EAGAIN before anything is read
out, err = slow.communicate(timeout=60)

early = subprocess.Popen([node, cli, 'inspect', path], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
first_line = early.stdout.readline()
early.stdout.close()
early_err = early.stderr.read()
early_code = early.wait(timeout=60)

print(json.dumps({
    'expected': [[k, list(v.shape)] for k, v in state.items()],
    'slow': {'code': slow.returncode, 'stdout': out.decode(), 'stderr': err.decode()},
    'early': {'code': early_code, 'first': first_line.decode(), 'stderr': early_err.decode()},
}))
`;

interface Result {
  expected: [string, number[]][];
  slow: { code: number; stdout: string; stderr: string };
  early: { code: number; first: string; stderr: string };
}

describe('inspect output through pipes', () => {
  const tmp = tempDir('cli-pipes-');
  const file = join(tmp.dir, 'many.pth');
  let result: Result;
  before(async () => {
    result = await runPythonJson<Result>(SCRIPT, [file, process.execPath, CLI_PATH, String(TENSORS)]);
  });
  after(() => tmp.cleanup());

  it('a full non-blocking pipe still receives every row, in order', () => {
    assert.equal(result.slow.code, 0, result.slow.stderr);
    assert.equal(result.slow.stderr, '');
    // Table rows: name, dtype, [shape], size.
    const rows = [...result.slow.stdout.matchAll(/^(blocks\.\S+)\s+\S+\s+(\[[^\]]*\])/gm)].map((m) => [m[1], JSON.parse(m[2]!)]);
    assert.deepEqual(rows, result.expected);
    assert.match(result.slow.stdout, new RegExp(`\\n${TENSORS} tensors, `));
  });

  it('a reader that stops after one line ends the command quietly', () => {
    assert.equal(result.early.first, `${file}\n`);
    assert.equal(result.early.stderr, '');
    assert.equal(result.early.code, 0);
  });
});
