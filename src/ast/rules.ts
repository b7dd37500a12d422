/**
 * The SSAST/AST → Hugging Face AST key mapping, as data. Patterns match a state-dict key after
 * its `module.` prefix is stripped; `$1`, `$2` in targets are the pattern's groups. Targets are
 * encoder-relative: the mapping adds `audio_spectrogram_transformer.` for the classification model.
 */

export type RuleTransform = 'copy' | 'split-qkv' | 'adapt-pos-embed' | 'drop';

export interface MappingRule {
  readonly id: string;
  readonly pattern: RegExp;
  readonly transform: RuleTransform;
  /** HF names; split-qkv has three (query, key, value rows in that order). */
  readonly targets?: readonly string[];
  /** Head rules only fill ASTForAudioClassification; ASTModel drops them with `reasonForEncoder`. */
  readonly headOnly?: boolean;
  /** Why a 'drop' rule (or a head rule under ASTModel) drops the key. */
  readonly reason?: string;
}

const SUB = '(weight|bias)';

export const MAPPING_RULES: readonly MappingRule[] = [
  { id: 'cls-token', pattern: /^v\.cls_token$/, transform: 'copy', targets: ['embeddings.cls_token'] },
  { id: 'dist-token', pattern: /^v\.dist_token$/, transform: 'copy', targets: ['embeddings.distillation_token'] },
  {
    id: 'pos-embed', pattern: /^v\.pos_embed$/, transform: 'adapt-pos-embed',
    targets: ['embeddings.position_embeddings'],
  },
  {
    id: 'patch-projection', pattern: new RegExp(`^v\\.patch_embed\\.proj\\.${SUB}$`), transform: 'copy',
    targets: ['embeddings.patch_embeddings.projection.$1'],
  },
  {
    id: 'norm-before', pattern: new RegExp(`^v\\.blocks\\.(\\d+)\\.norm1\\.${SUB}$`), transform: 'copy',
    targets: ['encoder.layer.$1.layernorm_before.$2'],
  },
  {
    id: 'qkv', pattern: new RegExp(`^v\\.blocks\\.(\\d+)\\.attn\\.qkv\\.${SUB}$`), transform: 'split-qkv',
    targets: [
      'encoder.layer.$1.attention.attention.query.$2',
      'encoder.layer.$1.attention.attention.key.$2',
      'encoder.layer.$1.attention.attention.value.$2',
    ],
  },
  {
    id: 'attention-output', pattern: new RegExp(`^v\\.blocks\\.(\\d+)\\.attn\\.proj\\.${SUB}$`), transform: 'copy',
    targets: ['encoder.layer.$1.attention.output.dense.$2'],
  },
  {
    id: 'norm-after', pattern: new RegExp(`^v\\.blocks\\.(\\d+)\\.norm2\\.${SUB}$`), transform: 'copy',
    targets: ['encoder.layer.$1.layernorm_after.$2'],
  },
  {
    id: 'mlp-in', pattern: new RegExp(`^v\\.blocks\\.(\\d+)\\.mlp\\.fc1\\.${SUB}$`), transform: 'copy',
    targets: ['encoder.layer.$1.intermediate.dense.$2'],
  },
  {
    id: 'mlp-out', pattern: new RegExp(`^v\\.blocks\\.(\\d+)\\.mlp\\.fc2\\.${SUB}$`), transform: 'copy',
    targets: ['encoder.layer.$1.output.dense.$2'],
  },
  { id: 'final-norm', pattern: new RegExp(`^v\\.norm\\.${SUB}$`), transform: 'copy', targets: ['layernorm.$1'] },
  {
    id: 'head-norm', pattern: new RegExp(`^mlp_head\\.0\\.${SUB}$`), transform: 'copy', headOnly: true,
    targets: ['classifier.layernorm.$1'],
    reason: 'classification head LayerNorm; ASTModel has no head (choose ASTForAudioClassification to keep it)',
  },
  {
    id: 'head-linear', pattern: new RegExp(`^mlp_head\\.1\\.${SUB}$`), transform: 'copy', headOnly: true,
    targets: ['classifier.dense.$1'],
    reason: 'classification head Linear; ASTModel has no head (choose ASTForAudioClassification to keep it)',
  },
  {
    id: 'imagenet-heads', pattern: /^v\.(head|head_dist)\.(weight|bias)$/, transform: 'drop',
    reason: 'ImageNet classifier of the timm DeiT backbone; never used for audio',
  },
  {
    id: 'discriminative-pretext', pattern: /^cpredlayer\./, transform: 'drop',
    reason: 'SSAST discriminative pretext head; not part of the encoder',
  },
  {
    id: 'generative-pretext', pattern: /^gpredlayer\./, transform: 'drop',
    reason: 'SSAST generative pretext head; not part of the encoder',
  },
  { id: 'mask-token', pattern: /^mask_embed$/, transform: 'drop', reason: 'SSAST mask token, used only in pretraining' },
  {
    id: 'pretraining-input', pattern: /^p_input_(fdim|tdim)$/, transform: 'drop',
    reason: 'SSAST pretraining input size; read to find the pretraining patch grid, no HF weight',
  },
];

/**
 * The literal text every match of an anchored pattern starts with (`v.blocks.`, `mlp_head.`…), read off
 * its source: a startsWith test rejects most keys of unrelated models (100 k of them) before any regex runs.
 */
function literalPrefix(pattern: RegExp): string {
  const m = /^\^((?:\w|\\\.)*)(.?)/.exec(pattern.source);
  // A quantifier after the run makes its last character optional, an alternation adds other starts: no prefix is safe then.
  if (m === null || pattern.flags.includes('i') || (m[2] !== '' && '?*{|'.includes(m[2]!))) return '';
  return m[1]!.replace(/\\\./g, '.');
}

const RULE_PREFIXES = MAPPING_RULES.map((rule) => literalPrefix(rule.pattern));

/** The first rule whose pattern matches `key`, with the key's pattern groups. */
export function matchRule(key: string): { rule: MappingRule; groups: string[] } | undefined {
  for (let i = 0; i < MAPPING_RULES.length; i++) {
    if (!key.startsWith(RULE_PREFIXES[i]!)) continue;
    const rule = MAPPING_RULES[i]!;
    const m = rule.pattern.exec(key);
    if (m) return { rule, groups: m.slice(1) };
  }
  return undefined;
}

/** Fills `$1`, `$2` … of a target template. */
export function expandTarget(template: string, groups: readonly string[]): string {
  return template.replace(/\$(\d)/g, (_, i: string) => groups[Number(i) - 1] ?? '');
}

/** Prefix HF's ASTForAudioClassification puts before every encoder key. */
export const CLASSIFIER_ENCODER_PREFIX = 'audio_spectrogram_transformer.';
