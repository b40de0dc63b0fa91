"""The peer of bench_speech_step: the brain-tuning reference's model and step in PyTorch
eager, built as the reference builds it: Hugging Face `Wav2Vec2Model` (random weights of
the same architecture; the values do not change the cost), `freeze_feature_encoder()`,
`.eval()`, PEFT `LoraConfig(r=8, lora_alpha=32, lora_dropout=0.1)` on the attention
projections, mean pooling of `last_hidden_state`, one `nn.Linear` head, MSE loss and
`torch.optim.AdamW` over the trainable parameters. Same sizes and output line as
bench_speech_step; the FLOP count is the one bench_speech_step prints, passed in.

Runs with transformers and peft beside the build's PyTorch (bench/speech_step.sh installs
them).

usage: speech_step_pytorch.py [--size base|tiny] [--batch 2] [--seconds 10] [--voxels 4096]
                              [--steps 5] [--threads N] [--model-gflop G] [--peak-gflops P]"""
import argparse
import statistics
import time

import torch
import torch.nn as nn
from peft import LoraConfig, get_peft_model
from transformers import Wav2Vec2Config, Wav2Vec2Model


def config(size):
    if size == "base":
        return Wav2Vec2Config()  # wav2vec2-base: 12 layers, 768 wide, 12 heads, 3072 MLP
    # The tiny test size of neuroscale (Wav2Vec2Options::tiny): the base's seven kernels and
    # strides with 32 channels, 2 layers of width 32.
    return Wav2Vec2Config(conv_dim=(32,) * 7, hidden_size=32, num_hidden_layers=2,
                          num_attention_heads=2, intermediate_size=64,
                          num_conv_pos_embeddings=16, num_conv_pos_embedding_groups=4)


class SpeechVoxelModel(nn.Module):
    def __init__(self, size, voxels):
        super().__init__()
        backbone = Wav2Vec2Model(config(size))
        backbone.freeze_feature_encoder()
        backbone.eval()
        lora = LoraConfig(r=8, lora_alpha=32, lora_dropout=0.1, bias="none",
                          target_modules=["attention.q_proj", "attention.k_proj",
                                          "attention.v_proj", "attention.out_proj"])
        self.backbone = get_peft_model(backbone, lora)
        self.head = nn.Linear(backbone.config.hidden_size, voxels)

    def forward(self, audio):
        audio = (audio - audio.mean(1, keepdim=True)) / torch.sqrt(audio.var(1, unbiased=False, keepdim=True) + 1e-7)
        hidden = self.backbone(audio).last_hidden_state
        return self.head(hidden.mean(1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="base", choices=["base", "tiny"])
    parser.add_argument("--batch", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--voxels", type=int, default=4096)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--model-gflop", type=float, default=0.0)
    parser.add_argument("--peak-gflops", type=float, default=0.0)
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    model = SpeechVoxelModel(args.size, args.voxels)
    model.head.train()
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=1e-4, weight_decay=0.01)
    loss_fn = nn.MSELoss()
    audio = torch.randn(args.batch, int(args.seconds * 16000))
    target = torch.randn(args.batch, args.voxels)

    times = []
    for step in range(args.steps + 1):
        start = time.perf_counter()
        optimizer.zero_grad()
        loss = loss_fn(model(audio), target)
        loss.backward()
        optimizer.step()
        if step >= 1:  # one warm-up step
            times.append(time.perf_counter() - start)
    median = statistics.median_high(times)
    gflops = args.model_gflop / median
    fraction = gflops / args.peak_gflops if args.peak_gflops > 0 else 0.0
    print(f"impl=pytorch size={args.size} threads={torch.get_num_threads()} step_ms={median * 1e3:.1f} "
          f"model_gflop={args.model_gflop:.2f} gflops={gflops:.1f} gemm_peak_gflops={args.peak_gflops:.1f} "
          f"peak_fraction={fraction:.3f} trainable={sum(p.numel() for p in trainable)}")


if __name__ == "__main__":
    main()
