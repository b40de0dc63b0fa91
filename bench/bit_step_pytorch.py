#!/usr/bin/env python3
"""The peer of bench_bit_step: the same BIT masked model and training step in PyTorch,
written as the reference implementation writes it (separate query/key/value Linears,
nn.Dropout, torch.optim.AdamW). Same sizes, same FLOP count, same output line.

Variants, so the comparison is against the best PyTorch can do:
  --attention manual   softmax(q k^T / sqrt(hd) + mask) v, as the reference writes it
  --attention sdpa     torch.nn.functional.scaled_dot_product_attention (PyTorch 2.x fused)
  --compile            the model under torch.compile (Inductor); the first steps compile

usage: bit_step_pytorch.py [--size default|small] [--batch 32] [--bins 500] [--channels 512]
                           [--steps 10] [--threads N] [--attention manual|sdpa] [--compile]"""
import argparse
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def rotate(x, cos, sin):
    half = x.shape[-1] // 2
    return x * cos + torch.cat([-x[..., half:], x[..., :half]], dim=-1) * sin


class Attention(nn.Module):
    def __init__(self, d, heads, dropout, fused):
        super().__init__()
        self.heads, self.fused, self.p = heads, fused, dropout
        self.query, self.key, self.value, self.out_proj = (nn.Linear(d, d) for _ in range(4))
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, key_bias, cos, sin):
        B, N, D = x.shape
        split = lambda t: t.view(B, N, self.heads, D // self.heads).transpose(1, 2)
        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        q, k = rotate(q, cos, sin), rotate(k, cos, sin)
        if self.fused:
            out = F.scaled_dot_product_attention(q, k, v, attn_mask=key_bias,
                                                 dropout_p=self.p if self.training else 0.0)
            return self.out_proj(out.transpose(1, 2).reshape(B, N, D))
        scores = q @ k.transpose(-1, -2) / math.sqrt(D // self.heads)
        if key_bias is not None:
            scores = scores + key_bias
        out = self.dropout(torch.softmax(scores, -1)) @ v
        return self.out_proj(out.transpose(1, 2).reshape(B, N, D))


class Block(nn.Module):
    def __init__(self, d, heads, mlp, dropout, fused):
        super().__init__()
        self.norm1, self.attn = nn.LayerNorm(d), Attention(d, heads, dropout, fused)
        self.norm2 = nn.LayerNorm(d)
        self.mlp = nn.Sequential(nn.Linear(d, mlp), nn.GELU(), nn.Linear(mlp, d))
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, key_bias, cos, sin):
        x = x + self.dropout(self.attn(self.norm1(x), key_bias, cos, sin))
        return x + self.dropout(self.mlp(self.norm2(x)))


class MaskedModel(nn.Module):
    def __init__(self, width, d, layers, heads, mlp, fused, dropout=0.4, embedding_dropout=0.2):
        super().__init__()
        self.read_in = nn.Sequential(nn.LayerNorm(width), nn.Linear(width, d), nn.LayerNorm(d))
        self.mask_token = nn.Parameter(torch.randn(d) * 0.02)
        self.embedding_dropout = nn.Dropout(embedding_dropout)
        self.blocks = nn.ModuleList(Block(d, heads, mlp, dropout, fused) for _ in range(layers))
        self.final_norm = nn.LayerNorm(d)
        self.read_out = nn.Sequential(nn.LayerNorm(d), nn.Linear(d, width), nn.LayerNorm(width))
        self.heads = heads

    def forward(self, tokens, padding, mask, positions):
        h = self.read_in(tokens)
        h = torch.where(mask[..., None], self.mask_token.expand_as(h), h)
        h = self.embedding_dropout(h)
        hd = h.shape[-1] // self.heads
        inv = 1e4 ** (-(torch.arange(0, hd, 2, dtype=torch.float32) / hd))
        angle = positions.float()[:, None] * inv[None]
        cos, sin = torch.cos(torch.cat([angle, angle], -1)), torch.sin(torch.cat([angle, angle], -1))
        # No padding in the batch: no mask at all (as neuroscale skips it), so SDPA may take its
        # unmasked kernel.
        key_bias = (torch.zeros(padding.shape).masked_fill(padding, float("-inf"))[:, None, None, :]
                    if bool(padding.any()) else None)
        for block in self.blocks:
            h = block(h, key_bias, cos, sin)
        return self.read_out(self.final_norm(h))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="default", choices=["default", "small"])
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--bins", type=int, default=500)
    parser.add_argument("--channels", type=int, default=512)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--attention", default="manual", choices=["manual", "sdpa"])
    parser.add_argument("--compile", action="store_true")
    parser.add_argument("--warmup", type=int, default=2, help="untimed steps first (compilation happens there)")
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    d, layers, heads, mlp = (384, 7, 6, 512) if args.size == "default" else (128, 4, 4, 256)
    P, B, C = 5, args.batch, args.channels
    N = -(-args.bins // P)
    model = MaskedModel(P * C, d, layers, heads, mlp, args.attention == "sdpa").train()
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01},
                                   {"params": no_decay, "weight_decay": 0.0}], lr=1e-4)
    features = torch.randn(B, N * P, C)
    padding = torch.zeros(B, N, dtype=torch.bool)
    positions = torch.arange(N) * P
    forward = torch.compile(model) if args.compile else model
    warmup = max(args.warmup, 3 if args.compile else 0)
    times = []
    for step in range(args.steps + warmup):
        start = time.perf_counter()
        optimizer.zero_grad()
        tokens = features.reshape(B, N, P * C)
        mask = torch.rand(B, N) < 0.5
        out = forward(tokens, padding, mask, positions)
        weight = mask[..., None].float()
        loss = ((out - tokens) ** 2 * weight).sum()
        loss.backward()
        optimizer.step()
        if step >= warmup:
            times.append(time.perf_counter() - start)
    times.sort()
    median = times[len(times) // 2]
    read = 2.0 * P * C * d * B * N
    layer = B * N * (2.0 * d * 3 * d + 2.0 * d * d + 4.0 * d * mlp) + B * N * 4.0 * N * d
    flops = 3 * (2 * read + layers * layer)  # read-in input grad too (LayerNorm before it)
    variant = args.attention + ("+compile" if args.compile else "")
    print(f"impl=pytorch-{variant} torch={torch.__version__.split('+')[0]} size={args.size} threads={torch.get_num_threads()} step_ms={median * 1e3:.1f} "
          f"model_gflop={flops / 1e9:.2f} gflops={flops / median / 1e9:.1f}")


if __name__ == "__main__":
    main()
