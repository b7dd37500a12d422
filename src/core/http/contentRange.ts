// `Content-Range` and `multipart/byteranges` (RFC 9110 §14.4, §14.6): what a 206 says it holds.

export interface ContentRange {
  /** First byte, inclusive; undefined when the range is `*` (the answer to an unsatisfiable range). */
  readonly start?: number;
  /** Last byte, inclusive. */
  readonly end?: number;
  /** Whole file size; undefined when the server says `*`. */
  readonly total?: number;
}

export function parseContentRange(header: string | null): ContentRange | undefined {
  const m = header === null ? null : /^\s*bytes\s+(?:(\d+)-(\d+)|\*)\/(\d+|\*)\s*$/i.exec(header);
  if (!m) return undefined;
  const total = m[3] === '*' ? undefined : Number(m[3]);
  return m[1] === undefined ? { total } : { start: Number(m[1]), end: Number(m[2]), total };
}

export interface BytePart {
  readonly start: number;
  readonly bytes: Uint8Array;
}

/** The parts of a multipart/byteranges body; undefined when it is not one (malformed, or a part's range is missing). */
export function parseByteRanges(body: Uint8Array, contentType: string | null): BytePart[] | undefined {
  const boundary = /multipart\/byteranges\s*;.*boundary=("?)([^";]+)\1/i.exec(contentType ?? '')?.[2];
  if (boundary === undefined) return undefined;
  const delimiter = new TextEncoder().encode(`--${boundary}`);
  const parts: BytePart[] = [];
  let at = indexOf(body, delimiter, 0);
  while (at >= 0) {
    at += delimiter.length;
    if (body[at] === 0x2d && body[at + 1] === 0x2d) return parts; // closing delimiter
    const headersEnd = indexOf(body, CRLF_CRLF, at);
    if (headersEnd < 0) return undefined;
    const headers = new TextDecoder('latin1').decode(body.subarray(at, headersEnd));
    const range = parseContentRange(/content-range:\s*([^\r\n]*)/i.exec(headers)?.[1] ?? null);
    if (range?.start === undefined || range.end === undefined) return undefined;
    const dataStart = headersEnd + CRLF_CRLF.length;
    const dataEnd = dataStart + range.end - range.start + 1;
    if (dataEnd > body.length) return undefined;
    parts.push({ start: range.start, bytes: body.subarray(dataStart, dataEnd) });
    at = indexOf(body, delimiter, dataEnd);
  }
  return undefined;
}

const CRLF_CRLF = new Uint8Array([13, 10, 13, 10]);

function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  outer: for (let i = from; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
