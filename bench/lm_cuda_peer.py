"""The GPU peer of bench/lm_cuda_check.cpp: transformers' generate() on a random model of
Qwen2.5-1.5B's shape in bfloat16 on the GPU, 8 prompts of 32 tokens, 64 new tokens, EOS
disabled, greedy and 4 beams: tokens/s, the median of 3 runs after a warm-up."""
import os
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
import torch  # noqa: E402
from transformers import Qwen2Config, Qwen2ForCausalLM  # noqa: E402

config = Qwen2Config(vocab_size=151936, hidden_size=1536, intermediate_size=8960, num_hidden_layers=28,
                     num_attention_heads=12, num_key_value_heads=2, rms_norm_eps=1e-6, rope_theta=1e6,
                     max_position_embeddings=4096, tie_word_embeddings=True)
torch.manual_seed(0)
with torch.device("cuda"):
    model = Qwen2ForCausalLM(config).to(torch.bfloat16).eval()
ids = torch.tensor([[1000 + 37 * b + 11 * t for t in range(32)] for b in range(8)], device="cuda")
for beams in (1, 4):
    def once():
        with torch.no_grad():
            return model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), max_new_tokens=64,
                                  do_sample=False, num_beams=beams, eos_token_id=None, pad_token_id=0)
    once()
    times = []
    for _ in range(3):
        torch.cuda.synchronize()
        start = time.perf_counter()
        out = once()
        torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    assert out.shape[1] == 32 + 64
    seconds = sorted(times)[1]
    print(f"transformers qwen2.5-1.5b-shape bf16 beams={beams} tokens={8 * 64} seconds={seconds:.3f} "
          f"tokens_per_s={8 * 64 / seconds:.1f}")
