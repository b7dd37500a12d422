import { ITEMSIZE, product } from '../core/tensors/dtypeInfo';
import type { TensorInfo } from '../core/tensors/tensorInfo';
import { isContiguous } from '../core/tensors/tensorReader';
import { rowSlice } from '../core/tensors/rowSlice';
import { convertFloatBytes, fromFloat32, toFloat32, type FloatDType } from './floatCodec';
import type { PlannedTensor } from './plan';
import { adaptPositionEmbeddings } from './posEmbed';

/**
 * The output bytes of one planned tensor from its source tensor's contiguous bytes: a copy,
 * a q/k/v row slice or adapted position embeddings, in the planned dtype.
 */
export function produceTensor(planned: PlannedTensor, sourceBytes: Uint8Array): Uint8Array {
  const from = planned.source.dtype as FloatDType;
  const t = planned.transform;
  switch (t.kind) {
    case 'copy':
      return convertFloatBytes(sourceBytes, from, planned.dtype);
    case 'rows': {
      const rowBytes = rowElements(planned.source) * ITEMSIZE[from];
      return convertFloatBytes(sourceBytes.subarray(t.start * rowBytes, t.end * rowBytes), from, planned.dtype);
    }
    case 'pos-embed': {
      const hidden = planned.shape[2]!;
      const adapted = adaptPositionEmbeddings(toFloat32(sourceBytes, from), hidden, t.clsRows, t.from, t.to);
      return fromFloat32(adapted, planned.dtype);
    }
  }
}

/**
 * The part of the source a planned tensor repeats byte for byte (a copy or q/k/v rows kept in the
 * source dtype), as a contiguous view of the source file that can be streamed in chunks; undefined
 * when the output bytes are computed (dtype change, adapted position embeddings) or the source
 * view is strided.
 */
export function unchangedSlice(planned: PlannedTensor): TensorInfo | undefined {
  const source = planned.source;
  if (planned.dtype !== source.dtype || !isContiguous(source)) return undefined;
  const t = planned.transform;
  if (t.kind === 'copy') return source;
  if (t.kind !== 'rows') return undefined;
  return rowSlice(source, t.start, t.end);
}

/** Elements in one row of the first axis (q, k and v are row ranges of the fused tensor). */
function rowElements(tensor: TensorInfo): number {
  return product(tensor.shape.slice(1));
}
