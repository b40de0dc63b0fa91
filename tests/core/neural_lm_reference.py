"""BIT's end-to-end model (core/llm/neural_lm.h) against transformers + PEFT.

  neural_lm_reference.py make DIR   a tiny random Qwen2 (DIR/lm, save_pretrained) with PEFT
                                    LoRA adapters (rank 4 on all seven projections, lora_B
                                    non-zero; DIR/adapters.safetensors), encoder outputs, the
                                    projector (Linear-ReLU-Linear) and the aligner's weights
                                    (DIR/inputs.safetensors), prompts and targets (inputs.json)
  neural_lm_reference.py check DIR  the engine's loss parts and gradients (llm_crosscheck's
                                    neural_lm_crosscheck_dump: DIR/ours.safetensors) against
                                    the same model written here in PyTorch: the prompt's
                                    embeddings, the projected neural tokens and the target's
                                    embeddings as inputs_embeds of the PEFT model, the summed
                                    cross-entropy of the targets, the symmetric InfoNCE of
                                    the aligner; values within 1e-5 relative, gradients of
                                    the encoder outputs, projector, aligner, logit scale and
                                    adapters within 1e-4 of the largest.
No download: everything is built from configs with fixed seeds. Exits 1 on a mismatch.
"""
import json
import os
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from safetensors.torch import load_file, save_file  # noqa: E402
from transformers import Qwen2Config, Qwen2ForCausalLM  # noqa: E402

TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
PROMPT_A, PROMPT_B = [5, 17], [99, 3, 42]
EOS = 0
SENTENCES = [[7, 8, 9], [250, 11], [31, 64, 65, 66]]
VALID = [6, 4, 5]
ENCODER_WIDTH, INNER, ALIGN = 16, 24, 32


def peft_model(directory):
    from peft import LoraConfig, get_peft_model
    base = Qwen2ForCausalLM.from_pretrained(directory, torch_dtype=torch.float32)
    config = LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0, target_modules=TARGETS, bias="none")
    return get_peft_model(base, config)


def adapter_key(name):
    return name.replace("base_model.model.", "").replace(".default.weight", "")


def make(root):
    config = Qwen2Config(vocab_size=256, hidden_size=64, intermediate_size=96, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=128,
                         initializer_range=0.2, tie_word_embeddings=True, rope_theta=1e6,
                         bos_token_id=None, eos_token_id=EOS, pad_token_id=None)
    torch.manual_seed(41)
    Qwen2ForCausalLM(config).save_pretrained(os.path.join(root, "lm"), safe_serialization=True)
    torch.manual_seed(43)
    model = peft_model(os.path.join(root, "lm"))
    adapters = {}
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "lora_" in name:
                if "lora_B" in name:
                    p.normal_(0, 0.1)
                adapters[adapter_key(name)] = p.detach().clone().contiguous()
    save_file(adapters, os.path.join(root, "adapters.safetensors"))
    g = torch.Generator().manual_seed(47)
    inputs = {
        "encoded": torch.randn(3, 6, ENCODER_WIDTH, generator=g),
        "projector.0.weight": torch.randn(INNER, ENCODER_WIDTH, generator=g) * 0.3,
        "projector.0.bias": torch.randn(INNER, generator=g) * 0.1,
        "projector.2.weight": torch.randn(64, INNER, generator=g) * 0.3,
        "projector.2.bias": torch.randn(64, generator=g) * 0.1,
        "neural_align.weight": torch.randn(ALIGN, 64, generator=g) * 0.2,
        "neural_align.bias": torch.randn(ALIGN, generator=g) * 0.1,
        "text_align.weight": torch.randn(ALIGN, 64, generator=g) * 0.2,
        "text_align.bias": torch.randn(ALIGN, generator=g) * 0.1,
        "logit_scale": torch.tensor(2.5),  # exp: 12.2, under the cap of 100
    }
    save_file(inputs, os.path.join(root, "inputs.safetensors"))
    with open(os.path.join(root, "inputs.json"), "w") as f:
        json.dump({"prompt_a": PROMPT_A, "prompt_b": PROMPT_B, "eos": EOS, "sentences": SENTENCES,
                   "valid": VALID}, f)


