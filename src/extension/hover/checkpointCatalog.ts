/**
 * The set of checkpoints key hovers answer from. Files are indexed from metadata only (one bounded
 * queue, started lazily), cached by path + mtime + size, and looked up in memory:
 * a lookup never reads a file. Pure: no vscode; the reading functions are passed in so the
 * same catalog serves the extension, the tests and the benchmark.
 */
import type { ByteSource } from '../../core/io/byteSource';
import type { CheckpointFormat } from '../../core/checkpointIndex';
import { readCheckpointKeys, type CheckpointKeysData } from '../../ast/checkpointKeysData';
import { CheckpointKeys, keyQuery, type KeyLookupHit } from './checkpointKeys';

/** A file to index, with the stat values its cache entry is keyed by. */
export interface CatalogFile {
  /** The file's identity, opaque here: a path (tests, bench) or a URI string (the extension). */
  readonly path: string;
  readonly mtimeMs: number;
  readonly size: number;
}

export interface CatalogReader {
  /** What hovers need of the file at `path` (the extension asks its reading worker). */
  readKeys(path: string): Promise<CheckpointKeysData>;
}

/** A reader that lists files on this thread from the sources `openSource` gives (tests, benchmarks). */
export function keysReader(openSource: (path: string) => Promise<ByteSource>): CatalogReader {
  return {
    async readKeys(path) {
      const source = await openSource(path);
      try {
        return await readCheckpointKeys(source);
      } finally {
        await source.close();
      }
    },
  };
}

export interface CatalogEntry {
  readonly path: string;
  readonly stamp: string;
  /** Set when the file was read; undefined with `error`. */
  readonly keys?: CheckpointKeys;
  readonly format?: CheckpointFormat;
  /** One line: why the file could not be indexed. */
  readonly error?: string;
}

export interface CatalogAnswer {
  readonly entry: CatalogEntry & { readonly keys: CheckpointKeys };
  readonly hit: KeyLookupHit;
}

export class CheckpointCatalog {
  private readonly entries = new Map<string, CatalogEntry>();
  /** Path → stamp the catalog should end up holding (queued, running or done). */
  private readonly wanted = new Map<string, string>();
  private readonly queue: CatalogFile[] = [];
  private running = 0;
  private readonly idleWaiters: (() => void)[] = [];
  private readonly listeners = new Set<() => void>();
  private preferred: string | undefined;
  private pinned: readonly string[] = [];
  private reading: boolean;

  /**
   * `concurrency` 1 by default: reading metadata is mostly parsing on one thread, so files read side
   * by side only delay the first answer (measured in bench/hover-index.results.md). A `lazy` catalog
   * (the extension's) queues files but reads none before `start()` or an urgent add.
   */
  constructor(
    private readonly reader: CatalogReader,
    private readonly concurrency = 1,
    lazy = false,
  ) {
    this.reading = !lazy;
  }

