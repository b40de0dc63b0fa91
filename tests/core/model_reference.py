#!/usr/bin/env python3
"""Independent PyTorch reference for the BIT model, span masking, both losses, AdamW, LAMB,
gradient clipping and the learning-rate schedules (docs/model.md).

Reads each safetensors file written by model_crosscheck_dump (weights, batch, and the C++
results), recomputes everything here and compares. Tolerance: for every tensor,
max|cpp - ref| / max|ref| <= 1e-5 (float32); masks must match exactly.
Usage: model_reference.py FILE.safetensors...   Exit 0 when all agree, 1 otherwise."""
import json
import math
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rng_reference import rng  # noqa: E402  (xoshiro256** as core/random.h)

TOLERANCE = 1e-5
DTYPES = {"F64": np.float64, "F32": np.float32, "I64": np.int64, "U8": np.uint8}
failures = []
worst = [0.0, ""]  # largest relative error seen, and where


def load_safetensors(path):
    with open(path, "rb") as f:
        blob = f.read()
    (size,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + size])
    data = blob[8 + size:]
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        array = np.frombuffer(data[begin:end], dtype=DTYPES[entry["dtype"]]).reshape(entry["shape"])
        tensors[name] = torch.from_numpy(array.copy())
    return meta, tensors


def compare(label, cpp, ref):
    cpp = cpp.to(torch.float64)
    ref = ref.detach().to(torch.float64)
    if cpp.shape != ref.shape:
        failures.append(f"{label}: shape {tuple(cpp.shape)} vs reference {tuple(ref.shape)}")
        return
    scale = ref.abs().max().item() if ref.numel() else 0.0
    error = (cpp - ref).abs().max().item() if ref.numel() else 0.0
    relative = error / scale if scale > 0 else error
    if relative > worst[0]:
        worst[:] = [relative, label]
    if not relative <= TOLERANCE:
        failures.append(f"{label}: relative error {relative:.3e} (max |ref| {scale:.3e})")
    return relative


# ---- model ------------------------------------------------------------------------------
class ReadIn(nn.Module):
    def __init__(self, width, hidden):
        super().__init__()
        self.norm_in, self.linear, self.norm_out = nn.LayerNorm(width), nn.Linear(width, hidden), nn.LayerNorm(hidden)

    def forward(self, x):
        return self.norm_out(self.linear(self.norm_in(x)))


class ReadOut(nn.Module):
    def __init__(self, hidden, width):
        super().__init__()
        self.norm_in, self.linear, self.norm_out = nn.LayerNorm(hidden), nn.Linear(hidden, width), nn.LayerNorm(width)

    def forward(self, x):
        return self.norm_out(self.linear(self.norm_in(x)))


def rope(x, positions, theta):
    """Rotate pairs (i, i + hd/2) of x [B, H, N, hd] by positions * theta^(-2i/hd)."""
    hd = x.shape[-1]
    half = hd // 2
    inv = theta ** (-(torch.arange(0, hd, 2, dtype=torch.float64) / hd))
    angle = positions.to(torch.float64)[:, None] * inv[None, :]
    cos, sin = torch.cos(angle).float(), torch.sin(angle).float()
    a, b = x[..., :half], x[..., half:]
    return torch.cat([a * cos - b * sin, b * cos + a * sin], dim=-1)


