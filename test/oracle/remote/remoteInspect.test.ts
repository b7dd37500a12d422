// `inspect URL` against real HTTP servers on 127.0.0.1 (test/helpers/rangeServer.ts), with a full-size
// SSAST-Base written by torch as a torch zip, a legacy torch file and a safetensors file: the remote listing
// is the local one, for under 1 MB and 10 requests as the server counts them; hf:// goes to HF_ENDPOINT with
// the token, which a redirect to another port never receives; and each misbehaving server gets its message.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../helpers/cli';
import { startRangeServer, type RangeServer, type RangeServerOptions } from '../../helpers/rangeServer';
import { runPython, tempDir } from '../../helpers/torch';
import { fixturesDir, projectRoot } from '../../harness/paths';

const WRITE = String.raw`
import sys, torch
sys.path[:0] = [sys.argv[1], sys.argv[2]]
import make_fixtures, hf_files
folder = sys.argv[3]
make_fixtures.write_ssast_base_pretrained(folder + '/base.pth')
state = torch.load(folder + '/base.pth')
torch.save(state, folder + '/base-legacy.pth', _use_new_zipfile_serialization=False)
hf_files.save_safetensors(state, folder + '/base.safetensors')
`;

const FILES = ['base.pth', 'base-legacy.pth', 'base.safetensors'] as const;
/** Short, so a test of a stalled server takes a second, never the default 30 s. */
const FAST = { CKPT_AST_HTTP_TIMEOUT: '2', CKPT_AST_HTTP_RETRIES: '1', HF_TOKEN: '', HF_ENDPOINT: '' };
const TOKEN = 'hf_test_token_never_printed';

