/**
 * The Python literals an .npy header is written in (`{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`):
 * strings, ints, True/False/None, tuples, lists and dicts. Parsed, never evaluated.
 */
export type PyLiteral = string | number | boolean | null | readonly PyLiteral[] | ReadonlyMap<string, PyLiteral>;

export function parsePythonLiteral(text: string): PyLiteral {
  let at = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at character ${at}`);
  };
  const space = () => {
    while (at < text.length && /\s/.test(text[at]!)) at++;
  };
  const value = (depth: number): PyLiteral => {
    if (depth > 32) fail('literal nested too deeply');
    space();
    const c = text[at];
    if (c === "'" || c === '"') return string(c);
    if (c === '(' || c === '[') return sequence(c === '(' ? ')' : ']', depth);
    if (c === '{') return dict(depth);
    const word = /^(?:True|False|None|-?\d+)/.exec(text.slice(at, at + 24))?.[0];
    if (word === undefined) return fail(`unexpected ${c === undefined ? 'end' : JSON.stringify(c)}`);
    at += word.length;
    if (word === 'True') return true;
    if (word === 'False') return false;
    if (word === 'None') return null;
    // 'L' suffix: Python 2 longs in old headers.
    if (text[at] === 'L') at++;
    return Number(word);
  };
  const string = (quote: string): string => {
    let out = '';
    for (at++; text[at] !== quote; at++) {
      if (at >= text.length) fail('unterminated string');
      if (text[at] === '\\') at++;
      out += text[at];
    }
    at++;
    return out;
  };
  const items = (close: string, one: () => void) => {
    at++;
    for (;;) {
      space();
      if (text[at] === close) break;
      one();
      space();
      if (text[at] === ',') at++;
      else if (text[at] !== close) fail(`expected , or ${close}`);
    }
    at++;
  };
  const sequence = (close: string, depth: number): PyLiteral[] => {
    const out: PyLiteral[] = [];
    items(close, () => out.push(value(depth + 1)));
    return out;
  };
  const dict = (depth: number): Map<string, PyLiteral> => {
    const out = new Map<string, PyLiteral>();
    items('}', () => {
      const key = value(depth + 1);
      space();
      if (text[at] !== ':') fail('expected :');
      at++;
      out.set(String(key), value(depth + 1));
    });
    return out;
  };
  const result = value(0);
  space();
  if (at < text.length) fail('text after the literal');
  return result;
}
