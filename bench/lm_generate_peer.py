"""The peer of bench_lm_generate: Hugging Face transformers' generate() on the same model,
prompts, threads and PyTorch (the build's NEUROSCALE_PYTHON).

  lm_generate_peer.py make DIR SIZE     a random Qwen2 model of SIZE (tiny | 100m) saved to DIR
                                        with prompts.json (fixed seeds, no download)
  lm_generate_peer.py run DIR THREADS BEAMS NEW_TOKENS
                                        one line: generated tokens per second, the median of 5
                                        runs after a warm-up (EOS disabled: every run generates
                                        NEW_TOKENS per sequence)
"""
import json
import os
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
import torch  # noqa: E402
from transformers import Qwen2Config, Qwen2ForCausalLM  # noqa: E402

SIZES = {
    "tiny": dict(vocab_size=2048, hidden_size=64, intermediate_size=192, num_hidden_layers=2,
                 num_attention_heads=4, num_key_value_heads=2),
    # about 100M parameters: a Qwen2-style model with a 32k vocabulary
    "100m": dict(vocab_size=32000, hidden_size=768, intermediate_size=2048, num_hidden_layers=12,
                 num_attention_heads=12, num_key_value_heads=4),
}


def make(directory, size):
    torch.manual_seed(0)
    config = Qwen2Config(max_position_embeddings=512, tie_word_embeddings=True, bos_token_id=1, eos_token_id=0,
                         **SIZES[size])
    model = Qwen2ForCausalLM(config)
    model.save_pretrained(directory, safe_serialization=True)
    rng = torch.Generator().manual_seed(1)
    prompts = [torch.randint(2, config.vocab_size, (n,), generator=rng).tolist() for n in (16, 11, 16, 7)]
    json.dump(prompts, open(os.path.join(directory, "prompts.json"), "w"))
    print(f"{size}: {sum(p.numel() for p in model.parameters()) / 1e6:.1f}M parameters in {directory}")


def run(directory, threads, beams, new_tokens):
    torch.set_num_threads(threads)
    model = Qwen2ForCausalLM.from_pretrained(directory, torch_dtype=torch.float32).eval()
    prompts = json.load(open(os.path.join(directory, "prompts.json")))
    length = max(len(p) for p in prompts)
    ids = torch.tensor([[0] * (length - len(p)) + p for p in prompts])
    mask = torch.tensor([[0] * (length - len(p)) + [1] * len(p) for p in prompts])
    model.generation_config.eos_token_id = None

    def once():
        with torch.no_grad():
            return model.generate(input_ids=ids, attention_mask=mask, max_new_tokens=new_tokens, do_sample=False,
                                  num_beams=beams, num_return_sequences=1, pad_token_id=0, eos_token_id=None,
                                  length_penalty=1.0, early_stopping=False)

    once()
    times = []
    for _ in range(5):
        start = time.perf_counter()
        out = once()
        times.append(time.perf_counter() - start)
    assert out.shape[1] == length + new_tokens, out.shape
    seconds = sorted(times)[len(times) // 2]
    tokens = len(prompts) * new_tokens
    print(f"transformers beams={beams} threads={threads} tokens={tokens} seconds={seconds:.4f} "
          f"tokens_per_s={tokens / seconds:.1f}")


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2], sys.argv[3])
    else:
        run(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
