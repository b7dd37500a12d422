// What users run today instead of the CLI, as `python -c` programs (real torch, /usr/bin/python3).

/** `import torch` and nothing else: the floor under any Python route. */
export const IMPORT_TORCH = 'import torch';

/** Listing a checkpoint the usual way: torch.load onto the CPU, then every tensor's name and shape. */
export const TORCH_LOAD_LIST = `
import sys, torch
def walk(value, path):
    if isinstance(value, torch.Tensor):
        print(path, tuple(value.shape), value.dtype)
    elif isinstance(value, dict):
        for k, v in value.items():
            walk(v, f"{path}.{k}" if path else str(k))
walk(torch.load(sys.argv[1], map_location="cpu"), "")
`;

/**
 * The conversion snippet people use (SSAST/AST state dict to HF ASTModel names): torch.load, rename the
 * keys, split each fused qkv into query/key/value, torch.save. No config, no checks: the baseline to beat.
 */
export const TORCH_CONVERT = `
import re, sys, torch
sd = torch.load(sys.argv[1], map_location="cpu")
renames = [
    (r"^module\\.", ""), (r"^v\\.cls_token$", "embeddings.cls_token"), (r"^v\\.dist_token$", "embeddings.distillation_token"),
    (r"^v\\.pos_embed$", "embeddings.position_embeddings"), (r"^v\\.patch_embed\\.proj\\.", "embeddings.patch_embeddings.projection."),
    (r"^v\\.blocks\\.(\\d+)\\.norm1\\.", r"encoder.layer.\\1.layernorm_before."), (r"^v\\.blocks\\.(\\d+)\\.norm2\\.", r"encoder.layer.\\1.layernorm_after."),
    (r"^v\\.blocks\\.(\\d+)\\.attn\\.proj\\.", r"encoder.layer.\\1.attention.output.dense."),
    (r"^v\\.blocks\\.(\\d+)\\.mlp\\.fc1\\.", r"encoder.layer.\\1.intermediate.dense."), (r"^v\\.blocks\\.(\\d+)\\.mlp\\.fc2\\.", r"encoder.layer.\\1.output.dense."),
    (r"^v\\.norm\\.", "layernorm."),
]
out = {}
for key, value in sd.items():
    if not isinstance(value, torch.Tensor):
        continue
    for pattern, replacement in renames:
        key = re.sub(pattern, replacement, key)
    qkv = re.match(r"^v\\.blocks\\.(\\d+)\\.attn\\.qkv\\.(weight|bias)$", key)
    if qkv:
        for part, chunk in zip(("query", "key", "value"), value.chunk(3, dim=0)):
            out[f"encoder.layer.{qkv.group(1)}.attention.attention.{part}.{qkv.group(2)}"] = chunk.clone()
    elif not key.startswith("v.") and not re.match(r"^(cpredlayer|gpredlayer|mask_embed|p_input_)", key):
        out[key] = value
torch.save(out, sys.argv[2])
`;
