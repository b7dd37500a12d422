import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseLabelCsv, parseTypedLabels, splitCsvLine } from '../../../src/ast/labels';

describe('label CSVs for Convert to HF AST', () => {
  it('reads the display_name column of AudioSet\'s class_labels_indices.csv, quotes and commas included', () => {
    const csv = 'index,mid,display_name\r\n0,/m/09x0r,"Speech"\r\n1,/m/05zppz,"Male speech, man speaking"\r\n';
    assert.deepEqual(parseLabelCsv(csv), ['Speech', 'Male speech, man speaking']);
  });

  it('takes one label per line, and the last column of headerless index,label rows', () => {
    assert.deepEqual(parseLabelCsv('dog\ncat\n\nbird\n'), ['dog', 'cat', 'bird']);
    assert.deepEqual(parseLabelCsv('0,dog\n1,cat\n'), ['dog', 'cat']);
  });

  it('splits a single line into its fields', () => {
    assert.deepEqual(parseLabelCsv('\uFEFFdog, cat ,bird'), ['dog', 'cat', 'bird']);
  });

  it('keeps escaped quotes and drops empty typed entries', () => {
    assert.deepEqual(splitCsvLine('"say ""hi""",b'), ['say "hi"', 'b']);
    assert.deepEqual(parseTypedLabels('a,, "b, c" ,'), ['a', 'b, c']);
  });
});
