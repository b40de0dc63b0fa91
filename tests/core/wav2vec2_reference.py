"""Independent PyTorch reference for the wav2vec2 / HuBERT backbone (core/model/wav2vec2.h).

Builds the tiny configuration (Wav2Vec2Options::tiny()) from plain torch.nn modules under
the Hugging Face module names (transformers/models/wav2vec2/modeling_wav2vec2.py, post-norm
variant, eval mode), and writes into OUT_DIR:
  wav2vec2.safetensors  prefix "wav2vec2.", weight norm as weight_g/weight_v, F32, plus
                        lm_head.* and wav2vec2.masked_spec_embed (not backbone: ignored)
  hubert.safetensors    another seed, prefix "hubert.", weight norm as
                        parametrizations.weight.original0/1, F16, plus hubert.masked_spec_embed
                        and lm_head.weight
  expected.safetensors  raw [2, 4000] audio, its normalisation as the feature extractor
                        computes it, and every hidden state of both models (float64 forward)
The safetensors files are written by hand (8-byte little-endian header length, JSON header,
raw bytes), so no safetensors package is needed.

Usage: wav2vec2_reference.py OUT_DIR   (a Python with torch and numpy: NEUROSCALE_PYTHON)
"""
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

CONV_DIM, HIDDEN, LAYERS, HEADS, INTERMEDIATE = 32, 32, 2, 2, 64
POS_KERNEL, POS_GROUPS, EPS = 16, 4, 1e-5
KERNELS, STRIDES = (10, 3, 3, 3, 3, 2, 2), (5, 2, 2, 2, 2, 2, 2)


class ConvLayer(nn.Module):
    def __init__(self, cin, cout, kernel, stride, group_norm):
        super().__init__()
        self.conv = nn.Conv1d(cin, cout, kernel, stride=stride, bias=False)
        self.layer_norm = nn.GroupNorm(cout, cout, eps=EPS, affine=True) if group_norm else None

    def forward(self, x):
        x = self.conv(x)
        if self.layer_norm is not None:
            x = self.layer_norm(x)
        return F.gelu(x)


class FeatureEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        ins = [1] + [CONV_DIM] * (len(KERNELS) - 1)
        self.conv_layers = nn.ModuleList(
            ConvLayer(i, CONV_DIM, k, s, n == 0) for n, (i, k, s) in enumerate(zip(ins, KERNELS, STRIDES)))

    def forward(self, audio):
        x = audio[:, None]
        for layer in self.conv_layers:
            x = layer(x)
        return x


