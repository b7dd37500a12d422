/**
 * Label names from a CSV, as users keep them next to their checkpoints: AudioSet's
 * `class_labels_indices.csv` (index,mid,display_name with a header), one label per line,
 * `index,label` pairs, or a single comma-separated line. Shared by the CLI's --labels and the prompts.
 */

const HEADER_NAMES = ['display_name', 'label', 'labels', 'name', 'class', 'class_name'];

/** Splits one CSV line, honouring double quotes ("a, b" and "" escapes). */
export function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { fields.push(field.trim()); field = ''; }
    else field += c;
  }
  fields.push(field.trim());
  return fields;
}

/** The labels a CSV holds, in order; [] when it holds none. */
export function parseLabelCsv(text: string): string[] {
  const rows = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim() !== '').map(splitCsvLine);
  if (rows.length === 0) return [];
  const header = rows[0].map((h) => h.toLowerCase());
  const named = header.findIndex((h) => HEADER_NAMES.includes(h));
  if (named >= 0) return rows.slice(1).map((r) => r[named] ?? '').filter((l) => l !== '');
  if (rows.length === 1) return rows[0].filter((l) => l !== '');
  // Several rows without a known header: the label is the last column (`index,label`, `index,mid,name`).
  return rows.map((r) => r[r.length - 1]).filter((l) => l !== '');
}

/** A typed list: comma-separated, quotes allowed for names holding commas. */
export function parseTypedLabels(text: string): string[] {
  return splitCsvLine(text).filter((l) => l !== '');
}
