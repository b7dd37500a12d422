import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stringAtPosition } from '../../../src/extension/hover/stringAtPosition';

/** The string found when the cursor sits on the first occurrence of `marker` in `line`. */
function at(line: string, marker: string, languageId: string): string | undefined {
  const column = line.indexOf(marker);
  assert.ok(column >= 0, `marker ${marker} not in ${line}`);
  return stringAtPosition(line, column, languageId)?.text;
}

describe('stringAtPosition', () => {
  describe('python', () => {
    it('reads single- and double-quoted keys, quotes included in the range', () => {
      const line = `w = sd["module.v.blocks.0.attn.qkv.weight"] + sd['module.v.norm.bias']`;
      assert.equal(at(line, 'qkv', 'python'), 'module.v.blocks.0.attn.qkv.weight');
      assert.equal(at(line, 'norm', 'python'), 'module.v.norm.bias');
      const range = stringAtPosition(line, line.indexOf('"'), 'python');
      assert.deepEqual([range?.start, range?.end], [line.indexOf('"'), line.indexOf(']')]);
    });

    it('handles prefixes, escapes and triple quotes', () => {
      assert.equal(at(`k = f"module.v.{name}"`, 'module', 'python'), 'module.v.{name}');
      assert.equal(at(`k = r'v.pos_embed'`, 'pos', 'python'), 'v.pos_embed');
      assert.equal(at(`k = "say \\"module.v\\" now"`, 'now', 'python'), 'say "module.v" now');
      assert.equal(at(`k = """v.cls_token"""`, 'cls', 'python'), 'v.cls_token');
    });

    it('finds nothing in code outside strings, but reads words in comments', () => {
      assert.equal(at(`x = model.v.blocks  # see v.norm.weight`, 'blocks', 'python'), undefined);
      assert.equal(at(`x = model.v.blocks  # see v.norm.weight`, 'norm', 'python'), 'v.norm.weight');
      assert.equal(at(`s = "a # not a comment" # v.cls_token`, 'not', 'python'), 'a # not a comment');
    });

    it('runs an unterminated literal to the end of the line', () => {
      assert.equal(at(`k = "module.v.cls_token`, 'cls', 'python'), 'module.v.cls_token');
    });
  });

  describe('json', () => {
    it('reads keys and values, resolving escapes', () => {
      const line = `  "module.v.cls_token": "encoder\\u002elayer",`;
      assert.equal(at(line, 'cls', 'jsonc'), 'module.v.cls_token');
      assert.equal(at(line, 'encoder', 'json'), 'encoder.layer');
      assert.equal(at(`{"a": 1}`, '1', 'json'), undefined);
    });
  });

  describe('yaml', () => {
    it('reads quoted and plain scalars, keys and list items', () => {
      assert.equal(at(`freeze: 'module.v.blocks.0'`, 'blocks', 'yaml'), 'module.v.blocks.0');
      assert.equal(at(`freeze: 'it''s v.norm'`, 'norm', 'yaml'), "it's v.norm");
      assert.equal(at(`  - module.v.patch_embed.proj.weight`, 'patch', 'yaml'), 'module.v.patch_embed.proj.weight');
      assert.equal(at(`v.norm.weight: frozen`, 'norm', 'yaml'), 'v.norm.weight');
      assert.equal(at(`x: 1 # v.cls_token`, 'cls', 'yaml'), 'v.cls_token');
    });
  });

  describe('markdown and plain text', () => {
    it('reads code spans, double quotes and bare dotted words, not apostrophes', () => {
      assert.equal(at('The `module.v.pos_embed` has 514 rows.', 'pos', 'markdown'), 'module.v.pos_embed');
      assert.equal(at(`It's "encoder.layer.3" we load`, 'encoder', 'markdown'), 'encoder.layer.3');
      assert.equal(at(`don't touch module.v.norm.`, 'norm', 'plaintext'), 'module.v.norm');
      assert.equal(at(`see ckpt/model.pth today`, 'model', 'plaintext'), 'ckpt/model.pth');
      assert.equal(stringAtPosition('a  b', 1, 'plaintext'), undefined);
    });
  });
});
