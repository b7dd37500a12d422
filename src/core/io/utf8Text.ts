/**
 * UTF-8 strings out of one byte array, many times over (pickle strings, zip entry names: 100 k of
 * them for a large checkpoint), through one TextDecoder: as fast as Node's Buffer decoding here and
 * available on every platform (invalid sequences become U+FFFD, as they did with Buffer). Building
 * short strings char by char instead measured 3–5× slower (rope strings flattened later as Map keys).
 */
export class Utf8Text {
  private readonly decoder = new TextDecoder('utf-8');

  constructor(private readonly bytes: Uint8Array) {}

  slice(start: number, end: number): string {
    return this.decoder.decode(this.bytes.subarray(start, end));
  }
}
