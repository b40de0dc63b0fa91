"""`neuroscale lm train`'s Hugging Face directory, loaded by transformers as it is.

  lm_train_transformers.py text FILE           writes FILE: sentences of a small grammar
  lm_train_transformers.py check HF TEXT TSV   AutoTokenizer and AutoModelForCausalLM load HF;
                                               each line of TEXT is scored (BOS + tokens,
                                               log-probability of every token after BOS) and
                                               compared with `neuroscale lm score`'s TSV:
                                               token counts equal, log-probabilities within
                                               1e-3; greedy generation runs.
No download happens. Exits 1 on a mismatch.
"""
import csv
import os
import random
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def text(path):
    rng = random.Random(4)
    subjects = ["the cat", "a dog", "my friend", "the brain", "our model", "the signal"]
    verbs = ["sees", "decodes", "likes", "follows", "predicts", "hears"]
    objects = ["the word", "a sentence", "the phoneme", "123 ideas", "café au lait", "a 🚀"]
    with open(path, "w") as f:
        for _ in range(400):
            f.write(f"{rng.choice(subjects)} {rng.choice(verbs)} {rng.choice(objects)}.\n")


def check(hf, text_path, tsv):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    tokenizer = AutoTokenizer.from_pretrained(hf)
    model = AutoModelForCausalLM.from_pretrained(hf, torch_dtype=torch.float32).eval()
    bos = tokenizer.convert_tokens_to_ids(tokenizer.bos_token)
    assert bos == model.config.bos_token_id, (bos, model.config.bos_token_id)
    lines = [line.rstrip("\n") for line in open(text_path) if line.strip()]
    ours = list(csv.DictReader(open(tsv), delimiter="\t"))
    assert len(ours) == len(lines), (len(ours), len(lines))
    failures = 0
    for line, row in zip(lines, ours):
        ids = [bos] + tokenizer.encode(line, add_special_tokens=False)
        with torch.no_grad():
            logits = model(torch.tensor([ids])).logits[0]
        log_probs = torch.log_softmax(logits.float(), -1)
        total = sum(log_probs[i - 1, ids[i]].item() for i in range(1, len(ids)))
        if int(row["tokens"]) != len(ids) - 1 or abs(float(row["log_probability"]) - total) > 1e-3:
            failures += 1
            if failures <= 5:
                print(f"FAIL line {row['line']} {line!r}: ours {row['tokens']} tokens {row['log_probability']}, "
                      f"transformers {len(ids) - 1} tokens {total:.6f}")
    generated = model.generate(torch.tensor([[bos]]), max_new_tokens=5, do_sample=False)
    print(f"{len(lines)} lines scored alike by transformers; greedy from BOS: {tokenizer.decode(generated[0])!r}")
    if failures:
        sys.exit(1)


if __name__ == "__main__":
    if sys.argv[1] == "text":
        text(sys.argv[2])
    else:
        check(*sys.argv[2:5])
