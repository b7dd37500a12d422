/**
 * Result types of applying the SSAST/AST → HF AST rule table to a checkpoint.
 * The editor, the hover provider, the CLI and the converter all show this one result.
 */

export type HfModelKind = 'ASTModel' | 'ASTForAudioClassification';

export type KeyMappingStatus = 'mapped' | 'dropped' | 'unknown';

export interface MappedTarget {
  /** HF parameter name, prefixed for the chosen model kind. */
  readonly name: string;
  readonly shape: readonly number[];
  /** For split transforms: the [start, end) rows of the source's first axis this target takes. */
  readonly sourceRows?: readonly [number, number];
  /** 'copy' | 'split-qkv' | 'adapt-pos-embed' … the rule's transform. */
  readonly transform: string;
}

export interface KeyMapping {
  /** TensorInfo.name of the source tensor (full path, including any `state_dict.` nesting). */
  readonly source: string;
  /** The key inside its state dict, without nesting (e.g. `module.v.cls_token`). */
  readonly key: string;
  readonly status: KeyMappingStatus;
  readonly targets: readonly MappedTarget[];
  /** For 'dropped': why (e.g. "SSAST generative pretext head; not part of the encoder"). */
  readonly reason?: string;
  /** Id of the rule that matched, for reports. */
  readonly rule?: string;
}

export interface KeyMappingResult {
  readonly model: HfModelKind;
  /** Path of the state dict the mapping used ([] = top level). */
  readonly stateDictPath: readonly string[];
  /** `module.` or '' : the prefix stripped from every key. */
  readonly keyPrefix: string;
  /** One entry per tensor of the checkpoint, in file order (tensors outside the state dict are 'unknown' with a reason). */
  readonly keys: readonly KeyMapping[];
  /** HF keys (with their expected shapes) that no source tensor fills. */
  readonly missing: readonly { readonly name: string; readonly shape: readonly number[] }[];
  readonly counts: { readonly mapped: number; readonly dropped: number; readonly unknown: number };
}
