"""The causal LM (core/llm) against Hugging Face transformers.

  llm_reference.py make DIR   tiny random Qwen2 and Llama models saved with save_pretrained,
                              and the inputs the engine runs them on (DIR/<family>/inputs.json)
                              and, in DIR/lora, a Llama model with PEFT LoRA adapters (rank 4
                              on all seven projections, lora_B made non-zero) and their weights
  llm_reference.py check DIR  the engine's outputs (written by llm_crosscheck_dump) against
                              transformers on the same weights: logits within 1e-5 (float32)
                              and 2e-2 relative (bfloat16), greedy and beam-search tokens
                              identical, beam scores within 1e-4; with LoRA, logits within
                              1e-5 and the adapters' gradients of a summed log-likelihood
                              within 1e-4 of PEFT's.
No download: the models are built from configs with fixed seeds. Exits 1 on a mismatch.
"""
import json
import os
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
import torch  # noqa: E402
from safetensors.torch import load_file  # noqa: E402
from transformers import LlamaConfig, LlamaForCausalLM, Qwen2Config, Qwen2ForCausalLM  # noqa: E402

FAMILIES = {
    # Qwen2: q/k/v biases, tied embeddings, 4 heads over 2 KV heads.
    "qwen2": (Qwen2Config, Qwen2ForCausalLM,
              dict(tie_word_embeddings=True, num_key_value_heads=2, rope_theta=1e6, rms_norm_eps=1e-6)),
    # Llama: no biases, separate head, 4 heads over 1 KV head.
    "llama": (LlamaConfig, LlamaForCausalLM,
              dict(tie_word_embeddings=False, num_key_value_heads=1, rope_theta=1e4, rms_norm_eps=1e-5)),
}
PROMPTS = [[5, 17, 99, 3, 250, 8], [42, 7, 7], [200, 1, 64, 31]]
MAX_NEW = 12
BEAMS = 4


def build(family, seed):
    config_class, model_class, extra = FAMILIES[family]
    config = config_class(vocab_size=256, hidden_size=64, intermediate_size=96, num_hidden_layers=2,
                          num_attention_heads=4, max_position_embeddings=128, initializer_range=0.2,
                          bos_token_id=1, eos_token_id=0, pad_token_id=None, **extra)
    torch.manual_seed(seed)
    model = model_class(config).eval()
    with torch.no_grad():  # norms away from 1 so their weights are exercised
        for name, p in model.named_parameters():
            if "norm" in name or name.endswith("bias"):
                p.add_(torch.randn_like(p) * 0.1)
    return model


def left_pad(prompts, pad):
    length = max(len(p) for p in prompts)
    ids = [[pad] * (length - len(p)) + p for p in prompts]
    mask = [[0] * (length - len(p)) + [1] * len(p) for p in prompts]
    return torch.tensor(ids), torch.tensor(mask)


def greedy(model, ids, mask):
    out = model.generate(input_ids=ids, attention_mask=mask, max_new_tokens=MAX_NEW, do_sample=False, num_beams=1,
                         pad_token_id=model.config.eos_token_id)
    return out[:, ids.shape[1]:].tolist()


def make(root):
    for seed, family in enumerate(FAMILIES):
        model = build(family, seed + 7)
        ids, mask = left_pad(PROMPTS, 0)
        # EOS: a token greedy decoding reaches after a few steps, so hypotheses do end.
        eos = greedy(model, ids, mask)[0][3]
        model.config.eos_token_id = eos
        model.generation_config.eos_token_id = eos
        directory = os.path.join(root, family)
        model.save_pretrained(directory, safe_serialization=True)
        with open(os.path.join(directory, "inputs.json"), "w") as f:
            json.dump({"prompts": PROMPTS, "pad": eos, "max_new_tokens": MAX_NEW, "beams": BEAMS}, f)
    make_lora(root)


LORA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def peft_model(directory):
    from peft import LoraConfig, get_peft_model
    base = LlamaForCausalLM.from_pretrained(directory, torch_dtype=torch.float32)
    config = LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0, target_modules=LORA_TARGETS, bias="none")
    return get_peft_model(base, config)


def make_lora(root):
    from safetensors.torch import save_file
    directory = os.path.join(root, "lora")
    build("llama", 23).save_pretrained(directory, safe_serialization=True)
    torch.manual_seed(29)
    model = peft_model(directory)
    adapters = {}
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "lora_" in name:
                if "lora_B" in name:
                    p.normal_(0, 0.1)  # PEFT starts B at zero: make the update visible
                key = name.replace("base_model.model.", "").replace(".default.weight", "")
                adapters[key] = p.detach().clone().contiguous()
    save_file(adapters, os.path.join(directory, "adapters.safetensors"))
    ids = torch.tensor([[3, 17, 99, 42, 7, 250, 8, 1], [12, 5, 5, 64, 200, 31, 2, 9]])
    with open(os.path.join(directory, "inputs.json"), "w") as f:
        json.dump({"ids": ids.tolist()}, f)


