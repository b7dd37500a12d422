"""Writes state dicts the way Hugging Face tools lay them out, with real torch and no other library:
a safetensors file (the format's spec: 8-byte little-endian header length, JSON header, raw tensor bytes), and
save_pretrained's sharded layout (NAME-0000k-of-0000n.EXT shards + NAME.EXT.index.json with metadata.total_size
and a sorted weight_map), for .safetensors and .bin shards."""
import json
import os
import struct

import torch

_DTYPES = {torch.float32: 'F32', torch.float16: 'F16', torch.bfloat16: 'BF16', torch.float64: 'F64',
           torch.int64: 'I64', torch.int32: 'I32', torch.int16: 'I16', torch.int8: 'I8', torch.uint8: 'U8', torch.bool: 'BOOL'}


def tensor_bytes(t):
    t = t.detach().contiguous()
    if t.dtype == torch.bfloat16:
        t = t.view(torch.int16)
    return t.numpy().tobytes()


def save_safetensors(state, path):
    header, blobs, offset = {'__metadata__': {'format': 'pt'}}, [], 0
    for name, t in state.items():
        data = tensor_bytes(t)
        header[name] = {'dtype': _DTYPES[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(',', ':')).encode()
    text += b' ' * (-len(text) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def split_by_size(state, count):
    """`count` groups of consecutive tensors of about equal bytes, in state order (as save_pretrained fills shards)."""
    sizes = [t.numel() * t.element_size() for t in state.values()]
    per_shard, groups, current, filled = sum(sizes) / count, [], [], 0
    for (name, t), size in zip(state.items(), sizes):
        if current and filled + size > per_shard * (len(groups) + 1) and len(groups) < count - 1:
            groups.append(current)
            current = []
        current.append(name)
        filled += size
    groups.append(current)
    return groups


def save_sharded(state, folder, kind, count=3):
    """kind 'safetensors' or 'bin'; returns the index path."""
    stem, ext = ('model', 'safetensors') if kind == 'safetensors' else ('pytorch_model', 'bin')
    groups = split_by_size(state, count)
    weight_map = {}
    for k, names in enumerate(groups):
        shard = f'{stem}-{k + 1:05d}-of-{len(groups):05d}.{ext}'
        part = {n: state[n] for n in names}
        if kind == 'safetensors':
            save_safetensors(part, os.path.join(folder, shard))
        else:
            torch.save(part, os.path.join(folder, shard))
        weight_map.update({n: shard for n in names})
    total = sum(t.numel() * t.element_size() for t in state.values())
    index_path = os.path.join(folder, f'{stem}.{ext}.index.json')
    with open(index_path, 'w') as f:
        f.write(json.dumps({'metadata': {'total_size': total}, 'weight_map': weight_map}, indent=2, sort_keys=True) + '\n')
    return index_path
