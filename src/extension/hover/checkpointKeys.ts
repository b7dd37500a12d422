/**
 * In-memory lookup tables of one checkpoint for key hovers: source keys, HF target names and
 * module prefixes. Built once from metadata (CheckpointIndex + KeyMappingResult); answering a
 * lookup never touches the file. Only what a hover shows is kept (not the whole index), because
 * a workspace may hold dozens of checkpoints with thousands of tensors each. Pure: no vscode.
 */
import type { CheckpointIndex } from '../../core/checkpointIndex';
import type { KeyedTensor } from '../../ast/checkpointKeysData';
import type { TensorInfo } from '../../core/tensors/tensorInfo';
import type { HfModelKind, KeyMapping, KeyMappingResult, MappedTarget } from '../../ast/keyMapping';

/** The part of an index the tables are built from (a whole CheckpointIndex, or what the worker sends). */
export type KeyedIndex = Pick<CheckpointIndex, 'stateDicts'> & { readonly tensors: readonly KeyedTensor[] };

/** The one prefix HF's classification model puts in front of every encoder key. */
export const HF_CLASSIFIER_PREFIX = 'audio_spectrogram_transformer.';

/** The facts a hover shows about a tensor. */
export type TensorFacts = Pick<TensorInfo, 'name' | 'dtype' | 'shape' | 'numel' | 'bytes'>;

export interface KeyHit {
  readonly kind: 'key';
  readonly tensor: TensorFacts;
  /** Undefined when the checkpoint is not an AST model (nothing maps) or mapping failed. */
  readonly mapping?: KeyMapping;
}

export interface HfHit {
  readonly kind: 'hf';
  readonly target: MappedTarget;
  readonly tensor: TensorFacts;
  readonly mapping: KeyMapping;
}

export interface ModuleSummary {
  /** 'source': a prefix of checkpoint keys; 'hf': a prefix of HF target names. */
  readonly side: 'source' | 'hf';
  /** The prefix as the index stores it (source: key prefix stripped; hf: classifier prefix stripped). */
  readonly prefix: string;
  readonly tensors: number;
  readonly params: number;
  /** Source side only (0 for hf): bytes of the tensors as stored. */
  readonly bytes: number;
  /** TensorInfo.name of the first source tensor under the prefix (the row the inspector link selects). */
  readonly firstTensor: string;
  /** Next name parts under the prefix, in file order. */
  readonly children: readonly string[];
}

export interface ModuleHit {
  readonly kind: 'module';
  readonly summary: ModuleSummary;
}

export type KeyLookupHit = KeyHit | HfHit | ModuleHit;

/** Targets per source key are few (3 for a fused qkv); an HF hit packs (tensor, target) in one number. */
const TARGET_SLOTS = 8;

export class CheckpointKeys {
  readonly tensorCount: number;
  readonly model: HfModelKind | undefined;
  readonly keyPrefix: string;
  readonly stateDictPath: readonly string[];
  readonly counts: KeyMappingResult['counts'] | undefined;
  private readonly tensors: TensorFacts[] = [];
  private readonly mappings: (KeyMapping | undefined)[] = [];
  /** Per tensor: its key with the state-dict nesting and the key prefix stripped. */
  private readonly shortKeys: string[] = [];
  /** Name → tensor position. */
  private readonly keys = new Map<string, number>();
  /** HF name (classifier prefix stripped) → tensor position × TARGET_SLOTS + target position. */
  private readonly hfNames = new Map<string, number>();
  private readonly sourcePrefixes = new Set<string>();
  private readonly hfPrefixes = new Set<string>();