class FeatureProjection(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer_norm = nn.LayerNorm(CONV_DIM, eps=EPS)
        self.projection = nn.Linear(CONV_DIM, HIDDEN)

    def forward(self, x):
        return self.projection(self.layer_norm(x))


class PositionalConv(nn.Module):
    def __init__(self):
        super().__init__()
        conv = nn.Conv1d(HIDDEN, HIDDEN, POS_KERNEL, padding=POS_KERNEL // 2, groups=POS_GROUPS)
        self.conv = nn.utils.weight_norm(conv, name="weight", dim=2)

    def forward(self, x):  # [B, T, d]
        h = self.conv(x.transpose(1, 2))
        if POS_KERNEL % 2 == 0:
            h = h[:, :, :-1]
        return F.gelu(h).transpose(1, 2)


class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.head_dim = HIDDEN // HEADS
        self.q_proj, self.k_proj, self.v_proj, self.out_proj = (nn.Linear(HIDDEN, HIDDEN) for _ in range(4))

    def forward(self, x):
        b, t, _ = x.shape
        split = lambda y: y.view(b, t, HEADS, self.head_dim).transpose(1, 2)
        q = split(self.q_proj(x) * self.head_dim ** -0.5)
        k, v = split(self.k_proj(x)), split(self.v_proj(x))
        p = torch.softmax(q @ k.transpose(-1, -2), dim=-1)
        return self.out_proj((p @ v).transpose(1, 2).reshape(b, t, HIDDEN))


class FeedForward(nn.Module):
    def __init__(self):
        super().__init__()
        self.intermediate_dense = nn.Linear(HIDDEN, INTERMEDIATE)
        self.output_dense = nn.Linear(INTERMEDIATE, HIDDEN)

    def forward(self, x):
        return self.output_dense(F.gelu(self.intermediate_dense(x)))


class EncoderLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.attention = Attention()
        self.layer_norm = nn.LayerNorm(HIDDEN, eps=EPS)
        self.feed_forward = FeedForward()
        self.final_layer_norm = nn.LayerNorm(HIDDEN, eps=EPS)

    def forward(self, x):
        x = self.layer_norm(x + self.attention(x))
        return self.final_layer_norm(x + self.feed_forward(x))


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.pos_conv_embed = PositionalConv()
        self.layer_norm = nn.LayerNorm(HIDDEN, eps=EPS)
        self.layers = nn.ModuleList(EncoderLayer() for _ in range(LAYERS))

    def forward(self, x):
        states = [self.layer_norm(x + self.pos_conv_embed(x))]
        for layer in self.layers:
            states.append(layer(states[-1]))
        return states


class Wav2Vec2Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.feature_extractor = FeatureEncoder()
        self.feature_projection = FeatureProjection()
        self.encoder = Encoder()

    def forward(self, audio):
        features = self.feature_extractor(audio).transpose(1, 2)
        return self.encoder(self.feature_projection(features))


def build(seed):
    """A model whose every parameter is random (norm affines too, g away from ‖v‖)."""
    torch.manual_seed(seed)
    model = Wav2Vec2Model()
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, (nn.LayerNorm, nn.GroupNorm)):
                module.weight.copy_(1 + 0.2 * torch.randn_like(module.weight))
                module.bias.copy_(0.1 * torch.randn_like(module.bias))
        conv = model.encoder.pos_conv_embed.conv
        conv.weight_g.mul_(1 + 0.3 * torch.rand_like(conv.weight_g))
        conv.bias.copy_(0.1 * torch.randn_like(conv.bias))
    return model.eval()


def normalize(audio):
    """Wav2Vec2FeatureExtractor.zero_mean_unit_var_norm, one row at a time, in float32."""
    return np.stack([(x - x.mean()) / np.sqrt(x.var() + 1e-7) for x in audio]).astype(np.float32)


DTYPES = {np.dtype("float32"): "F32", np.dtype("float16"): "F16", np.dtype("float64"): "F64"}


def write_safetensors(path, arrays):
    header, offset, blobs = {"__metadata__": {"format": "pt"}}, 0, []
    for name in sorted(arrays):
        array = np.ascontiguousarray(arrays[name])
        data = array.astype(array.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": DTYPES[array.dtype], "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as out:
        out.write(len(text).to_bytes(8, "little"))
        out.write(text)
        for blob in blobs:
            out.write(blob)


def main(out_dir):
    torch.set_num_threads(1)
    rng = np.random.default_rng(2024)
    raw = (0.3 * rng.standard_normal((2, 4000)) + np.array([[0.05], [-0.2]])).astype(np.float32)
    audio = normalize(raw)
    expected = {"raw": raw, "normalized": audio}

    # Wav2Vec2ForCTC layout: F32, weight_g / weight_v.
    model = build(seed=11)
    state = {"wav2vec2." + k: v.numpy() for k, v in model.state_dict().items()}
    state["wav2vec2.masked_spec_embed"] = torch.rand(HIDDEN).numpy()
    state["lm_head.weight"] = torch.randn(5, HIDDEN).numpy()
    state["lm_head.bias"] = torch.randn(5).numpy()
    write_safetensors(os.path.join(out_dir, "wav2vec2.safetensors"), state)
    with torch.no_grad():
        for i, h in enumerate(model.double()(torch.from_numpy(audio).double())):
            expected[f"wav2vec2.hidden.{i}"] = h.numpy()

    # HubertForCTC layout saved by torch >= 2.1: F16, parametrizations.weight.original0/1.
    model = build(seed=12)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(p.half().float())  # the forward below sees exactly the stored values
    state = {}
    for key, value in model.state_dict().items():
        key = key.replace("pos_conv_embed.conv.weight_g", "pos_conv_embed.conv.parametrizations.weight.original0")
        key = key.replace("pos_conv_embed.conv.weight_v", "pos_conv_embed.conv.parametrizations.weight.original1")
        state["hubert." + key] = value.half().numpy()
    state["hubert.masked_spec_embed"] = torch.rand(HIDDEN).half().numpy()
    state["lm_head.weight"] = torch.randn(5, HIDDEN).half().numpy()
    write_safetensors(os.path.join(out_dir, "hubert.safetensors"), state)
    with torch.no_grad():
        for i, h in enumerate(model.double()(torch.from_numpy(audio).double())):
            expected[f"hubert.hidden.{i}"] = h.numpy()

    write_safetensors(os.path.join(out_dir, "expected.safetensors"), expected)
    frames = expected["wav2vec2.hidden.0"].shape[1]
    print(f"ok: {len(expected) - 2} hidden states, {frames} frames, into {out_dir}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
