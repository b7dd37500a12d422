import type { CheckpointIndex, GlobalRef, SafetyReport } from '../checkpointIndex';
import { PickleFormatError } from '../errors';
import type { ByteSource } from '../io/byteSource';
import { JoblibArrays } from '../joblib/joblibArrays';
import { unpickle } from '../pickle/unpickler';
import { globalName, type PyObject } from '../pickle/values';
import { mergeReports, namesReport, safetyReport } from '../safety/classifyGlobals';
import { withSafety } from '../safety/describeSafety';
import { embeddedStorage, type NestedReader } from './embeddedStorage';
import { walkObjectTree } from './objectTree';
import { BadRebuildError, type InlineTensors, type ResolvedStorage } from './tensorRebuild';

/** The same bound as a torch zip's data.pkl: a plain pickle is read whole. */
const MAX_PLAIN_PICKLE = 1024 * 1024 * 1024;
const LOAD_FROM_BYTES = 'torch.storage._load_from_bytes';

/**
 * A plain pickle (`pickle.dump`, joblib.dump): listed like a checkpoint, since torch.load or joblib.load would run
 * all of it. Tensors pickled by value (`_rebuild_tensor_v2(_load_from_bytes(b'…'))`) carry a whole torch.save
 * file each, which is read as a nested checkpoint: its storage becomes the tensor's, its globals join the verdict.
 * joblib's arrays follow their wrappers outside the opcodes (JoblibArrays). The file is read whole (≤ 1 GiB).
 */
export async function readPlainPickle(source: ByteSource, readNested: NestedReader): Promise<CheckpointIndex> {
  const file = source.name;
  if (source.size > MAX_PLAIN_PICKLE) throw new PickleFormatError(file, `plain pickle is larger than the ${MAX_PLAIN_PICKLE}-byte limit`);
  const bytes = await source.read(0, source.size);
  const joblib = new JoblibArrays(file);
  // Every call, kept or not: torch.load would run an embedded file even if the pickle then drops it.
  const embeddedCalls: PyObject[] = [];
  const pickled = unpickle(bytes, {
    file,
    observer: { afterBuild: (t, b, p) => joblib.afterBuild(t, b, p), called: (c) => void (globalName(c.callee) === LOAD_FROM_BYTES && embeddedCalls.push(c)) },
  });
  const warnings = [...joblib.warnings];
  if (pickled.end < bytes.length) warnings.push(`${bytes.length - pickled.end} bytes follow the pickle's STOP; pickle.load stops there and leaves them unread`);
  const storages = new Map<PyObject, ResolvedStorage>();
  const unscanned: string[] = [];
  const nestedReports: SafetyReport[] = [];
  for (const call of embeddedCalls) {
    const found = await embeddedStorage(file, call, readNested);
    if (found.safety) nestedReports.push(found.safety);
    warnings.push(...found.warnings);
    if (found.unscanned) unscanned.push(found.unscanned);
    if (found.storage) storages.set(call, found.storage);
  }
  const safety = mergeReports([judgeLoader(safetyReport(pickled), unscanned), namesReport(joblib.globals), ...nestedReports]);
  const inline: InlineTensors = { storage: (call) => storages.get(call), tensor: (obj) => joblib.tensor(obj) };
  // Never an error without a verdict: what the pickle names is known by now.
  const tree = await withSafety(() => safety, async () => walkObjectTree(file, pickled.value, noPersistentIds, inline));
  return {
    file,
    format: joblib.count > 0 ? 'joblib' : 'pickle',
    fileSize: source.size,
    tensors: tree.tensors,
    metadata: tree.metadata,
    stateDicts: tree.stateDicts,
    warnings: [...warnings, ...tree.warnings],
    safety,
    headerMetadata: {},
  };
}

/** pickle.load refuses persistent ids (it has no persistent_load); a plain pickle that holds one cannot be loaded. */
function noPersistentIds(): never {
  throw new BadRebuildError('a plain pickle holds a persistent id, which pickle.load refuses');
}

/**
 * `_load_from_bytes` is denylisted (it runs torch.load on its argument) for files whose embedded bytes we cannot see.
 * In a plain pickle every call's bytes are read as a nested checkpoint whose verdict joins this one (mergeReports keeps
 * each name's worst verdict), so the call itself is only not weights-only; bytes that could not be scanned hide what they would run: dangerous.
 */
function judgeLoader(report: SafetyReport, unscanned: readonly string[]): SafetyReport {
  const loader = report.globals.find((g) => g.name === LOAD_FROM_BYTES);
  if (loader === undefined && unscanned.length === 0) return report;
  const others = report.globals.filter((g) => g !== loader);
  const count = loader?.count ?? 1;
  const judged: GlobalRef = unscanned.length > 0
    ? { name: LOAD_FROM_BYTES, count, verdict: 'dangerous', reason: `torch.load would unpickle embedded bytes that could not be scanned (${unscanned[0]})` }
    : { name: LOAD_FROM_BYTES, count, verdict: 'not-weights-only', reason: 'torch.load of embedded torch.save bytes: each was scanned as a nested checkpoint, and its verdict is part of this one' };
  return { ...report, globals: [judged, ...others] };
}
