import { ITEMSIZE, product } from './dtypeInfo';
import type { TensorInfo } from './tensorInfo';

/**
 * Rows [start, end) of a contiguous tensor's first axis as a tensor of their own (a view of the same
 * file bytes that can be streamed in chunks): q, k and v are such row ranges of a fused qkv tensor.
 */
export function rowSlice(tensor: TensorInfo, start: number, end: number): TensorInfo {
  const perRow = product(tensor.shape.slice(1));
  const rowBytes = perRow * ITEMSIZE[tensor.dtype];
  const rows = end - start;
  return {
    ...tensor,
    name: `${tensor.name}[${start}:${end}]`,
    shape: [rows, ...tensor.shape.slice(1)],
    storageOffset: tensor.storageOffset + start * perRow,
    numel: rows * perRow,
    bytes: rows * rowBytes,
    byteRange: [tensor.byteRange[0] + start * rowBytes, tensor.byteRange[0] + end * rowBytes],
  };
}
