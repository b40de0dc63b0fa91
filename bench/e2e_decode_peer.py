"""The peer of bench_e2e_decode: transformers' generate() from inputs_embeds on the same LM
directory, threads and sizes: a Linear projector 384 -> hidden, the prompt's embeddings and
each trial's valid neural tokens, left-padded, then greedy or beam search with EOS disabled
(every sentence gets NEW_TOKENS tokens). One line: sentences per second, the median of 5
runs after a warm-up.

  e2e_decode_peer.py DIR THREADS BATCH BEAMS NEW_TOKENS
"""
import os
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
import torch  # noqa: E402
from transformers import AutoModelForCausalLM  # noqa: E402

WIDTH, TOKENS = 384, 40


def main(directory, threads, batch, beams, new_tokens):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_pretrained(directory, torch_dtype=torch.float32).eval()
    model.generation_config.eos_token_id = None
    hidden, vocab = model.config.hidden_size, model.config.vocab_size
    projector = torch.nn.Linear(WIDTH, hidden)
    encoded = torch.randn(batch, TOKENS, WIDTH)
    valid = torch.randint(TOKENS // 2, TOKENS + 1, (batch,))
    prompt_a, prompt_b = torch.randint(2, vocab, (8,)), torch.randint(2, vocab, (12,))
    embed = model.get_input_embeddings()

    def once():
        with torch.no_grad():
            projected = projector(encoded)
            rows = [torch.cat([embed(prompt_a), projected[b, :int(valid[b])], embed(prompt_b)])
                    for b in range(batch)]
            longest = max(r.shape[0] for r in rows)
            x = torch.stack([torch.cat([r.new_zeros(longest - r.shape[0], hidden), r]) for r in rows])
            mask = torch.tensor([[0] * (longest - r.shape[0]) + [1] * r.shape[0] for r in rows])
            return model.generate(inputs_embeds=x, attention_mask=mask, max_new_tokens=new_tokens,
                                  do_sample=False, num_beams=beams, num_return_sequences=1, pad_token_id=0,
                                  eos_token_id=None, length_penalty=1.0, early_stopping=False)

    once()
    times = []
    for _ in range(5):
        start = time.perf_counter()
        out = once()
        times.append(time.perf_counter() - start)
    assert out.shape[1] == new_tokens, out.shape
    seconds = sorted(times)[2]
    print(f"transformers beams={beams} threads={threads} sentences={batch} seconds={seconds:.4f} "
          f"sentences_per_s={batch / seconds:.2f}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
