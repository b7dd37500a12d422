// Benchmark of the editor's row query (webview/model/rowQuery.ts): filtering and sorting 100,000 tensor rows, what
// every keystroke in the filter box costs. The frame budget is the target; the unit test checks only the result.
//
//   npx esbuild bench/row-query.ts --bundle --platform=node --format=cjs --outfile=out/bench/row-query.js
//   node out/bench/row-query.js [--rows 100000] [--runs 21]
import { performance } from 'node:perf_hooks';
import type { TensorRow } from '../src/protocol/messages';
import { queryRows } from '../webview/model/rowQuery';

const BUDGET_MS = 16;

function option(flag: string, fallback: number): number {
  const at = process.argv.indexOf(flag);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

function row(i: number): TensorRow {
  const numel = (i % 97) + 1;
  return {
    name: `layer.${i}.weight`, dtype: 'float32', shape: [numel], stride: [1], storageOffset: 0, storageKey: String(i),
    numel, bytes: numel * 4, byteRange: [0, numel * 4], status: 'mapped', targets: [],
  };
}

const count = option('--rows', 100_000);
const runs = option('--runs', 21);
const rows = Array.from({ length: count }, (_, i) => row(i));
const times: number[] = [];
let kept = 0;
for (let run = 0; run < runs; run++) {
  const started = performance.now();
  kept = queryRows(rows, { filter: 'layer.9999', onlyUnmapped: false, sort: { key: 'bytes', dir: 'desc' } }).length;
  times.push(performance.now() - started);
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)]!;
console.log(`row query: ${count} rows, filter "layer.9999" + sort by size, ${kept} kept`);
console.log(`  median ${median.toFixed(1)} ms, fastest ${times[0]!.toFixed(1)} ms, slowest ${times[times.length - 1]!.toFixed(1)} ms over ${runs} runs (budget ${BUDGET_MS} ms per frame)`);
