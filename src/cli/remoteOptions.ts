// How the CLI reaches files on a server: HF_ENDPOINT and HF_TOKEN as huggingface_hub reads them, and bounded
// timeouts and retries (CKPT_AST_HTTP_TIMEOUT seconds, CKPT_AST_HTTP_RETRIES) for slow or flaky servers.
import type { HttpSourceOptions } from '../core/http/httpSource';
import { DEFAULT_HF_ENDPOINT, hubResolveUrl, parseHubUrl } from '../core/http/hubUrl';

export function isRemote(input: string): boolean {
  return /^(https?|hf):\/\//i.test(input);
}

/** The URL to fetch for `input` (hf:// resolved against HF_ENDPOINT), with the options for every request of it. */
export function remoteTarget(input: string, env: NodeJS.ProcessEnv = process.env): { url: string; options: HttpSourceOptions } {
  const endpoint = (env.HF_ENDPOINT || DEFAULT_HF_ENDPOINT).replace(/\/+$/, '');
  const url = input.toLowerCase().startsWith('hf://') ? hubResolveUrl(parseHubUrl(input), endpoint) : new URL(input).href;
  const token = env.HF_TOKEN?.trim();
  const timeout = Number(env.CKPT_AST_HTTP_TIMEOUT);
  const retries = Number(env.CKPT_AST_HTTP_RETRIES);
  return {
    url,
    options: {
      // Only the endpoint's origin ever sees the token: not other URLs, not a redirect target elsewhere.
      ...(token ? { auth: { token, origin: new URL(endpoint).origin } } : {}),
      ...(timeout > 0 ? { timeoutMs: timeout * 1000 } : {}),
      ...(Number.isInteger(retries) && retries >= 0 ? { retries } : {}),
    },
  };
}
