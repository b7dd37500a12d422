import { existsSync } from 'node:fs';
import { open, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { OutputFile, OutputFolder, OutputSink } from '../ast/outputSink';
import { openFileSource } from './nodeFileSource';
import { commitStaging, commitStagedFile, createStaging, removeStaleStaging } from './stagingFolder';

/** An OutputFolder over the directory `dir` (a staging folder, or any folder to verify). */
export function nodeOutputFolder(dir: string): OutputFolder {
  return {
    name: dir,
    async createFile(file): Promise<OutputFile> {
      const handle = await open(join(dir, file), 'wx');
      return {
        write: async (bytes, position) => (await handle.write(bytes, 0, bytes.byteLength, position)).bytesWritten,
        sync: () => handle.sync(),
        close: () => handle.close(),
      };
    },
    writeText: (file, text) => writeFile(join(dir, file), text),
    readText: (file) => readFile(join(dir, file), 'utf8'),
    openSource: (file) => openFileSource(join(dir, file)),
  };
}

/** Conversions into local folders: staging beside the destination, committed by rename. */
export const nodeOutputSink: OutputSink = {
  resolve: (outDir) => resolve(outDir),
  pathIn: (dest, file) => join(dest, file),
  exists: async (dest) => existsSync(dest),
  async stage(dest) {
    await removeStaleStaging(dest);
    return nodeOutputFolder(await createStaging(dest));
  },
  commit: (folder, dest, replace) => commitStaging(folder.name, dest, replace),
  commitFile: (folder, file, destFile, replace) => commitStagedFile(folder.name, file, destFile, replace),
  discard: (folder) => rm(folder.name, { recursive: true, force: true }),
  async sha256(bytes) {
    // Loaded on first use: listing (which never hashes) starts without node:crypto.
    const { createHash } = await import('node:crypto');
    return createHash('sha256').update(bytes).digest('hex');
  },
};
