/** Display formatting shared by the header, the table, the tooltip and the statistics panel. */

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${units[u]}`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** `[576, 192]`, `[]` for scalars: the way torch prints `tensor.shape` as a list. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Parameter counts as people say them: 5.5 M, 86.2 M, 1.3 B. */
export function formatParameters(n: number): string {
  if (n < 1e4) return formatCount(n);
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} K`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)} M`;
  return `${(n / 1e9).toFixed(2)} B`;
}

/** Statistics values: enough digits to compare with torch by eye, exponent for extremes. */
export function formatStat(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e5 || a < 1e-4 ? v.toExponential(6) : v.toPrecision(7);
}

export function formatOffset(offset: number): string {
  return `${formatCount(offset)} (0x${offset.toString(16)})`;
}