  constructor(index: KeyedIndex, astMapping: KeyMappingResult | undefined) {
    // A checkpoint of which nothing maps is not an AST model (a ResNet, an HF folder's own weights):
    // its hovers show the tensors only, not "no rule knows this key" on every line.
    const mapping = astMapping && astMapping.counts.mapped > 0 ? astMapping : undefined;
    this.tensorCount = index.tensors.length;
    this.model = mapping?.model;
    this.stateDictPath = mapping?.stateDictPath ?? largestStateDict(index);
    const inStateDict = (t: KeyedTensor): boolean => this.stateDictPath.every((p, i) => t.path[i] === p);
    this.keyPrefix = mapping?.keyPrefix ?? guessKeyPrefix(index.tensors.filter(inStateDict), this.stateDictPath);
    this.counts = mapping?.counts;

    const mappingBySource = new Map<string, KeyMapping>();
    for (const m of mapping?.keys ?? []) mappingBySource.set(m.source, m);

    // Tensors of the main state dict claim their short names before tensors elsewhere
    // in the file (an EMA copy, optimizer state) that may end the same way.
    const ordered = [...index.tensors.filter(inStateDict), ...index.tensors.filter((t) => !inStateDict(t))];
    for (const tensor of ordered) {
      const at = this.tensors.length;
      const m = mappingBySource.get(tensor.name);
      const { name, dtype, shape, numel, bytes } = tensor;
      this.tensors.push({ name, dtype, shape, numel, bytes });
      this.mappings.push(m);
      const key = m?.key ?? (inStateDict(tensor) ? tensor.path.slice(this.stateDictPath.length).join('.') : tensor.name);
      const short = stripPrefix(key, this.keyPrefix);
      this.shortKeys.push(short);
      for (const alias of [short, tensor.name]) if (!this.keys.has(alias)) this.keys.set(alias, at);
      addPrefixes(this.sourcePrefixes, short);
      const targets = m?.status === 'mapped' ? m.targets : [];
      targets.slice(0, TARGET_SLOTS).forEach((target, t) => {
        const hfName = stripPrefix(target.name, HF_CLASSIFIER_PREFIX);
        if (!this.hfNames.has(hfName)) this.hfNames.set(hfName, at * TARGET_SLOTS + t);
        addPrefixes(this.hfPrefixes, hfName);
      });
    }
  }

  /**
   * Answers for `text` as written in code: a source key (with or without `module.`, with any
   * nesting in front), an HF name (with or without the classifier prefix), or a module prefix.
   * The longest matching tail wins, so `model.module.v.cls_token` finds `v.cls_token`.
   */
  lookup(text: string | KeyQuery): KeyLookupHit | undefined {
    const { name, tails } = typeof text === 'string' ? keyQuery(text) : text;
    for (const tail of tails) {
      const at = this.keys.get(tail);
      if (at !== undefined) {
        const mapping = this.mappings[at];
        const tensor = this.tensors[at] as TensorFacts;
        return mapping ? { kind: 'key', tensor, mapping } : { kind: 'key', tensor };
      }
      const packed = this.hfNames.get(tail);
      if (packed !== undefined) {
        const i = Math.floor(packed / TARGET_SLOTS);
        const mapping = this.mappings[i] as KeyMapping;
        const target = mapping.targets[packed % TARGET_SLOTS] as MappedTarget;
        return { kind: 'hf', target, tensor: this.tensors[i] as TensorFacts, mapping };
      }
      // Single words ("v", "self.encoder") are too common in code to summarize a whole model;
      // only the key prefix may stand in front of one (`module.v`).
      if (tail.includes('.') || (this.keyPrefix !== '' && name === `${this.keyPrefix}${tail}`)) {
        if (this.sourcePrefixes.has(tail)) return { kind: 'module', summary: this.summarizeSource(tail) };
        if (this.hfPrefixes.has(tail)) return { kind: 'module', summary: this.summarizeHf(tail) };
      }
    }
    return undefined;
  }

  /** Summaries are computed on demand (a scan of this checkpoint's names in memory), not stored. */
  private summarizeSource(prefix: string): ModuleSummary {
    const acc = new SummaryBuilder(prefix);
    this.shortKeys.forEach((key, i) => {
      const tensor = this.tensors[i] as TensorFacts;
      if (key.startsWith(acc.under)) acc.add(key, tensor.name, tensor.numel, tensor.bytes);
    });
    return acc.build('source');
  }

