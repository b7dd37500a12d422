"""Reference models for the SSAST/AST -> HF AST conversion tests, written with torch alone.

`SSAST` is the SSAST/AST research model as its state dict and forward have it (timm DeiT
blocks as `v`, pretext heads, `p_input_*`, optional fine-tuned `mlp_head`); `HFAST` is Hugging
Face's ASTModel / ASTForAudioClassification module tree with its exact parameter names, loaded
strictly from a converted folder (config.json + model.safetensors read with json and
torch.frombuffer: there is no `transformers` or `safetensors` package here).
"""
import json
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F


# ---------------------------------------------------------------- SSAST / AST (timm DeiT) side

class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.scale = (dim // heads) ** -0.5
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        B, N, C = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.heads, C // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = ((q @ k.transpose(-2, -1)) * self.scale).softmax(dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(B, N, C))


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim, 4 * dim)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class PatchEmbed(nn.Module):
    def __init__(self, dim, fshape, tshape, fstride, tstride):
        super().__init__()
        self.proj = nn.Conv2d(1, dim, kernel_size=(fshape, tshape), stride=(fstride, tstride))


class DeiT(nn.Module):
    """timm's distilled ViT as SSAST uses it (`self.v`)."""

    def __init__(self, dim, depth, heads, fshape, tshape, fstride, tstride, positions, cls_tokens):
        super().__init__()
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        if cls_tokens == 2:
            self.dist_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, positions, dim))
        self.patch_embed = PatchEmbed(dim, fshape, tshape, fstride, tstride)
        self.blocks = nn.ModuleList([Block(dim, heads) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.head = nn.Linear(dim, 1000)
        self.head_dist = nn.Linear(dim, 1000)


class SSAST(nn.Module):
    def __init__(self, dim=192, depth=2, heads=3, fshape=16, tshape=16, fstride=16, tstride=16,
                 input_fdim=128, input_tdim=1024, cls_tokens=2, labels=0, pretrain=True):
        super().__init__()
        f = (input_fdim - fshape) // fstride + 1
        t = (input_tdim - tshape) // tstride + 1
        self.grid = (f, t)
        self.cls_tokens = cls_tokens
        self.v = DeiT(dim, depth, heads, fshape, tshape, fstride, tstride, f * t + cls_tokens, cls_tokens)
        if pretrain:
            self.cpredlayer = nn.Sequential(nn.Linear(dim, dim), nn.ReLU(), nn.Linear(dim, fshape * tshape))
            self.gpredlayer = nn.Sequential(nn.Linear(dim, dim), nn.ReLU(), nn.Linear(dim, fshape * tshape))
            self.mask_embed = nn.Parameter(torch.zeros(1, 1, dim))
            self.p_input_fdim = nn.Parameter(torch.tensor(input_fdim), requires_grad=False)
            self.p_input_tdim = nn.Parameter(torch.tensor(input_tdim), requires_grad=False)
        if labels:
            # PyTorch's default LayerNorm eps (1e-5), as SSAST's and AST's heads have it.
            self.mlp_head = nn.Sequential(nn.LayerNorm(dim), nn.Linear(dim, labels))

    def tokens(self, x):
        """x: [B, frames, mel bins] -> final-norm tokens [B, C + f*t, D]."""
        B = x.shape[0]
        x = self.v.patch_embed.proj(x.unsqueeze(1).transpose(2, 3)).flatten(2).transpose(1, 2)
        toks = [self.v.cls_token.expand(B, -1, -1)]
        if self.cls_tokens == 2:
            toks.append(self.v.dist_token.expand(B, -1, -1))
        x = torch.cat(toks + [x], dim=1) + self.v.pos_embed
        for blk in self.v.blocks:
            x = blk(x)
        return self.v.norm(x)

    def logits(self, x):
        """ft_cls pooling: mean of the two class tokens, then the head."""
        x = self.tokens(x)
        return self.mlp_head((x[:, 0] + x[:, 1]) / 2)


def randomize(model, seed):
    """Random values everywhere, norms included (so a misplaced LayerNorm shows)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dtype.is_floating_point:
                base = 1.0 if name.endswith('weight') and p.dim() == 1 else 0.0
                p.copy_(base + 0.1 * torch.randn(p.shape, generator=g))
    return model


def build(seed=0, **kw):
    return randomize(SSAST(**kw), seed).eval()


def save_as_ssast(model, path, wrap='module', legacy=False, dtype=None):
    """`torch.save(DataParallel(model).state_dict())` as SSAST does, or a variant users meet."""
    sd = torch.nn.DataParallel(model).state_dict()
    if wrap in ('none', 'state_dict', 'model'):
        sd = type(sd)((k[len('module.'):], v) for k, v in sd.items())
    if dtype is not None:
        sd = type(sd)((k, v.to(dtype) if v.dtype.is_floating_point else v) for k, v in sd.items())
    obj = sd if wrap in ('module', 'none') else {wrap: sd, 'epoch': 3}
    torch.save(obj, path, _use_new_zipfile_serialization=not legacy)


# ---------------------------------------------------------------- Hugging Face AST side

class ASTPatchEmbeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        p = c['patch_size']
        self.projection = nn.Conv2d(1, c['hidden_size'], kernel_size=(p, p), stride=(c['frequency_stride'], c['time_stride']))

    def forward(self, x):
        return self.projection(x.unsqueeze(1).transpose(2, 3)).flatten(2).transpose(1, 2)


class ASTEmbeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        D, p = c['hidden_size'], c['patch_size']
        f = (c['num_mel_bins'] - p) // c['frequency_stride'] + 1
        t = (c['max_length'] - p) // c['time_stride'] + 1
        self.cls_token = nn.Parameter(torch.zeros(1, 1, D))
        self.distillation_token = nn.Parameter(torch.zeros(1, 1, D))
        self.patch_embeddings = ASTPatchEmbeddings(c)
        self.position_embeddings = nn.Parameter(torch.zeros(1, f * t + 2, D))

    def forward(self, x):
        e = self.patch_embeddings(x)
        B = e.shape[0]
        e = torch.cat([self.cls_token.expand(B, -1, -1), self.distillation_token.expand(B, -1, -1), e], dim=1)
        return e + self.position_embeddings


class ASTSelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        D = c['hidden_size']
        self.heads = c['num_attention_heads']
        self.query = nn.Linear(D, D, bias=c['qkv_bias'])
        self.key = nn.Linear(D, D, bias=c['qkv_bias'])
        self.value = nn.Linear(D, D, bias=c['qkv_bias'])

    def forward(self, x):
        B, N, D = x.shape
        hd = D // self.heads
        split = lambda t: t.view(B, N, self.heads, hd).permute(0, 2, 1, 3)
        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        probs = (q @ k.transpose(-1, -2) / math.sqrt(hd)).softmax(dim=-1)
        return (probs @ v).permute(0, 2, 1, 3).reshape(B, N, D)


class ASTSelfOutput(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c['hidden_size'], c['hidden_size'])


class ASTAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attention = ASTSelfAttention(c)
        self.output = ASTSelfOutput(c)

    def forward(self, x):
        return self.output.dense(self.attention(x))


class ASTIntermediate(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c['hidden_size'], c['intermediate_size'])


class ASTOutput(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c['intermediate_size'], c['hidden_size'])


class ASTLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        D, eps = c['hidden_size'], c['layer_norm_eps']
        self.attention = ASTAttention(c)
        self.intermediate = ASTIntermediate(c)
        self.output = ASTOutput(c)
        self.layernorm_before = nn.LayerNorm(D, eps=eps)
        self.layernorm_after = nn.LayerNorm(D, eps=eps)

    def forward(self, h):
        h = self.attention(self.layernorm_before(h)) + h
        return self.output.dense(F.gelu(self.intermediate.dense(self.layernorm_after(h)))) + h


class ASTEncoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList([ASTLayer(c) for _ in range(c['num_hidden_layers'])])


class ASTModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings = ASTEmbeddings(c)
        self.encoder = ASTEncoder(c)
        self.layernorm = nn.LayerNorm(c['hidden_size'], eps=c['layer_norm_eps'])

    def forward(self, x):
        h = self.embeddings(x)
        for layer in self.encoder.layer:
            h = layer(h)
        h = self.layernorm(h)
        return h, (h[:, 0] + h[:, 1]) / 2


class ASTMLPHead(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layernorm = nn.LayerNorm(c['hidden_size'], eps=c['layer_norm_eps'])
        self.dense = nn.Linear(c['hidden_size'], len(c['id2label']))


class ASTForAudioClassification(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.audio_spectrogram_transformer = ASTModel(c)
        self.classifier = ASTMLPHead(c)

    def forward(self, x):
        _, pooled = self.audio_spectrogram_transformer(x)
        return self.classifier.dense(self.classifier.layernorm(pooled))


SAFETENSORS_DTYPES = {'F32': torch.float32, 'F16': torch.float16, 'BF16': torch.bfloat16, 'F64': torch.float64}


def read_safetensors(path):
    """name -> tensor, plus the header's __metadata__, with json and torch.frombuffer only."""
    with open(path, 'rb') as fh:
        data = fh.read()
    n = int.from_bytes(data[:8], 'little')
    header = json.loads(data[8:8 + n])
    meta = header.pop('__metadata__', {})
    body = bytearray(data[8 + n:])
    tensors = {}
    for name, info in header.items():
        begin, end = info['data_offsets']
        dtype = SAFETENSORS_DTYPES[info['dtype']]
        t = torch.frombuffer(body[begin:end], dtype=dtype) if end > begin else torch.empty(0, dtype=dtype)
        tensors[name] = t.reshape(info['shape']).clone()
    return tensors, meta, n


def load_hf(folder):
    """Builds the model config.json names and loads model.safetensors strictly (float32)."""
    with open(os.path.join(folder, 'config.json')) as fh:
        c = json.load(fh)
    assert c['model_type'] == 'audio-spectrogram-transformer', c['model_type']
    arch = c['architectures'][0]
    model = {'ASTModel': ASTModel, 'ASTForAudioClassification': ASTForAudioClassification}[arch](c)
    tensors, _, _ = read_safetensors(os.path.join(folder, 'model.safetensors'))
    model.load_state_dict({k: v.float() for k, v in tensors.items()}, strict=True)
    return model.eval(), c
