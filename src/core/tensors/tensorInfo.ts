import type { DType } from './dtype';

/** Where a tensor's storage lives inside the file (absolute byte offsets). */
export interface StorageRef {
  /** Storage key: the zip entry name under `data/`, the legacy key, or the safetensors tensor name. */
  readonly key: string;
  readonly dtype: DType;
  /** Elements in the storage. */
  readonly numel: number;
  /** Absolute offset of the storage's first byte in the file. */
  readonly byteStart: number;
  /** Storage length in bytes (numel × itemsize). */
  readonly byteLength: number;
  /** Storage bytes are big-endian (torch zip `byteorder` = big, or a legacy file from a big-endian machine); readers swap them. */
  readonly bigEndian?: boolean;
}

/** One tensor found in a checkpoint, described from metadata only. */
export interface TensorInfo {
  /** Dict path joined with '.', e.g. `state_dict.module.v.cls_token`. */
  readonly name: string;
  /** The same path, unjoined (keys may themselves contain dots). */
  readonly path: readonly string[];
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** Strides in elements. */
  readonly stride: readonly number[];
  /** Offset into the storage, in elements. */
  readonly storageOffset: number;
  readonly storage: StorageRef;
  /** Product of the shape (1 for scalars). */
  readonly numel: number;
  /** numel × itemsize: the size of the contiguous tensor. */
  readonly bytes: number;
  /** Absolute [start, end) byte range of the file this view reads. */
  readonly byteRange: readonly [number, number];
  /** True for `torch.nn.Parameter`. */
  readonly isParameter?: boolean;
  /**
   * What dtype and shape do not say, for people: a sparse layout ("sparse_coo, nnz=3, indices int64 [2, 3]"),
   * a quantization ("per-tensor affine, scale=0.1, zero_point=2"), Fortran order, a storage saved on its own.
   */
  readonly layout?: string;
  /**
   * Set when the values are not one strided view of file bytes (a sparse tensor: then `bytes` and `byteRange`
   * are its stored parts, `numel` the dense count), or not in the file as such (embedded in a protocol-2
   * pickle string, compressed in an npz): why. Readers refuse the tensor with this reason.
   */
  readonly unreadable?: string;
}
