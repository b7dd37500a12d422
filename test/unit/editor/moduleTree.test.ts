import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TensorRow } from '../../../src/protocol/messages';
import { ancestorGroupIds, groupedList } from '../../../webview/model/moduleTree';

function row(name: string, status: TensorRow['status'] = 'mapped'): TensorRow {
  return { name, dtype: 'float32', shape: [2], stride: [1], storageOffset: 0, storageKey: '0', numel: 2, bytes: 8, byteRange: [0, 8], status, targets: [] };
}

const names = [
  'module.v.cls_token',
  ...[0, 1, 2].flatMap((i) => [`module.v.blocks.${i}.attn.qkv.weight`, `module.v.blocks.${i}.attn.qkv.bias`]),
  'module.gpredlayer.0.weight',
];
const rows = names.map((n) => row(n, n.includes('gpred') ? 'dropped' : 'mapped'));
const all = rows.map((_, i) => i);

describe('module tree grouping', () => {
  it('merges single-child chains and starts indexed blocks collapsed', () => {
    const items = groupedList(rows, all, new Map());
    const outline = items.map((it) => (it.kind === 'group' ? `${'  '.repeat(it.depth)}[${it.label}${it.expanded ? '' : ' +'}] ${it.tensors}` : `${'  '.repeat(it.depth)}${it.label}`));
    assert.deepEqual(outline, [
      '[module] 8',
      '  [v] 7',
      '    cls_token',
      '    [blocks +] 6',
      '  [gpredlayer.0] 1',
      '    weight',
    ]);
  });

  it('expands a group the user opened, its layers still collapsed, and counts unmapped tensors per group', () => {
    const items = groupedList(rows, all, new Map([['module.v.blocks', true]]));
    const blocks = items.filter((it) => it.kind === 'group' && /^\d$/.test(it.label.split('.')[0]!));
    assert.deepEqual(blocks.map((b) => b.kind === 'group' && [b.label, b.expanded]), [['0.attn.qkv', false], ['1.attn.qkv', false], ['2.attn.qkv', false]]);
    const opened = groupedList(rows, all, new Map([['module.v.blocks', true], ['module.v.blocks.1.attn.qkv', true]]));
    assert.deepEqual(opened.filter((i) => i.kind === 'tensor' && i.depth === 4).map((i) => i.kind === 'tensor' && rows[i.row]!.name), ['module.v.blocks.1.attn.qkv.weight', 'module.v.blocks.1.attn.qkv.bias']);
    const root = items[0]!;
    assert.ok(root.kind === 'group' && root.unmapped === 1);
  });

  it('groups only the rows it is given, in their order', () => {
    const items = groupedList(rows, [7, 0], new Map());
    assert.deepEqual(items.filter((i) => i.kind === 'tensor').map((i) => i.kind === 'tensor' && i.row), [7, 0]);
  });

  it('lists a tensor inside collapsed layers once its ancestor groups are expanded (revealing a row)', () => {
    const name = 'module.v.blocks.2.attn.qkv.bias';
    assert.deepEqual(ancestorGroupIds(name), ['module', 'module.v', 'module.v.blocks', 'module.v.blocks.2', 'module.v.blocks.2.attn', 'module.v.blocks.2.attn.qkv']);
    const shown = (expanded: Map<string, boolean>) => groupedList(rows, all, expanded).some((i) => i.kind === 'tensor' && rows[i.row]!.name === name);
    assert.equal(shown(new Map()), false, 'hidden in the collapsed layer stack at first');
    assert.equal(shown(new Map([['module', false], ...ancestorGroupIds(name).map((id) => [id, true] as const)])), true);
  });
});
