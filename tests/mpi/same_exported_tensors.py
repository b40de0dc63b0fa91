"""Whether `ckpt export` files hold the same tensors, bit for bit (the exports' metadata
differs per run, so the files are not compared whole):

  same_exported_tensors.py [--only REGEX] [--require PREFIX,PREFIX...] FILE FILE...

--only: every tensor name must match REGEX (e.g. adapters and heads only, nothing frozen);
--require: some tensor name must start with each of the comma-separated PREFIXes. Exits 1 naming the first tensor
that differs or breaks a rule; prints the count otherwise.
"""
import argparse
import json
import re
import struct
import sys


def tensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    header.pop("__metadata__", None)
    return {k: data[v["data_offsets"][0]:v["data_offsets"][1]] for k, v in header.items()}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--only")
    parser.add_argument("--require", default="")
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    first, *others = (tensors(f) for f in args.files)
    for name, other in zip(args.files[1:], others):
        if set(other) != set(first):
            sys.exit(f"{name} holds other tensors than {args.files[0]}")
        for key in first:
            if other[key] != first[key]:
                sys.exit(f"{key}: {name} differs from {args.files[0]}")
    if args.only:
        bad = [k for k in first if not re.fullmatch(args.only, k)]
        if bad:
            sys.exit(f"tensors outside '{args.only}': {sorted(bad)[:4]}")
    for prefix in filter(None, args.require.split(",")):
        if not any(k.startswith(prefix) for k in first):
            sys.exit(f"no tensor starts with '{prefix}'")
    print(f"{len(first)} tensors identical in {len(args.files)} files")


if __name__ == "__main__":
    main()
