// `hf://owner/repo/path[@revision]` → the Hub's resolve URL, built as huggingface_hub's hf_hub_url does:
// `{endpoint}/{repo_id}/resolve/{revision}/{filename}`, endpoint from HF_ENDPOINT without a trailing slash,
// revision percent-encoded whole (refs/pr/1 → refs%2Fpr%2F1), filename encoded per path segment.

export const DEFAULT_HF_ENDPOINT = 'https://huggingface.co';

export interface HubFile {
  /** `owner/repo` (or `datasets/owner/repo`, `spaces/owner/repo`: the URL prefix huggingface_hub uses). */
  readonly repo: string;
  readonly path: string;
  readonly revision: string;
}

const REPO_TYPE_PREFIXES = new Set(['datasets', 'spaces']);

/**
 * Parses `hf://…`. The revision may follow the file (`hf://o/r/model.bin@v1`) or the repo, as in
 * huggingface_hub's HfFileSystem (`hf://o/r@v1/model.bin`). Throws a one-line Error on anything else.
 */
export function parseHubUrl(text: string): HubFile {
  if (!text.startsWith('hf://')) throw new Error(`${text}: not an hf:// URL`);
  const segments = text.slice('hf://'.length).split('/');
  const prefix = REPO_TYPE_PREFIXES.has(segments[0] ?? '') ? [segments.shift()!] : [];
  const [owner, repoPart, ...pathParts] = segments;
  let repoName = repoPart ?? '';
  let revision: string | undefined;
  const repoAt = repoName.indexOf('@');
  if (repoAt >= 0) {
    revision = decodeURIComponent(repoName.slice(repoAt + 1));
    repoName = repoName.slice(0, repoAt);
  }
  let path = pathParts.join('/');
  const pathAt = path.lastIndexOf('@');
  if (revision === undefined && pathAt >= 0) {
    revision = path.slice(pathAt + 1);
    path = path.slice(0, pathAt);
  }
  if (!owner || !repoName || !path || path.split('/').some((s) => s === '' || s === '.' || s === '..') || revision === '') {
    throw new Error(`${text}: expected hf://owner/repo/path/in/repo[@revision]`);
  }
  return { repo: [...prefix, owner, repoName].join('/'), path, revision: revision ?? 'main' };
}

export function hubResolveUrl(file: HubFile, endpoint: string = DEFAULT_HF_ENDPOINT): string {
  const base = endpoint.replace(/\/+$/, '');
  const filename = file.path.split('/').map(encodeURIComponent).join('/');
  return `${base}/${file.repo}/resolve/${encodeURIComponent(file.revision)}/${filename}`;
}
