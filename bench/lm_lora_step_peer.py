"""The peer of bench_lm_lora_step: transformers + PEFT on the same model directory, threads
and PyTorch: rank-8 LoRA (alpha 32, no dropout) on all seven projections, the model's own
causal-LM loss (mean next-token cross-entropy), backward, torch.optim.AdamW over the adapters.
One line: the step time, the median of 5 steps after 2 warm-ups.

  lm_lora_step_peer.py DIR THREADS BATCH LENGTH
"""
import os
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
import torch  # noqa: E402
from peft import LoraConfig, get_peft_model  # noqa: E402
from transformers import AutoModelForCausalLM  # noqa: E402


def main(directory, threads, batch, length):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    base = AutoModelForCausalLM.from_pretrained(directory, torch_dtype=torch.float32)
    model = get_peft_model(base, LoraConfig(r=8, lora_alpha=32, lora_dropout=0.0, bias="none",
                                            target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj",
                                                            "up_proj", "down_proj"]))
    model.train()
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=1e-4, weight_decay=0.0)
    ids = torch.randint(2, base.config.vocab_size, (batch, length))

    def step():
        optimizer.zero_grad(set_to_none=False)
        model(input_ids=ids, labels=ids).loss.backward()
        optimizer.step()

    step()
    step()
    times = []
    for _ in range(5):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    print(f"transformers+peft threads={threads} batch={batch} length={length} "
          f"trainable={sum(p.numel() for p in trainable)} step_ms={1e3 * sorted(times)[2]:.1f}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
