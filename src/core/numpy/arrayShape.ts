import type { MetaValue } from '../checkpointIndex';
import { contiguousStrides } from '../tensors/dtypeInfo';

/** Column-major strides (numpy's Fortran order), in elements. */
export function fortranStrides(shape: readonly number[]): number[] {
  return contiguousStrides([...shape].reverse()).reverse();
}

/** An array that is no tensor row (object arrays, dtypes without a torch equivalent), as the metadata shows it. */
export function arrayMeta(shape: readonly number[], descr: string, note: string): MetaValue {
  return {
    kind: 'object', type: 'numpy.ndarray',
    args: [{ kind: 'tuple', items: shape.map((n) => ({ kind: 'int', value: String(n) })) }, { kind: 'str', value: descr }, { kind: 'str', value: note }],
  };
}