describe('inspect URL (HTTP Range reads)', () => {
  const tmp = tempDir('remote-inspect-');
  const local = new Map<string, string>();
  const servers: RangeServer[] = [];
  const serve = async (opts: Omit<RangeServerOptions, 'files'>, prefix = ''): Promise<RangeServer> => {
    const server = await startRangeServer({ ...opts, files: Object.fromEntries(FILES.map((f) => [`${prefix}/${f}`, join(tmp.dir, f)])) });
    servers.push(server);
    return server;
  };

  before(async () => {
    await runPython(WRITE, [fixturesDir(), join(projectRoot(), 'test', 'helpers'), tmp.dir]);
    for (const f of FILES) {
      const run = await runCli(['inspect', join(tmp.dir, f), '--json']);
      assert.equal(run.code, 0, run.stderr);
      local.set(f, run.stdout);
    }
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
    tmp.cleanup();
  });

  for (const f of FILES) {
    it(`${f}: the same JSON as the local file, under 1 MB and 10 requests`, async () => {
      const server = await serve({});
      const run = await runCli(['inspect', `${server.origin}/${f}`, '--json'], 60_000, FAST);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, local.get(f));
      assert.equal(run.stderr, '');
      assert.ok(server.stats.bytesSent < 1024 * 1024, `${server.stats.bytesSent} bytes sent`);
      assert.ok(server.stats.requests < 10, `${server.stats.requests} requests: ${server.stats.ranges.join(' | ').slice(0, 400)}`);
    });
  }

  it('hf://owner/repo/path resolves against HF_ENDPOINT and sends HF_TOKEN there, never to the CDN it redirects to', async () => {
    const cdn = await serve({}, '/o/ssast/resolve/main');
    const hub = await serve({ requireAuthorization: `Bearer ${TOKEN}`, redirectTo: cdn.origin });
    const run = await runCli(['inspect', 'hf://o/ssast/base.pth', '--json'], 60_000, { ...FAST, HF_ENDPOINT: hub.origin, HF_TOKEN: TOKEN });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, local.get('base.pth'));
    assert.ok(hub.stats.requests >= 1);
    assert.ok(hub.stats.authorizations.every((a) => a === `Bearer ${TOKEN}`));
    assert.ok(cdn.stats.requests >= 1);
    assert.deepEqual(cdn.stats.authorizations.filter((a) => a !== undefined), [], 'the token crossed the redirect to another origin');
    assert.ok(!run.stderr.includes(TOKEN) && !run.stdout.includes(TOKEN));
  });

  it('hf://…@revision asks for that revision; the token goes to no URL outside HF_ENDPOINT', async () => {
    const hub = await serve({}, '/o/ssast/resolve/v1.0');
    const other = await serve({});
    const pinned = await runCli(['inspect', 'hf://o/ssast/base.safetensors@v1.0', '--json'], 60_000, { ...FAST, HF_ENDPOINT: hub.origin + '/', HF_TOKEN: TOKEN });
    assert.equal(pinned.code, 0, pinned.stderr);
    assert.equal(pinned.stdout, local.get('base.safetensors'));
    const plain = await runCli(['inspect', `${other.origin}/base.safetensors`, '--json'], 60_000, { ...FAST, HF_ENDPOINT: hub.origin, HF_TOKEN: TOKEN });
    assert.equal(plain.code, 0, plain.stderr);
    assert.deepEqual(other.stats.authorizations.filter((a) => a !== undefined), []);
  });

  it('401 without a token: exit 2 and a message saying to set HF_TOKEN', async () => {
    const hub = await serve({ requireAuthorization: `Bearer ${TOKEN}` }, '/o/ssast/resolve/main');
    const run = await runCli(['inspect', 'hf://o/ssast/base.pth', '--json'], 60_000, { ...FAST, HF_ENDPOINT: hub.origin });
    assert.equal(run.code, 2);
    assertErrorJson(run.stdout);
    assert.match(run.stderr, /^error: hf:\/\/o\/ssast\/base\.pth: HTTP 401: .*HF_TOKEN.*\n$/);
  });

  it('404: exit 2 naming the missing file', async () => {
    const server = await serve({});
    const run = await runCli(['inspect', `${server.origin}/nothing.pth`], 60_000, FAST);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /nothing\.pth: HTTP 404: no such file on the server/);
  });

  it('a server ignoring Range: downloaded to a temporary file with progress, then the same JSON; --no-download refuses', async () => {
    const server = await serve({ ignoreRange: true });
    const run = await runCli(['inspect', `${server.origin}/base.safetensors`, '--json'], 60_000, FAST);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, local.get('base.safetensors'));
    assert.match(run.stderr, /does not support HTTP Range requests; downloading the whole file to a temporary file/);
    assert.match(run.stderr, /downloading: [\d.]+ MiB of [\d.]+ MiB/);
    const refused = await runCli(['inspect', `${server.origin}/base.safetensors`, '--json', '--no-download'], 60_000, FAST);
    assert.equal(refused.code, 2);
    assertErrorJson(refused.stdout);
    assert.match(refused.stderr, /^error: .*base\.safetensors: the server does not support HTTP Range requests, and --no-download forbids downloading the whole file\n$/);
  });

  it('503 then 200: retried with backoff, the same JSON; 429 past the retries and 403: exit 2 with their messages', async () => {
    const flaky = await serve({ failWith: (n) => (n < 2 ? 503 : undefined) });
    const run = await runCli(['inspect', `${flaky.origin}/base.safetensors`, '--json'], 60_000, { ...FAST, CKPT_AST_HTTP_RETRIES: '3' });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, local.get('base.safetensors'));
    assert.equal(flaky.stats.requests, 2 + 2);
    const limited = await serve({ failWith: () => 429 });
    const refused = await runCli(['inspect', `${limited.origin}/base.safetensors`], 60_000, FAST);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /base\.safetensors: the server answered HTTP 429 \(too many requests\) \(after 2 attempts\)\n$/);
    assert.equal(limited.stats.requests, 2);
    const forbidden = await serve({ failWith: () => 403 });
    const denied = await runCli(['inspect', `${forbidden.origin}/base.safetensors`], 60_000, FAST);
    assert.equal(denied.code, 2);
    assert.match(denied.stderr, /base\.safetensors: HTTP 403: access denied/);
    assert.equal(forbidden.stats.requests, 1, '403 is an answer, not retried');
  });

  it('a server that redirects: followed, the same JSON', async () => {
    const target = await serve({});
    const redirector = await serve({ redirectTo: target.origin });
    const run = await runCli(['inspect', `${redirector.origin}/base-legacy.pth`, '--json'], 60_000, FAST);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, local.get('base-legacy.pth'));
    // Later requests go straight to where the redirect ended.
    assert.equal(redirector.stats.requests, 1);
  });

  it('a connection dropped mid-body: retried, then exit 2 saying so (never a partial listing)', async () => {
    const server = await serve({ dropAfterBytes: 1000 });
    const run = await runCli(['inspect', `${server.origin}/base.pth`, '--json'], 60_000, FAST);
    assert.equal(run.code, 2);
    assertErrorJson(run.stdout);
    assert.match(run.stderr, /base\.pth: (the connection dropped while receiving the body|connection closed after 1000 of 65536 bytes).*\(after 2 attempts\)\n$/);
    assert.equal(server.stats.requests, 2);
  });

  it('a file changing under us (its ETag changes between requests): exit 2, never mixed bytes', async () => {
    const server = await serve({ etagOf: (n) => `"v${n}"` });
    const run = await runCli(['inspect', `${server.origin}/base.pth`, '--json'], 60_000, FAST);
    assert.equal(run.code, 2);
    assertErrorJson(run.stdout);
    assert.match(run.stderr, /base\.pth: the file changed on the server while it was being read \(ETag "v0" → "v1"\); open it again\n$/);
  });

  it('a server that does not answer: bounded by the timeout, exit 2', async () => {
    const server = await serve({ latencyMs: 10_000 });
    const started = Date.now();
    const run = await runCli(['inspect', `${server.origin}/base.pth`], 30_000, { ...FAST, CKPT_AST_HTTP_TIMEOUT: '0.5', CKPT_AST_HTTP_RETRIES: '0' });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /base\.pth: no answer for 0\.5 s before the server answered \(timed out\)\n$/);
    assert.ok(Date.now() - started < 8000, `took ${Date.now() - started} ms`);
  });
});

/** `--json` on a file that cannot be read prints only the error object (code `http`), never a partial listing. */
function assertErrorJson(stdout: string): void {
  const printed = JSON.parse(stdout) as { error?: { code?: string }; tensors?: unknown };
  assert.equal(printed.error?.code, 'http');
  assert.equal(printed.tensors, undefined);
}
