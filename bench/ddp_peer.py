#!/usr/bin/env python3
"""The peer of bench_reducer's training step: the same BIT masked model
(bench/bit_step_pytorch.py) trained with PyTorch DistributedDataParallel over gloo, one
process per rank, the same micro-batch per rank and the same threads per rank.

usage: ddp_peer.py [--ranks 2] [--size small] [--batch 8] [--bins 500] [--steps 6] [--threads 1]
Prints one line: impl=pytorch_ddp ... step_ms=... samples_per_s=..."""
import argparse
import importlib.util
import os
import socket
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("bit_step_pytorch", os.path.join(HERE, "bit_step_pytorch.py"))
peer = importlib.util.module_from_spec(spec)
spec.loader.exec_module(peer)


def worker(rank, args, port, out):
    torch.set_num_threads(args.threads)
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=args.ranks)
    torch.manual_seed(0)
    d, layers, heads, mlp = (384, 7, 6, 512) if args.size == "default" else (128, 4, 4, 256)
    P, B, C = 5, args.batch, 512
    N = -(-args.bins // P)
    model = torch.nn.parallel.DistributedDataParallel(peer.MaskedModel(P * C, d, layers, heads, mlp, args.attention == "sdpa").train())
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01)
    features = torch.randn(B, N * P, C)
    padding = torch.zeros(B, N, dtype=torch.bool)
    positions = torch.arange(N) * P
    times = []
    for step in range(args.steps + 2):
        dist.barrier()
        start = time.perf_counter()
        optimizer.zero_grad()
        tokens = features.reshape(B, N, P * C)
        mask = torch.rand(B, N) < 0.5
        reconstruction = model(tokens, padding, mask, positions)
        loss = ((reconstruction - tokens) ** 2 * mask[..., None].float()).sum()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        if step >= 2:
            times.append(time.perf_counter() - start)
    if rank == 0:
        times.sort()
        out.put(times[len(times) // 2])
    dist.destroy_process_group()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ranks", type=int, default=2)
    parser.add_argument("--size", default="small", choices=["default", "small"])
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--bins", type=int, default=500)
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--attention", default="sdpa", choices=["manual", "sdpa"],
                        help="attention as the reference writes it, or PyTorch 2.x's fused SDPA (default)")
    args = parser.parse_args()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    context = mp.get_context("spawn")
    out = context.Queue()
    mp.start_processes(worker, args=(args, port, out), nprocs=args.ranks, join=True, start_method="spawn")
    step = out.get()
    print(f"impl=pytorch_ddp ranks={args.ranks} size={args.size} batch={args.batch} step_ms={step * 1e3:.1f} "
          f"samples_per_s={args.ranks * args.batch / step:.2f}")


if __name__ == "__main__":
    main()
