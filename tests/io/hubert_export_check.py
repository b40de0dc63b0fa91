"""Loads a HubertModel directory written by the engine with Hugging Face transformers and
writes its hidden states for the audio in INPUT (safetensors, key "audio" [B, N]) to OUTPUT
(keys hidden.0 ... hidden.L). Fails when loading reports a missing, unexpected or mis-shaped
tensor. Usage: hubert_export_check.py MODEL_DIR INPUT OUTPUT"""
import sys

import torch
import transformers
from safetensors.torch import load_file, save_file

directory, source, target = sys.argv[1:4]
model, info = transformers.HubertModel.from_pretrained(directory, output_loading_info=True)
problems = {key: value for key, value in info.items() if value}
if problems:
    sys.exit(f"loading {directory}: {problems}")
model.eval()
audio = load_file(source)["audio"]
with torch.no_grad():
    states = model(audio, output_hidden_states=True).hidden_states
save_file({f"hidden.{i}": s.contiguous() for i, s in enumerate(states)}, target)
print(f"{len(states)} hidden states of shape {tuple(states[-1].shape)}")
