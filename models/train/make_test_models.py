"""Writes the tiny ONNX models the Java tests use (operators/src/test/resources/model/).

    /usr/bin/python3 models/train/make_test_models.py

* ``tiny8/``: a differently shaped model (8x8 patches, 2 levels, K=16, D=4, random weights),
  to prove the manifest contract is not tied to the default model.
* ``nan8/``: the same shapes, but its encoder's latents and its decoder's output are NaN.
* ``ctx8/``: the same shapes, but each latent also sees the mean of every patch in the batch (as
  an encoder with attention across the frame does) while its manifest claims ``patchLocal: true``:
  the loader must refuse it.
"""

import hashlib
import json
import os

import torch
from torch import nn
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "operators", "src",
                   "test", "resources", "model")
P, C, L, K, D = 8, 3, 2, 16, 4
PIX = C * P * P


class Tiny(nn.Module):
    def __init__(self, nan, context=False):
        super().__init__()
        self.context = context
        g = torch.Generator().manual_seed(3)
        self.enc = nn.Parameter(torch.randn(PIX, D, generator=g) * 0.1)
        self.dec = nn.Parameter(torch.randn(D, PIX, generator=g) * 0.5)
        self.register_buffer("cbs", torch.randn(L, K, D, generator=g))
        self.nan = nan


class Enc(nn.Module):
    def __init__(self, t):
        super().__init__()
        self.t = t

    def forward(self, patches):
        x = patches.reshape(-1, PIX)
        z = x @ self.t.enc
        if self.t.context:
            z = z + 0.5 * z.mean(0, keepdim=True)
        if self.t.nan:
            z = z * float("nan")
        r, q, ids, prefixes = z, torch.zeros_like(z), [], []
        for level in range(L):
            cb = self.t.cbs[level]
            idx = F.linear(r, 2 * cb, -(cb * cb).sum(1)).argmax(1)
            c = cb.index_select(0, idx)
            ids.append(idx)
            q = q + c
            prefixes.append(q)
            r = r - c
        rec = torch.sigmoid(torch.stack(prefixes, 0).reshape(-1, D) @ self.t.dec)
        err = ((rec.reshape(L, -1, PIX) - x.unsqueeze(0)) ** 2).mean(2).transpose(0, 1)
        return torch.stack(ids, 1), z, err


class Dec(nn.Module):
    def __init__(self, t):
        super().__init__()
        self.t = t
        self.register_buffer("table", t.cbs.reshape(L * K, D))
        self.register_buffer("offsets", torch.arange(L) * K)

    def forward(self, tokens, mask):
        q = (self.table[tokens + self.offsets] * mask.unsqueeze(2)).sum(1)
        y = torch.sigmoid(q @ self.t.dec)
        if self.t.nan:
            y = y * float("nan")
        return y.reshape(-1, C, P, P)


def write(name, nan, context=False):
    out = os.path.join(OUT, name)
    os.makedirs(out, exist_ok=True)
    t = Tiny(nan, context)
    torch.onnx.export(Enc(t), (torch.rand(2, C, P, P),), os.path.join(out, "encoder.onnx"),
                      input_names=["patches"], output_names=["tokens", "latents", "levelError"],
                      dynamic_axes={n: {0: "N"} for n in
                                    ("patches", "tokens", "latents", "levelError")},
                      opset_version=13)
    torch.onnx.export(Dec(t), (torch.zeros(2, L, dtype=torch.long), torch.ones(2, L)),
                      os.path.join(out, "decoder.onnx"),
                      input_names=["tokens", "levelMask"], output_names=["patches"],
                      dynamic_axes={n: {0: "N"} for n in ("tokens", "levelMask", "patches")},
                      opset_version=13)
    files = {}
    for f in ("encoder.onnx", "decoder.onnx"):
        b = open(os.path.join(out, f), "rb").read()
        files[f] = {"sha256": hashlib.sha256(b).hexdigest(), "bytes": len(b)}
    m = {
        "id": "test-" + name, "version": "0.0.1",
        "input": {"layout": "NCHW", "colorOrder": "RGB", "dtype": "float32", "range": [0, 1]},
        "patchSize": P, "channels": C, "frameWidth": 64, "frameHeight": 32, "latentDim": D,
        "levels": L, "codebookSize": K, "patchLocal": True, "tokensInGraph": True,
        "encoder": {"file": "encoder.onnx",
                    "inputs": [{"name": "patches", "dtype": "float32", "shape": [-1, C, P, P]}],
                    "outputs": [{"name": "tokens", "dtype": "int64", "shape": [-1, L]},
                                {"name": "latents", "dtype": "float32", "shape": [-1, D]},
                                {"name": "levelError", "dtype": "float32", "shape": [-1, L]}]},
        "decoder": {"file": "decoder.onnx",
                    "inputs": [{"name": "tokens", "dtype": "int64", "shape": [-1, L]},
                               {"name": "levelMask", "dtype": "float32", "shape": [-1, L]}],
                    "outputs": [{"name": "patches", "dtype": "float32",
                                 "shape": [-1, C, P, P]}]},
        "files": files,
    }
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(m, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    torch.set_num_threads(1)
    write("tiny8", False)
    write("nan8", True)
    write("ctx8", False, context=True)