def log_likelihood(logits, ids):
    log_probs = torch.log_softmax(logits[:, :-1].float(), -1)
    return log_probs.gather(2, ids[:, 1:].unsqueeze(2)).sum()


def check_lora(root):
    directory = os.path.join(root, "lora")
    model = peft_model(directory)
    from safetensors.torch import load_file as load
    adapters = load(os.path.join(directory, "adapters.safetensors"))
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "lora_" in name:
                p.copy_(adapters[name.replace("base_model.model.", "").replace(".default.weight", "")])
    ids = torch.tensor(json.load(open(os.path.join(directory, "inputs.json")))["ids"])
    logits = model(input_ids=ids).logits
    log_likelihood(logits, ids).backward()
    ours = load(os.path.join(directory, "ours.safetensors"))
    failures = 0
    error = (ours["logits"] - logits.detach()).abs().max().item()
    print(f"lora: logits max |diff| {error:.2e}")
    if error > 1e-5:
        failures += 1
        print(f"FAIL lora: logits differ by {error} (> 1e-5)")
    worst = 0.0
    for name, p in model.named_parameters():
        if "lora_" not in name:
            continue
        key = "grad." + name.replace("base_model.model.", "").replace(".default.weight", "")
        scale = p.grad.abs().max().item() + 1e-12
        worst = max(worst, (ours[key] - p.grad).abs().max().item() / scale)
    print(f"lora: adapter gradients max relative |diff| {worst:.2e}")
    if worst > 1e-4:
        failures += 1
        print(f"FAIL lora: adapter gradients differ by {worst} (> 1e-4 of the largest)")
    return failures


def strip(tokens, eos):
    out = []
    for t in tokens:
        out.append(t)
        if t == eos:
            break
    return out


def check(root):
    failures = 0
    for family in FAMILIES:
        directory = os.path.join(root, family)
        model = FAMILIES[family][1].from_pretrained(directory, torch_dtype=torch.float32).eval()
        inputs = json.load(open(os.path.join(directory, "inputs.json")))
        eos = model.config.eos_token_id
        ids, mask = left_pad(inputs["prompts"], inputs["pad"])
        position_ids = (mask.cumsum(-1) - 1).masked_fill(mask == 0, 0)
        ours = load_file(os.path.join(directory, "ours.safetensors"))
        with torch.no_grad():
            theirs = model(input_ids=ids, attention_mask=mask, position_ids=position_ids).logits
        real = mask.bool()
        error = (ours["logits"][real] - theirs[real]).abs().max().item()
        print(f"{family}: float32 logits max |diff| {error:.2e}")
        if error > 1e-5:
            failures += 1
            print(f"FAIL {family}: float32 logits differ by {error} (> 1e-5)")
        bf16 = FAMILIES[family][1].from_pretrained(directory, torch_dtype=torch.bfloat16).eval()
        with torch.no_grad():
            theirs16 = bf16(input_ids=ids, attention_mask=mask, position_ids=position_ids).logits.float()
        scale = theirs16[real].abs().max().item()
        error16 = (ours["logits_bf16"][real] - theirs16[real]).abs().max().item() / scale
        print(f"{family}: bfloat16 logits max |diff| / max |logit| {error16:.2e}")
        if error16 > 2e-2:
            failures += 1
            print(f"FAIL {family}: bfloat16 logits differ by {error16} of the largest logit (> 2e-2)")

        generated = json.load(open(os.path.join(directory, "ours.json")))
        expected = [strip(row, eos) for row in greedy(model, ids, mask)]
        if generated["greedy"] != expected:
            failures += 1
            print(f"FAIL {family}: greedy tokens\n  ours   {generated['greedy']}\n  theirs {expected}")
        else:
            print(f"{family}: greedy tokens identical ({sum(len(r) for r in expected)} tokens)")
        beams = inputs["beams"]
        out = model.generate(input_ids=ids, attention_mask=mask, max_new_tokens=inputs["max_new_tokens"],
                             do_sample=False, num_beams=beams, num_return_sequences=beams, length_penalty=1.0,
                             early_stopping=False, pad_token_id=eos, output_scores=True, return_dict_in_generate=True)
        sequences = out.sequences[:, ids.shape[1]:].tolist()
        scores = out.sequences_scores.tolist()
        for b in range(len(inputs["prompts"])):
            for k in range(beams):
                row = b * beams + k
                theirs_tokens = strip(sequences[row], eos)
                ours_h = generated["beam"][b][k]
                if ours_h["tokens"] != theirs_tokens or abs(ours_h["score"] - scores[row]) > 1e-4:
                    failures += 1
                    print(f"FAIL {family}: beam {b}/{k}\n  ours   {ours_h}\n  theirs {theirs_tokens} {scores[row]}")
        print(f"{family}: beam search ({beams} beams, n-best {beams}) checked")
    failures += check_lora(root)
    if failures:
        print(f"{failures} mismatch(es)")
        sys.exit(1)
    print("all LLM checks passed")


if __name__ == "__main__":
    {"make": make, "check": check}[sys.argv[1]](sys.argv[2])
