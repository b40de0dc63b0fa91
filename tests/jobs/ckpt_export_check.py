"""`neuroscale ckpt export` as PyTorch sees it, checked against the checkpoint's own shards.

Usage: ckpt_export_check.py EXPORTED.safetensors STEP_DIR STEP

Both files are parsed here independently of neuroscale (8-byte little-endian header length,
JSON header, raw little-endian data; huggingface/safetensors docs/format). Checks: the
exported names are exactly the checkpoint's `model.*` names without the prefix, every tensor
is F32 and equal bit for bit to the one in its shard, the metadata says format pt and the
step, the names build a torch.nn.Module tree that `load_state_dict(strict=True)` accepts,
and, when the `safetensors` package is importable, `safetensors.torch.load_file` agrees.
Exit 0 when all hold; an AssertionError names the first that does not.
"""
import glob
import json
import os
import struct
import sys

import numpy as np
import torch

DTYPES = {"F64": np.float64, "F32": np.float32, "F16": np.float16, "I64": np.int64,
          "I32": np.int32, "I16": np.int16, "I8": np.int8, "U8": np.uint8, "BOOL": np.bool_}


def read_safetensors(path):
    """(metadata, {name: (dtype, array)}) of a safetensors file."""
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = f.read()
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        array = np.frombuffer(data[begin:end], dtype=np.dtype(DTYPES[entry["dtype"]]).newbyteorder("<"))
        tensors[name] = (entry["dtype"], array.reshape(entry["shape"]))
    return metadata, tensors


def module_tree(state):
    """A torch.nn.Module whose parameters are named as `state`'s keys (zeros of their shapes)."""
    root = torch.nn.Module()
    for name, tensor in state.items():
        *path, leaf = name.split(".")
        module = root
        for part in path:
            if part not in module._modules:
                module.add_module(part, torch.nn.Module())
            module = module._modules[part]
        module.register_parameter(leaf, torch.nn.Parameter(torch.zeros_like(tensor)))
    return root


def main(exported_path, step_dir, step):
    metadata, exported = read_safetensors(exported_path)
    assert metadata.get("format") == "pt", f"metadata format is {metadata.get('format')!r}, expected 'pt'"
    assert metadata.get("step") == step, f"metadata step is {metadata.get('step')!r}, expected {step!r}"
    for key in ("config_hash", "code_version"):
        assert metadata.get(key), f"metadata lacks {key}: {metadata}"

    shards = sorted(glob.glob(os.path.join(step_dir, "shard-*.safetensors")))
    assert shards, f"no shard files in {step_dir}"
    model = {}
    for shard in shards:
        for name, tensor in read_safetensors(shard)[1].items():
            if name.startswith("model."):
                assert name[len("model."):] not in model, f"{name} is in two shards"
                model[name[len("model."):]] = tensor

    assert set(exported) == set(model), (
        f"exported names differ from the checkpoint's model.* names: only exported "
        f"{sorted(set(exported) - set(model))[:5]}, only in the checkpoint {sorted(set(model) - set(exported))[:5]}")
    for name, (dtype, array) in exported.items():
        assert dtype == "F32", f"{name} is {dtype}, expected F32"
        assert model[name][0] == "F32" and np.array_equal(array, model[name][1]), f"{name} differs from its shard"

    state = {name: torch.from_numpy(array.copy()) for name, (_, array) in exported.items()}
    module = module_tree(state)
    module.load_state_dict(state, strict=True)
    loaded = module.state_dict()
    assert all(torch.equal(loaded[name], state[name]) for name in state), "load_state_dict changed values"

    try:
        from safetensors.torch import load_file
    except ImportError:
        print("note: the safetensors package is not installed; checked with json + numpy only")
    else:
        by_library = load_file(exported_path)
        assert set(by_library) == set(state), "safetensors.torch.load_file sees other names"
        assert all(torch.equal(by_library[name], state[name]) for name in state), "load_file values differ"

    parameters = sum(array.size for _, array in exported.values())
    print(f"ok: {len(exported)} tensors, {parameters} parameters, equal to the shards of {step_dir}")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
