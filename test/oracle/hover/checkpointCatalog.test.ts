import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { countingSource, type CountingSource } from '../../../src/core/io/countingSource';
import { openFileSource } from '../../../src/node/nodeFileSource';
import { CheckpointCatalog, keysReader, type CatalogFile } from '../../../src/extension/hover/checkpointCatalog';
import { hoverMarkdown } from '../../../src/extension/hover/hoverMarkdown';
import { fixturesDir } from '../../harness/paths';
import { writeSsastSample, type TorchTensorFacts } from '../../helpers/ssastSample';
import { runPython, tempDir } from '../../helpers/torch';

/** A catalog over real files that records every source it opens and every read made through them. */
function countingCatalog(): { catalog: CheckpointCatalog; opened: string[]; reads: () => number } {
  const opened: string[] = [];
  const sources: CountingSource[] = [];
  const catalog = new CheckpointCatalog(keysReader(async (path) => {
    opened.push(path);
    const source = countingSource(await openFileSource(path));
    sources.push(source);
    return source;
  }));
  return { catalog, opened, reads: () => sources.reduce((n, s) => n + s.reads, 0) };
}

function fileOf(path: string): CatalogFile {
  const st = statSync(path);
  return { path, mtimeMs: st.mtimeMs, size: st.size };
}

describe('CheckpointCatalog over torch-written checkpoints', () => {
  const tmp = tempDir('hover-catalog-');
  let facts: Record<string, TorchTensorFacts>;
  const ssast = join(tmp.dir, 'ssast-tiny.pth');
  const copy = join(tmp.dir, 'copy.pth');
  const notes = join(tmp.dir, 'notes.pth');

  before(async () => {
    facts = await writeSsastSample(fixturesDir(), ssast);
    await runPython('import sys, torch\ntorch.save({"model": torch.load(sys.argv[1])}, sys.argv[2])', [ssast, copy]);
    writeFileSync(notes, 'not a checkpoint, just text named like one\n');
  });
  after(() => tmp.cleanup());

  it('indexes in the background and then answers lookups without any file I/O', async () => {
    const { catalog, opened, reads } = countingCatalog();
    for (const path of [ssast, copy, notes]) catalog.add(fileOf(path));
    await catalog.whenIdle();
    assert.equal(catalog.indexedCount, 2);
    assert.equal(catalog.failedCount, 1, 'the text file is listed as unreadable, not dropped silently');
    const readsAfterIndexing = reads();
    const opensAfterIndexing = opened.length;

    for (const miss of ['unrelated', 'cuda:0', 'module.v.blocks.99.attn', 'encoder.layer.7.output', 'a'.repeat(500)]) {
      assert.deepEqual(catalog.lookup(miss), [], miss);
    }
    const hits = catalog.lookup('module.v.blocks.0.attn.qkv.weight');
    assert.deepEqual(hits.map((h) => h.entry.path), [ssast, copy]);
    assert.equal(reads(), readsAfterIndexing, 'lookups read nothing');
    assert.equal(opened.length, opensAfterIndexing, 'lookups open nothing');
  });

  it('reads a file again only when its mtime or size changes', async () => {
    const { catalog, opened } = countingCatalog();
    const file = fileOf(ssast);
    catalog.add(file);
    await catalog.whenIdle();
    catalog.add(file);
    await catalog.whenIdle();
    assert.deepEqual(opened, [ssast]);
    catalog.add({ ...file, mtimeMs: file.mtimeMs + 1000 });
    await catalog.whenIdle();
    assert.deepEqual(opened, [ssast, ssast]);
    catalog.remove(ssast);
    assert.equal(catalog.indexedCount, 0);
    assert.deepEqual(catalog.lookup('module.v.cls_token'), []);
  });

  it('answers from the preferred checkpoint first, then open ones, then the rest', async () => {
    const { catalog } = countingCatalog();
    catalog.add(fileOf(ssast));
    catalog.add(fileOf(copy));
    await catalog.whenIdle();
    const order = () => catalog.lookup('v.cls_token').map((h) => h.entry.path);
    assert.deepEqual(order(), [ssast, copy]);
    catalog.setPinned([copy]);
    assert.deepEqual(order(), [copy, ssast]);
    catalog.setPreferred(ssast);
    assert.deepEqual(order(), [ssast, copy]);
  });

  it('renders dtype, shape, size, HF targets and the inspector link as Markdown', async () => {
    const { catalog } = countingCatalog();
    catalog.add(fileOf(ssast));
    catalog.add(fileOf(copy));
    await catalog.whenIdle();
    const qkv = facts['module.v.blocks.0.attn.qkv.weight'] as TorchTensorFacts;
    const links: [string, string | undefined][] = [];
    const markdown = hoverMarkdown(catalog.lookup('module.v.blocks.0.attn.qkv.weight'), {
      displayPath: (path) => path.slice(tmp.dir.length + 1),
      openLink: (path, tensor) => {
        links.push([path, tensor]);
        return 'command:open';
      },
    });
    assert.ok(markdown);
    for (const expected of [qkv.dtype, qkv.shapeText, qkv.numel.toLocaleString('en-US'), qkv.bytes.toLocaleString('en-US'), 'ssast-tiny.pth', `Also in \`copy.pth\` \`${qkv.shapeText}\``]) {
      assert.ok(markdown.includes(expected), `${expected} missing from:\n${markdown}`);
    }
    for (const part of ['query', 'key', 'value']) assert.ok(markdown.includes(`encoder.layer.0.attention.attention.${part}.weight`), part);
    assert.deepEqual(links, [[ssast, 'module.v.blocks.0.attn.qkv.weight']]);

    const templated = 'module.v.blocks.{i}.attn.qkv.weight';
    const fromTemplate = hoverMarkdown(catalog.lookup(templated), { displayPath: (p) => p, openLink: () => 'command:open' }, templated);
    assert.ok(fromTemplate?.includes(qkv.shapeText) && fromTemplate.includes('read as 0'), fromTemplate);

    const hf = hoverMarkdown(catalog.lookup('encoder.layer.0.attention.attention.key.weight'), { displayPath: (p) => p, openLink: () => 'command:open' });
    const d = (qkv.shape[0] as number) / 3;
    assert.ok(hf?.includes(`module.v.blocks.0.attn.qkv.weight`) && hf.includes(`rows ${d}–${2 * d}`), hf);
  });
});
