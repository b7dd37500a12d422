import { ITEMSIZE } from '../core/tensors/dtypeInfo';
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
      const rowBytes = planned.source.shape.slice(1).reduce((a, b) => a * b, 1) * ITEMSIZE[from];
      return convertFloatBytes(sourceBytes.subarray(t.start * rowBytes, t.end * rowBytes), from, planned.dtype);
    }
    case 'pos-embed': {
      const hidden = planned.shape[2]!;
      const adapted = adaptPositionEmbeddings(toFloat32(sourceBytes, from), hidden, t.clsRows, t.from, t.to);
      return fromFloat32(adapted, planned.dtype);
    }
  }
}
