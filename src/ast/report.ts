import type { ModelDetection } from './detect';
import { defaultConversionOptions, type ConversionOptions } from './options';
import type { ConversionPlan } from './plan';
import type { VerificationSummary } from './verify';

export interface ReportInputs {
  readonly plan: ConversionPlan;
  readonly converterVersion: string;
  readonly files: readonly string[];
  readonly verification: VerificationSummary;
  /** sha256 of the source's data.pkl (torch zip files): which pickle these weights came from. */
  readonly dataPklSha256?: string;
}

/** Each option with where its value came from: the default for this checkpoint, or the user. */
export function optionProvenance(detection: ModelDetection, options: ConversionOptions): Record<string, { value: unknown; source: 'default' | 'user' }> {
  const defaults = defaultConversionOptions(detection) as unknown as Record<string, unknown>;
  const out: Record<string, { value: unknown; source: 'default' | 'user' }> = {};
  for (const [k, v] of Object.entries(options)) {
    if (v === undefined) continue;
    out[k] = { value: v, source: JSON.stringify(defaults[k]) === JSON.stringify(v) ? 'default' : 'user' };
  }
  return out;
}

/** conversion-report.json: everything the markdown says, machine-readable. */
export function reportJson(r: ReportInputs): Record<string, unknown> {
  const { plan } = r;
  const { summary, refusal, ...fields } = plan.detection;
  return {
    converter: { name: 'ssast-hf-ast', version: r.converterVersion },
    source: { file: plan.sourceFile, format: plan.sourceFormat, dataPklSha256: r.dataPklSha256 ?? null },
    detection: { summary, ...fields, ...(refusal ? { refusal } : {}) },
    options: optionProvenance(plan.detection, plan.options),
    grid: plan.gridDescription,
    config: plan.config,
    preprocessorConfig: plan.preprocessorConfig,
    keys: plan.mapping.keys,
    counts: plan.mapping.counts,
    outputs: plan.tensors.map((t) => ({
      name: t.name, shape: t.shape, dtype: t.dtype, source: t.sourceKey, transform: t.transform,
    })),
    warnings: plan.warnings,
    verification: { verified: true, ...r.verification },
    files: r.files,
  };
}

/** conversion-report.md: what was converted, from what, how, and what was left out and why. */
export function reportMarkdown(r: ReportInputs): string {
  const { plan } = r;
  const d = plan.detection;
  const cell = (s: string): string => s.replace(/\|/g, '\\|');
  const lines: string[] = [
    '# Conversion report',
    '',
    `Converted by ssast-hf-ast ${r.converterVersion} to \`${plan.options.model}\`.`,
    '',
    '## Source',
    '',
    `- File: \`${plan.sourceFile}\` (${plan.sourceFormat})`,
    ...(r.dataPklSha256 ? [`- sha256 of data.pkl: \`${r.dataPklSha256}\``] : []),
    `- State dict: ${d.stateDictPath.value.length ? d.stateDictPath.value.map((p) => `["${p}"]`).join('') : 'top level'}, key prefix \`${d.keyPrefix.value || '(none)'}\``,
    `- Model: ${d.summary}`,
    '',
    '| detected | value | from | note |',
    '|---|---|---|---|',
  ];
  for (const [name, field] of Object.entries(d)) {
    if (!field || typeof field !== 'object' || !('source' in field)) continue;
    lines.push(`| ${name} | ${cell(JSON.stringify(field.value) ?? '—')} | ${field.source} | ${cell(field.note ?? '')} |`);
  }
  lines.push('', '## Options', '', '| option | value | from |', '|---|---|---|');
  for (const [name, o] of Object.entries(optionProvenance(d, plan.options))) {
    const value = Array.isArray(o.value) ? `${o.value.length} labels` : JSON.stringify(o.value);
    lines.push(`| ${name} | ${cell(value)} | ${o.source} |`);
  }
  lines.push('', `Grid: ${plan.gridDescription}.`, '', '## Warnings', '');
  lines.push(...(plan.warnings.length ? plan.warnings.map((w) => `- ${w}`) : ['- none']));
  const { mapped, dropped, unknown } = plan.mapping.counts;
  lines.push('', '## Keys', '', `${mapped} mapped, ${dropped} dropped, ${unknown} unknown.`, '', '| source key | status | HF targets or reason |', '|---|---|---|');
  for (const k of plan.mapping.keys) {
    const what = k.status === 'mapped'
      ? k.targets.map((t) => `\`${t.name}\` [${t.shape.join(',')}]${t.sourceRows ? ` rows ${t.sourceRows[0]}–${t.sourceRows[1]}` : ''}${t.transform === 'adapt-pos-embed' ? ' (adapted)' : ''}`).join('<br>')
      : k.reason ?? '';
    lines.push(`| \`${cell(k.key)}\` | ${k.status} | ${cell(what)} |`);
  }
  const v = r.verification;
  lines.push(
    '', '## Verification', '',
    `model.safetensors re-read: ${v.tensors} tensors (${v.bytes} bytes), exactly the keys and shapes config.json implies; `
      + `${v.checkedAgainstSource} tensors kept in their source dtype (copies and q/k/v rows) are byte for byte equal to their source slice, re-read from the source file; `
      + `the other ${v.tensors - v.checkedAgainstSource} equal the tensor computed again from their source.`,
    '', '## Files', '', ...r.files.map((f) => `- ${f}`), '',
  );
  return lines.join('\n');
}