class Attention(nn.Module):
    def __init__(self, hidden, heads, theta):
        super().__init__()
        self.heads, self.theta = heads, theta
        self.query, self.key, self.value = (nn.Linear(hidden, hidden) for _ in range(3))
        self.out_proj = nn.Linear(hidden, hidden)

    def forward(self, x, padding, positions):
        B, N, D = x.shape
        split = lambda t: t.view(B, N, self.heads, D // self.heads).transpose(1, 2)
        q = rope(split(self.query(x)), positions, self.theta)
        k = rope(split(self.key(x)), positions, self.theta)
        v = split(self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(D // self.heads)
        scores = scores.masked_fill(padding[:, None, None, :], float("-inf"))
        out = torch.softmax(scores, dim=-1) @ v
        return self.out_proj(out.transpose(1, 2).reshape(B, N, D))


class Mlp(nn.Module):
    def __init__(self, hidden, inner):
        super().__init__()
        self.up_proj, self.down_proj = nn.Linear(hidden, inner), nn.Linear(inner, hidden)

    def forward(self, x):
        return self.down_proj(F.gelu(self.up_proj(x)))


class Block(nn.Module):
    def __init__(self, hidden, heads, inner, theta):
        super().__init__()
        self.norm1, self.attn = nn.LayerNorm(hidden), Attention(hidden, heads, theta)
        self.norm2, self.mlp = nn.LayerNorm(hidden), Mlp(hidden, inner)

    def forward(self, x, padding, positions):
        x = x + self.attn(self.norm1(x), padding, positions)
        return x + self.mlp(self.norm2(x))


class Transformer(nn.Module):
    def __init__(self, hidden, layers, heads, inner, theta):
        super().__init__()
        self.layers = nn.ModuleList(Block(hidden, heads, inner, theta) for _ in range(layers))
        self.final_norm = nn.LayerNorm(hidden)

    def forward(self, x, padding, positions):
        for layer in self.layers:
            x = layer(x, padding, positions)
        return self.final_norm(x)


class Encoder(nn.Module):
    def __init__(self, subjects, patch, hidden, layers, heads, inner, theta):
        super().__init__()
        self.read_in = nn.ModuleDict({name: ReadIn(c * patch, hidden) for name, c in subjects})
        self.mask_token = nn.Parameter(torch.zeros(hidden))
        self.transformer = Transformer(hidden, layers, heads, inner, theta)


class Model(nn.Module):
    def __init__(self, subjects, patch, hidden, layers, heads, inner, theta):
        super().__init__()
        self.encoder = Encoder(subjects, patch, hidden, layers, heads, inner, theta)
        self.read_out = nn.ModuleDict({name: ReadOut(hidden, c * patch) for name, c in subjects})

    def forward(self, tokens, padding, positions, subject, mask):
        h = self.encoder.read_in[subject](tokens)
        h = torch.where(mask[..., None], self.encoder.mask_token.expand_as(h), h)
        h = self.encoder.transformer(h, padding, positions)
        return self.read_out[subject](h)


def load_weights(model, tensors):
    """Copy `param.*` into the model, splitting the fused qkv into query/key/value."""
    own = dict(model.named_parameters())
    with torch.no_grad():
        for name, value in tensors.items():
            if not name.startswith("param."):
                continue
            name = name[len("param."):]
            if ".attn.qkv." in name:
                for part, chunk in zip(("query", "key", "value"), value.chunk(3, dim=0)):
                    own.pop(name.replace("qkv", part)).copy_(chunk)
            else:
                own.pop(name).copy_(value)
    assert not own, f"parameters missing from the file: {sorted(own)}"


def cpp_named_grads(model):
    """Gradients under the C++ names (query/key/value fused back into qkv)."""
    grads = {}
    for name, p in model.named_parameters():
        if p.grad is None:
            continue  # a parameter the batch does not use (another subject's layers)
        if ".attn.query." in name:
            parts = [dict(model.named_parameters())[name.replace("query", k)].grad for k in ("query", "key", "value")]
            grads[name.replace("query", "qkv")] = torch.cat(parts, 0)
        elif ".attn.key." in name or ".attn.value." in name:
            continue
        else:
            grads[name] = p.grad
    return grads


# ---- data path --------------------------------------------------------------------------
def smooth(x, bins, sd):
    """Zero-padded Gaussian smoothing along time, tap by tap."""
    half = math.ceil(3 * sd)
    taps = np.exp(-np.arange(-half, half + 1) ** 2 / (2 * sd * sd))
    taps = taps / taps.sum()
    B, T, C = x.shape
    padded = torch.cat([torch.zeros(B, half, C), x, torch.zeros(B, half, C)], dim=1)
    out = sum(float(w) * padded[:, j:j + T] for j, w in enumerate(taps))
    valid = (torch.arange(T)[None, :] < bins[:, None]).float()[..., None]
    return out * valid


def patch(x, size):
    B, T, C = x.shape
    n = -(-T // size)
    x = torch.cat([x, torch.zeros(B, n * size - T, C)], dim=1)
    return torch.stack([x[:, i * size:(i + 1) * size].reshape(B, -1) for i in range(n)], dim=1)


def uniform_int(gen, lo, hi):
    span = hi - lo + 1
    umax = (1 << 64) - 1
    limit = umax - umax % span
    while True:
        x = next(gen)
        if x < limit:
            return lo + x % span


def span_mask(bins, tokens, size, ratio, max_span, seed, step, trials):
    span = uniform_int(rng(seed, [0x6D61736B, step]), 1, max_span)
    mask = torch.zeros(len(bins), tokens, dtype=torch.bool)
    for b, length in enumerate(bins.tolist()):
        gen = rng(seed, [0x6D61736B, step, trials[b]])
        n = -(-length // size)
        target = math.floor(ratio * n + 0.5)
        run = min(span, n)
        masked, draws = 0, 0
        while masked < target and draws < 8 * n:
            start = uniform_int(gen, 0, n - run)
            for t in range(start, start + run):
                if masked < target and not mask[b, t]:
                    mask[b, t] = True
                    masked += 1
            draws += 1
        for t in range(n):
            if masked < target and not mask[b, t]:
                mask[b, t] = True
                masked += 1
    return mask


# ---- optimisers and schedules -------------------------------------------------------------
def no_decay(name):
    return name.endswith("bias") or name.endswith("mask_token") or ".norm" in name or "final_norm" in name


def adamw_reference(params, grads):
    leaves = {n: p.clone().requires_grad_(True) for n, p in params.items()}
    groups = [{"params": [p for n, p in leaves.items() if not no_decay(n)], "weight_decay": 0.1},
              {"params": [p for n, p in leaves.items() if no_decay(n)], "weight_decay": 0.0}]
    optimizer = torch.optim.AdamW(groups, lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    for step in range(3):
        for n, p in leaves.items():
            if n in grads:
                p.grad = grads[n].clone()
        for group in optimizer.param_groups:
            group["lr"] = 1e-3 * (step + 1)
        optimizer.step()
    return leaves


def lamb_reference(params, grads, beta1=0.9, beta2=0.999, eps=1e-6, wd=0.1):
    out = {}
    for n, p in params.items():
        p = p.double().clone()
        if n not in grads:  # no gradient: no update, as torch.optim
            out[n] = p
            continue
        g = grads[n].double()
        m = torch.zeros_like(p)
        v = torch.zeros_like(p)
        for t in range(1, 4):
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * g * g
            r = (m / (1 - beta1 ** t)) / ((v / (1 - beta2 ** t)).sqrt() + eps)
            trust = 1.0
            if not no_decay(n):
                r = r + wd * p
                wn, rn = p.norm().item(), r.norm().item()
                trust = wn / rn if wn > 0 and rn > 0 else 1.0
            p = p - 1e-3 * t * trust * r
        out[n] = p
    return out


def schedule_reference(kind, lr=1e-3, total=50, steps=60):
    if kind.startswith("one_cycle"):
        w = torch.zeros(1, requires_grad=True)
        opt = torch.optim.SGD([w], lr=lr)
        sched = torch.optim.lr_scheduler.OneCycleLR(
            opt, max_lr=lr, total_steps=total, pct_start=0.3 if kind == "one_cycle_rise" else 0.0,
            anneal_strategy="cos", div_factor=25.0, final_div_factor=1e4, cycle_momentum=False)
        values = []
        for s in range(total):
            values.append(opt.param_groups[0]["lr"])
            opt.step()
            if s + 1 < total:
                sched.step()
        return torch.tensor(values + [values[-1]] * (steps - total), dtype=torch.float64)
    warmup = 5
    floor = lr * (0.1 if kind == "warmup_cosine" else 0.0)
    values = []
    for s in range(steps):
        if s < warmup:
            values.append(lr * (s + 1) / warmup)
        elif kind == "constant":
            values.append(lr)
        else:
            pct = min(1.0, (s - warmup) / (total - warmup))
            if kind == "linear":
                values.append(lr + (floor - lr) * pct)
            else:
                values.append(floor + (lr - floor) * 0.5 * (1 + math.cos(math.pi * pct)))
    return torch.tensor(values, dtype=torch.float64)


# ---- one case ------------------------------------------------------------------------------
def check(path):
    meta, t = load_safetensors(path)
    case = os.path.basename(path)
    subjects = [(s.split(":")[0], int(s.split(":")[1])) for s in meta["subjects"].split(",")]
    size = int(meta["patch_size"])
    subject = subjects[int(meta["subject"])][0]
    model = Model(subjects, size, int(meta["hidden"]), int(meta["layers"]), int(meta["heads"]),
                  int(meta["mlp"]), float(meta["rope_theta"]))
    load_weights(model, t)

    features, bins = t["input.features"], t["input.bins"]
    tokens = -(-features.shape[1] // size)
    mask = span_mask(bins, tokens, size, float(meta["mask_ratio"]), int(meta["max_span"]),
                     int(meta["mask_seed"]), int(meta["step"]),
                     [int(meta["first_trial"]) + i for i in range(len(bins))])
    if not torch.equal(mask, t["output.mask"].bool()):
        failures.append(f"{case} mask: differs from the reference in {int((mask != t['output.mask'].bool()).sum())} tokens")
    sd = float(meta["smooth_sd"])
    inputs = smooth(features, bins, sd) if sd > 0 else features
    x, target = patch(inputs, size), patch(features, size)
    n_valid = -(-bins // size)
    padding = torch.arange(tokens)[None, :] >= n_valid[:, None]
    positions = torch.arange(tokens) * size
    bin_ok = (torch.arange(tokens * size)[None, :] < bins[:, None]).view(len(bins), tokens, size)
    C = features.shape[2]
    weight = (mask[:, :, None, None] & bin_ok[..., None]).expand(-1, -1, -1, C).reshape(len(bins), tokens, -1).float()

    reconstruction = model(x, padding, positions, subject, mask)
    compare(f"{case} reconstruction", t["output.reconstruction"], reconstruction)
    loss = ((reconstruction - target) ** 2 * weight).sum()
    compare(f"{case} loss_mse", t["output.loss_mse"], loss)
    sse = ((reconstruction.detach() - target) ** 2 * weight).sum()
    scored = target * weight
    sums = torch.stack([loss.detach(), weight.sum(), sse, scored.sum(), (scored ** 2).sum()]).double()
    compare(f"{case} metric sums", t["output.sums_mse"], sums)
    loss.backward()
    grads = cpp_named_grads(model)
    expected = sorted(n[len("grad_mse."):] for n in t if n.startswith("grad_mse."))
    if sorted(grads) != expected:
        failures.append(f"{case}: parameters with gradients differ: {sorted(set(grads) ^ set(expected))}")
    for name, grad in grads.items():
        compare(f"{case} grad_mse {name}", t["grad_mse." + name], grad)

    model.zero_grad()
    reconstruction = model(x, padding, positions, subject, mask)
    poisson = (F.poisson_nll_loss(reconstruction, target, log_input=True, full=False, reduction="none") * weight).sum()
    compare(f"{case} loss_poisson", t["output.loss_poisson"], poisson)
    poisson.backward()
    for name, grad in cpp_named_grads(model).items():
        compare(f"{case} grad_poisson {name}", t["grad_poisson." + name], grad)

    params = {n[len("param."):]: v for n, v in t.items() if n.startswith("param.")}
    mse_grads = {n: t["grad_mse." + n] for n in params if "grad_mse." + n in t}
    for name, value in adamw_reference(params, mse_grads).items():
        compare(f"{case} adamw {name}", t["adamw." + name], value)
    for name, value in lamb_reference(params, mse_grads).items():
        compare(f"{case} lamb {name}", t["lamb." + name], value)

    leaves = {n: p.clone().requires_grad_(True) for n, p in params.items()}
    for n, p in leaves.items():
        if n in mse_grads:
            p.grad = mse_grads[n].clone()
    total = torch.sqrt(sum((g.double() ** 2).sum() for g in mse_grads.values())).item()
    norm = torch.nn.utils.clip_grad_norm_(list(leaves.values()), 0.3 * total)
    compare(f"{case} clip norm", t["clip.norm"], torch.tensor(float(norm)))
    for n, p in leaves.items():
        if p.grad is not None:
            compare(f"{case} clip {n}", t["clip." + n], p.grad)

    for kind in ("warmup_cosine", "linear", "constant", "one_cycle", "one_cycle_rise"):
        compare(f"{case} schedule {kind}", t["schedule." + kind], schedule_reference(kind))
    print(f"{case}: {sum(1 for _ in t)} tensors compared, mask {int(mask.sum())}/{int((~padding).sum())} tokens")


def main():
    torch.set_num_threads(1)
    for path in sys.argv[1:]:
        check(path)
    if failures:
        print(f"{len(failures)} disagreements with the reference:")
        for line in failures[:60]:
            print("  " + line)
        return 1
    print(f"all outputs, losses, gradients, optimiser steps and schedules agree within {TOLERANCE:g}"
          f" (largest relative error {worst[0]:.2e}: {worst[1]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