  private summarizeHf(prefix: string): ModuleSummary {
    const acc = new SummaryBuilder(prefix);
    this.mappings.forEach((m, i) => {
      if (m?.status !== 'mapped') return;
      for (const target of m.targets) {
        const hfName = stripPrefix(target.name, HF_CLASSIFIER_PREFIX);
        if (hfName.startsWith(acc.under)) acc.add(hfName, (this.tensors[i] as TensorFacts).name, product(target.shape), 0);
      }
    });
    return acc.build('hf');
  }
}

class SummaryBuilder {
  readonly under: string;
  private tensors = 0;
  private params = 0;
  private bytes = 0;
  private firstTensor = '';
  private readonly children = new Set<string>();

  constructor(private readonly prefix: string) {
    this.under = `${prefix}.`;
  }

  add(name: string, sourceTensor: string, params: number, bytes: number): void {
    if (this.tensors === 0) this.firstTensor = sourceTensor;
    this.tensors++;
    this.params += params;
    this.bytes += bytes;
    this.children.add(name.slice(this.under.length).split('.')[0] ?? '');
  }

  build(side: 'source' | 'hf'): ModuleSummary {
    const { prefix, tensors, params, bytes, firstTensor } = this;
    return { side, prefix, tensors, params, bytes, firstTensor, children: [...this.children] };
  }
}

/** Every proper dotted prefix of `name`: `a.b.c` → `a`, `a.b`. */
function addPrefixes(into: Set<string>, name: string): void {
  for (let i = name.indexOf('.'); i > 0; i = name.indexOf('.', i + 1)) into.add(name.slice(0, i));
}

/** A hovered string, normalized once and looked up in every checkpoint. */
export interface KeyQuery {
  /** Slashes read as dots, trailing dots dropped. */
  readonly name: string;
  /** `a.b.c` → `a.b.c`, `b.c`, `c`: the name and every tail after a dot, longest first. */
  readonly tails: readonly string[];
}

/** Placeholders of keys built in code: f-string fields (`{i}`), %-formats (`%d`), `.format()` fields. */
const KEY_TEMPLATE_FIELD = /\{[^{}]*\}|%[sd]/g;

export function hasTemplateFields(text: string): boolean {
  return text.search(KEY_TEMPLATE_FIELD) >= 0;
}

export function keyQuery(text: string): KeyQuery {
  // `f"module.v.blocks.{i}.attn.qkv.weight"` reads as block 0: every block has the same shapes.
  const name = text.trim().replace(KEY_TEMPLATE_FIELD, '0').replace(/\/+/g, '.').replace(/\.+$/, '');
  const tails = name === '' ? [] : [name];
  for (let i = name.indexOf('.'); i >= 0; i = name.indexOf('.', i + 1)) {
    const tail = name.slice(i + 1);
    if (tail !== '') tails.push(tail);
  }
  return { name, tails };
}

function stripPrefix(name: string, prefix: string): string {
  return prefix !== '' && name.startsWith(prefix) ? name.slice(prefix.length) : name;
}

/** Without a mapping, the state dict holding the most tensors is the one keys refer to. */
function largestStateDict(index: KeyedIndex): readonly string[] {
  let best = index.stateDicts[0];
  for (const s of index.stateDicts) if (s.tensorCount > (best?.tensorCount ?? 0)) best = s;
  return best?.path ?? [];
}

/** Without a mapping, strip `module.` only when every state-dict key has it (a DataParallel save). */
function guessKeyPrefix(tensors: readonly KeyedTensor[], stateDictPath: readonly string[]): string {
  const keyStart = stateDictPath.length;
  return tensors.length > 0 && tensors.every((t) => t.path[keyStart]?.startsWith('module.')) ? 'module.' : '';
}

function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
