/** Protocol 0 writes some values as text lines; these decode them exactly as CPython reads them. */

/** STRING: a quoted Python 2 `repr` with backslash escapes; returns the bytes it denotes. */
export function decodeQuotedString(line: string): Uint8Array | undefined {
  const quote = line[0];
  if (line.length < 2 || (quote !== "'" && quote !== '"') || line[line.length - 1] !== quote) return undefined;
  const body = line.slice(1, -1);
  const out: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') { out.push(c.charCodeAt(0) & 0xff); continue; }
    const next = body[++i];
    switch (next) {
      case 'n': out.push(10); break;
      case 't': out.push(9); break;
      case 'r': out.push(13); break;
      case 'a': out.push(7); break;
      case 'b': out.push(8); break;
      case 'f': out.push(12); break;
      case 'v': out.push(11); break;
      case 'x': out.push(parseInt(body.slice(i + 1, i + 3), 16) & 0xff); i += 2; break;
      case '\n': break;
      default:
        if (next !== undefined && next >= '0' && next <= '7') {
          const digits = /^[0-7]{1,3}/.exec(body.slice(i))![0];
          out.push(parseInt(digits, 8) & 0xff);
          i += digits.length - 1;
        } else {
          if (next !== '\\' && next !== "'" && next !== '"') out.push(0x5c);
          if (next !== undefined) out.push(next.charCodeAt(0) & 0xff);
        }
    }
  }
  return Uint8Array.from(out);
}

/** UNICODE: raw-unicode-escape, i.e. latin-1 text where only \uXXXX and \UXXXXXXXX are escapes. */
export function decodeRawUnicodeEscape(line: string): string {
  return line.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_m, short?: string, long?: string) =>
    String.fromCodePoint(parseInt((short ?? long)!, 16)));
}