def reference(root):
    model = peft_model(os.path.join(root, "lm"))
    adapters = load_file(os.path.join(root, "adapters.safetensors"))
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "lora_" in name:
                p.copy_(adapters[adapter_key(name)])
    inputs = {k: v.clone().requires_grad_(True) for k, v in load_file(os.path.join(root, "inputs.safetensors")).items()}
    encoded = inputs["encoded"]
    hidden = F.relu(F.linear(encoded, inputs["projector.0.weight"], inputs["projector.0.bias"]))
    projected = F.linear(hidden, inputs["projector.2.weight"], inputs["projector.2.bias"])
    embed = model.get_input_embeddings()
    ids = lambda xs: embed(torch.tensor(xs))  # noqa: E731
    rows, starts, targets = [], [], []
    for b, sentence in enumerate(SENTENCES):
        target = sentence + [EOS]
        rows.append(torch.cat([ids(PROMPT_A), projected[b, :VALID[b]], ids(PROMPT_B), ids(target)]))
        starts.append(len(PROMPT_A) + VALID[b] + len(PROMPT_B))
        targets.append(target)
    longest = max(r.shape[0] for r in rows)
    x = torch.stack([torch.cat([r, r.new_zeros(longest - r.shape[0], r.shape[1])]) for r in rows])
    mask = torch.tensor([[1] * r.shape[0] + [0] * (longest - r.shape[0]) for r in rows])
    logits = model(inputs_embeds=x, attention_mask=mask).logits.float()
    ce = sum(F.cross_entropy(logits[b, s - 1:s - 1 + len(t)], torch.tensor(t), reduction="sum")
             for b, (s, t) in enumerate(zip(starts, targets)))
    neural = torch.stack([projected[b, :VALID[b]].mean(0) for b in range(len(SENTENCES))])
    text = torch.stack([ids(s).mean(0) for s in SENTENCES])
    n = F.normalize(F.linear(neural, inputs["neural_align.weight"], inputs["neural_align.bias"]), dim=-1)
    t = F.normalize(F.linear(text, inputs["text_align.weight"], inputs["text_align.bias"]), dim=-1)
    scores = inputs["logit_scale"].exp().clamp(max=100) * n @ t.T
    labels = torch.arange(len(SENTENCES))
    contrastive = (F.cross_entropy(scores, labels) + F.cross_entropy(scores.T, labels)) / 2
    loss = ce + contrastive
    loss.backward()
    grads = {"grad." + k: v.grad for k, v in inputs.items()}
    for name, p in model.named_parameters():
        if "lora_" in name:
            grads["grad." + adapter_key(name)] = p.grad
    return {"cross_entropy": ce.detach(), "contrastive": contrastive.detach(), "loss": loss.detach()}, grads


def check(root):
    values, grads = reference(root)
    ours = load_file(os.path.join(root, "ours.safetensors"))
    failures = 0
    for key, value in values.items():
        error = ((ours[key] - value).abs() / value.abs().clamp(min=1e-6)).item()
        print(f"{key}: ours {ours[key].item():.6f}, reference {value.item():.6f}, relative |diff| {error:.1e}")
        if error > 1e-5:
            failures += 1
            print(f"FAIL {key}: differs by {error} relative (> 1e-5)")
    worst, where = 0.0, ""
    for key, grad in grads.items():
        if key not in ours:
            failures += 1
            print(f"FAIL {key}: missing from the engine's output")
            continue
        error = (ours[key] - grad).abs().max().item() / (grad.abs().max().item() + 1e-12)
        if error > worst:
            worst, where = error, key
    print(f"gradients ({len(grads)} tensors): max relative |diff| {worst:.1e} ({where})")
    if worst > 1e-4:
        failures += 1
        print(f"FAIL gradients: {where} differs by {worst} of its largest value (> 1e-4)")
    return failures


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("make", "check"):
        sys.exit(__doc__)
    if sys.argv[1] == "make":
        make(sys.argv[2])
    else:
        sys.exit(1 if check(sys.argv[2]) else 0)
