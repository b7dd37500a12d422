// A remote file downloaded to a temporary file (servers without Range support), progress on stderr; the
// file is removed when its source closes.
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadHttp, type DownloadProgress } from '../core/http/httpDownload';
import type { HttpRequestOptions } from '../core/http/httpRequest';
import type { ByteSource } from '../core/io/byteSource';
import { humanBytes } from './inspectReport';
import { openCliSource } from './cliSource';

const PROGRESS_EVERY_MS = 500;

export async function downloadToTempFile(name: string, url: string, options: HttpRequestOptions): Promise<ByteSource> {
  const dir = mkdtempSync(join(tmpdir(), 'ckpt-ast-download-'));
  const path = join(dir, 'download');
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    const out = createWriteStream(path);
    let shown = 0;
    const show = (p: DownloadProgress): void => {
      process.stderr.write(`\rdownloading: ${humanBytes(p.received)}${p.total !== undefined ? ` of ${humanBytes(p.total)}` : ''}   `);
    };
    const write = (chunk: Uint8Array): Promise<void> => new Promise((resolve, reject) => {
      if (out.write(chunk)) resolve();
      else out.once('drain', resolve).once('error', reject);
    });
    try {
      const done = await downloadHttp(name, url, options, write, (p) => {
        if (Date.now() - shown >= PROGRESS_EVERY_MS) { shown = Date.now(); show(p); }
      });
      show(done);
      process.stderr.write('\n');
    } finally {
      await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    }
    const file = await openCliSource(path);
    return { ...file, name, read: (o, l) => file.read(o, l), readInto: file.readInto?.bind(file), close: async () => { await file.close(); remove(); } };
  } catch (err) {
    remove();
    throw err;
  }
}
