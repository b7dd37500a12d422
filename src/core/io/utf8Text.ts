/** Longest string decoded by the ASCII loop; past it TextDecoder is faster than building the string. */
const ASCII_LOOP_MAX = 48;

/**
 * UTF-8 strings out of one byte array, many times over (pickle strings, zip entry names: 100 k of
 * them for a large checkpoint). Short ASCII strings — nearly all of them — are built straight from
 * the bytes without a subarray view each; the rest go through one TextDecoder (invalid sequences
 * become U+FFFD, as Buffer's decoding does). No Node `Buffer`: the core runs anywhere.
 */
export class Utf8Text {
  private readonly decoder = new TextDecoder('utf-8');

  constructor(private readonly bytes: Uint8Array) {}

  slice(start: number, end: number): string {
    const bytes = this.bytes;
    if (end - start <= ASCII_LOOP_MAX) {
      let text = '';
      let i = start;
      for (; i < end; i++) {
        const b = bytes[i]!;
        if (b >= 0x80) break;
        text += String.fromCharCode(b);
      }
      if (i === end) return text;
    }
    return this.decoder.decode(bytes.subarray(start, end));
  }
}
