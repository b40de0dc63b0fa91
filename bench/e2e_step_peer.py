"""The peer of bench_e2e_step: BIT's end-to-end step in PyTorch on the same LM directory,
threads, batch and sizes: transformers + PEFT (rank-8 LoRA, alpha 32, no dropout, all seven
projections), a Linear projector 384 -> hidden, the prompt, neural tokens and sentence as
inputs_embeds (compact, right-padded), the summed cross-entropy of the sentence and EOS, the
aligner's symmetric InfoNCE (two Linear(hidden, 512), L2-normalised, logit scale
exp(ln 10) capped at 100), backward, torch.optim.AdamW over the projector, aligner and
adapters. One line: the step time, the median of 5 steps after 2 warm-ups.

  e2e_step_peer.py DIR THREADS BATCH
"""
import math
import os
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from peft import LoraConfig, get_peft_model  # noqa: E402
from transformers import AutoModelForCausalLM  # noqa: E402

WIDTH, TOKENS = 384, 40


def main(directory, threads, batch):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    base = AutoModelForCausalLM.from_pretrained(directory, torch_dtype=torch.float32)
    model = get_peft_model(base, LoraConfig(r=8, lora_alpha=32, lora_dropout=0.0, bias="none",
                                            target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj",
                                                            "up_proj", "down_proj"]))
    model.train()
    hidden, vocab = base.config.hidden_size, base.config.vocab_size
    projector = torch.nn.Linear(WIDTH, hidden)
    neural_align, text_align = torch.nn.Linear(hidden, 512), torch.nn.Linear(hidden, 512)
    logit_scale = torch.nn.Parameter(torch.tensor(math.log(10.0)))
    params = [p for p in model.parameters() if p.requires_grad] + list(projector.parameters()) + \
        list(neural_align.parameters()) + list(text_align.parameters()) + [logit_scale]
    optimizer = torch.optim.AdamW(params, lr=5e-5, weight_decay=0.0)
    encoded = torch.randn(batch, TOKENS, WIDTH)
    valid = torch.randint(TOKENS // 2, TOKENS + 1, (batch,))
    prompt_a, prompt_b = torch.randint(2, vocab, (8,)), torch.randint(2, vocab, (12,))
    sentences = [torch.randint(2, vocab, (12,)) for _ in range(batch)]
    targets = [torch.cat([s, torch.tensor([1])]) for s in sentences]
    embed = model.get_input_embeddings()

    def step():
        optimizer.zero_grad(set_to_none=False)
        projected = projector(encoded)
        rows, starts = [], []
        for b in range(batch):
            n = int(valid[b])
            rows.append(torch.cat([embed(prompt_a), projected[b, :n], embed(prompt_b), embed(targets[b])]))
            starts.append(len(prompt_a) + n + len(prompt_b))
        longest = max(r.shape[0] for r in rows)
        x = torch.stack([torch.cat([r, r.new_zeros(longest - r.shape[0], hidden)]) for r in rows])
        mask = torch.tensor([[1] * r.shape[0] + [0] * (longest - r.shape[0]) for r in rows])
        logits = model(inputs_embeds=x, attention_mask=mask).logits.float()
        ce = sum(F.cross_entropy(logits[b, s - 1:s - 1 + len(t)], t, reduction="sum")
                 for b, (s, t) in enumerate(zip(starts, targets)))
        neural = torch.stack([projected[b, :int(valid[b])].mean(0) for b in range(batch)])
        text = torch.stack([embed(s).mean(0) for s in sentences])
        n = F.normalize(neural_align(neural), dim=-1)
        t = F.normalize(text_align(text), dim=-1)
        scores = logit_scale.exp().clamp(max=100) * n @ t.T
        labels = torch.arange(batch)
        (ce + (F.cross_entropy(scores, labels) + F.cross_entropy(scores.T, labels)) / 2).backward()
        optimizer.step()

    step()
    step()
    times = []
    for _ in range(5):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    print(f"transformers+peft threads={threads} batch={batch} tokens={TOKENS} "
          f"trainable={sum(p.numel() for p in params)} step_ms={1e3 * sorted(times)[2]:.1f}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