  /** Called after every change of the indexed set, the order or the queue. */
  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Checkpoints that answer hovers. */
  get indexedCount(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.keys) n++;
    return n;
  }

  get failedCount(): number {
    return this.entries.size - this.indexedCount;
  }

  /**
   * False until something asks: files are queued but none is read before the first hover over a
   * key-like string, an opened checkpoint (an urgent add) or `start()`.
   */
  get started(): boolean {
    return this.reading;
  }

  /** Starts reading the queue (idempotent). */
  start(): void {
    if (this.reading) return;
    this.reading = true;
    this.fire();
    this.pump();
  }

  /** Files queued or being read. */
  get pendingCount(): number {
    return this.queue.length + this.running;
  }

  get preferredPath(): string | undefined {
    return this.preferred;
  }

  /** The checkpoint that answers first when several hold a key (undefined: automatic order). */
  setPreferred(path: string | undefined): void {
    this.preferred = path;
    this.fire();
  }

  /** Checkpoints open in the inspector, most recent first: they answer before the workspace. */
  setPinned(paths: readonly string[]): void {
    this.pinned = paths;
    this.fire();
  }

  /** Answering order: the preferred file, then open files, then the rest in the order they were added. */
  entriesInOrder(): CatalogEntry[] {
    const paths = new Set([this.preferred, ...this.pinned, ...this.wanted.keys()]);
    const ordered: CatalogEntry[] = [];
    for (const path of paths) {
      const e = path === undefined ? undefined : this.entries.get(path);
      if (e) ordered.push(e);
    }
    return ordered;
  }

  /**
   * Queues `file` unless the cache already holds it with the same mtime and size.
   * `urgent` files (just opened by the user) jump the queue.
   */
  add(file: CatalogFile, urgent = false): void {
    const stamp = `${file.mtimeMs}:${file.size}`;
    if (this.wanted.get(file.path) === stamp) {
      if (urgent) this.moveToFront(file.path);
      return;
    }
    this.wanted.set(file.path, stamp);
    const queuedAt = this.queue.findIndex((f) => f.path === file.path);
    if (queuedAt >= 0) this.queue.splice(queuedAt, 1);
    if (urgent) this.queue.unshift(file);
    else this.queue.push(file);
    this.fire();
    if (urgent) this.start();
    this.pump();
  }

  remove(path: string): void {
    this.wanted.delete(path);
    const queuedAt = this.queue.findIndex((f) => f.path === path);
    if (queuedAt >= 0) this.queue.splice(queuedAt, 1);
    if (this.entries.delete(path) || queuedAt >= 0) this.fire();
  }

  /** Drops every file not in `keep` (after a rescan with new settings). */
  retainOnly(keep: ReadonlySet<string>): void {
    for (const path of [...this.wanted.keys()]) if (!keep.has(path)) this.remove(path);
  }

  /** Forgets everything, so the next `add` reads every file again. */
  clear(): void {
    this.wanted.clear();
    this.queue.length = 0;
    this.entries.clear();
    this.fire();
  }

  /** Resolves when nothing is queued or being read (at once while not started: nothing would ever read). */
  whenIdle(): Promise<void> {
    if (this.pendingCount === 0 || !this.reading) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Every indexed checkpoint's answer for `text`, in answering order. Memory only. */
  lookup(text: string): CatalogAnswer[] {
    const query = keyQuery(text);
    const answers: CatalogAnswer[] = [];
    if (query.tails.length === 0) return answers;
    for (const entry of this.entriesInOrder()) {
      const keys = entry.keys;
      const hit = keys?.lookup(query);
      if (keys && hit) answers.push({ entry: { ...entry, keys }, hit });
    }
    return answers;
  }

  private moveToFront(path: string): void {
    const at = this.queue.findIndex((f) => f.path === path);
    if (at > 0) this.queue.unshift(...this.queue.splice(at, 1));
  }

  private pump(): void {
    while (this.reading && this.running < this.concurrency && this.queue.length > 0) {
      const file = this.queue.shift() as CatalogFile;
      this.running++;
      void this.index(file).finally(() => {
        this.running--;
        this.fire();
        this.pump();
        if (this.pendingCount === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
      });
    }
  }

  private async index(file: CatalogFile): Promise<void> {
    const stamp = `${file.mtimeMs}:${file.size}`;
    let entry: CatalogEntry;
    try {
      const data = await this.reader.readKeys(file.path);
      entry = { path: file.path, stamp, keys: new CheckpointKeys(data, data.mapping), format: data.format };
    } catch (err) {
      entry = { path: file.path, stamp, error: oneLine(err) };
    }
    // The file may have changed or left the workspace while it was being read.
    if (this.wanted.get(file.path) === stamp) this.entries.set(file.path, entry);
  }

  private fire(): void {
    for (const listener of this.listeners) listener();
  }
}

function oneLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0] ?? message;
}
