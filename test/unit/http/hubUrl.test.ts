// hf:// → resolve URL, checked against URLs written out by hand from huggingface_hub's template
// `{endpoint}/{repo_id}/resolve/{revision}/{filename}` (revision quoted whole, filename per segment).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hubResolveUrl, parseHubUrl } from '../../../src/core/http/hubUrl';
import { remoteTarget } from '../../../src/cli/remoteOptions';

describe('hf:// URLs', () => {
  it('default revision main, default endpoint the Hub', () => {
    assert.equal(hubResolveUrl(parseHubUrl('hf://MIT/ast-finetuned-audioset-10-10-0.4593/model.safetensors')),
      'https://huggingface.co/MIT/ast-finetuned-audioset-10-10-0.4593/resolve/main/model.safetensors');
  });

  it('revision after the file or after the repo (HfFileSystem style); slashes in it encoded', () => {
    assert.deepEqual(parseHubUrl('hf://o/r/sub/dir/w.bin@v1.2'), { repo: 'o/r', path: 'sub/dir/w.bin', revision: 'v1.2' });
    assert.deepEqual(parseHubUrl('hf://o/r@refs%2Fpr%2F3/w.bin'), { repo: 'o/r', path: 'w.bin', revision: 'refs/pr/3' });
    assert.equal(hubResolveUrl(parseHubUrl('hf://o/r@refs%2Fpr%2F3/w.bin'), 'http://127.0.0.1:9/'), 'http://127.0.0.1:9/o/r/resolve/refs%2Fpr%2F3/w.bin');
  });

  it('datasets/ and spaces/ prefixes stay in the repo path; spaces in file names are encoded', () => {
    assert.equal(hubResolveUrl(parseHubUrl('hf://datasets/o/d/data/my file.bin')), 'https://huggingface.co/datasets/o/d/resolve/main/data/my%20file.bin');
  });

  it('refuses what is not owner/repo/path', () => {
    for (const bad of ['hf://o', 'hf://o/r', 'hf://o/r/', 'hf://o/r/../x.bin', 'hf://o/r/x.bin@']) {
      assert.throws(() => parseHubUrl(bad), /expected hf:\/\/owner\/repo\/path\/in\/repo\[@revision\]/, bad);
    }
  });

  it('the CLI gives the token only to HF_ENDPOINT\'s origin, and reads timeouts and retries', () => {
    const { url, options } = remoteTarget('hf://o/r/w.bin', { HF_ENDPOINT: 'http://127.0.0.1:8000/', HF_TOKEN: ' t0k ', CKPT_AST_HTTP_TIMEOUT: '1.5', CKPT_AST_HTTP_RETRIES: '0' });
    assert.equal(url, 'http://127.0.0.1:8000/o/r/resolve/main/w.bin');
    assert.deepEqual(options, { auth: { token: 't0k', origin: 'http://127.0.0.1:8000' }, timeoutMs: 1500, retries: 0 });
    assert.deepEqual(remoteTarget('https://example.org/w.bin', {}).options, {});
    assert.equal(remoteTarget('https://example.org/w.bin', { HF_TOKEN: 'x' }).options.auth?.origin, 'https://huggingface.co');
  });
});
