"""Writes the tiny ONNX models the Java tests use (operators/src/test/resources/model/).

    /usr/bin/python3 models/train/make_test_models.py

* ``tiny8/``: a differently shaped model (8x8 patches, 2 levels, K=16, D=4, random weights),
  to prove the manifest contract is not tied to the default model.
* ``nan8/``: the same shapes, but its encoder's latents and its decoder's output are NaN.
* ``ctx8/``: the same shapes, but each latent also sees the mean of every patch in the batch (as
  an encoder with attention across the frame does) while its manifest claims ``patchLocal: true``:
  the loader must refuse it.
* ``vit8/``: a small ViT-style encoder that is *not* patch-local and says so (``patchLocal:
  false``): 8x8 patches of a 64x64 frame (64 positions) are embedded, get a learned position
  embedding and go through two self-attention blocks over every patch of their frame (biased
  towards nearer patches, never across frames of one batch); the latent is the patch's pixel
  projection plus the attention output, quantised by a 3-level residual codebook (K=64, D=16).
  Fixed random weights (seed 15), for tests only.

Names on the command line write only those models (default: all of them).
"""

import hashlib
import json
import math
import os
import sys

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
    t = Tiny(nan, context)
    export(name, Enc(t), Dec(t), dict(P=P, L=L, K=K, D=D, W=64, H=32, patchLocal=True))


def export(name, enc, dec, dims):
    P, L, K, D = dims["P"], dims["L"], dims["K"], dims["D"]
    out = os.path.join(OUT, name)
    os.makedirs(out, exist_ok=True)
    torch.onnx.export(enc, (torch.rand(2, C, P, P),), os.path.join(out, "encoder.onnx"),
                      input_names=["patches"], output_names=["tokens", "latents", "levelError"],
                      dynamic_axes={n: {0: "N"} for n in
                                    ("patches", "tokens", "latents", "levelError")},
                      opset_version=13)
    torch.onnx.export(dec, (torch.zeros(2, L, dtype=torch.long), torch.ones(2, L)),
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
        **({"description": dims["description"]} if "description" in dims else {}),
        "input": {"layout": "NCHW", "colorOrder": "RGB", "dtype": "float32", "range": [0, 1]},
        "patchSize": P, "channels": C, "frameWidth": dims["W"], "frameHeight": dims["H"],
        "latentDim": D, "levels": L, "codebookSize": K, "patchLocal": dims["patchLocal"],
        "tokensInGraph": True,
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


# vit8: a ViT-style encoder over whole frames.
VP, VW, VL, VK, VD, VH = 8, 64, 3, 64, 16, 32
VPIX = C * VP * VP
VG = (VW // VP) ** 2  # patches per frame: attention never crosses a frame boundary
CONTEXT = 0.5  # weight of the attention output in the latent
LOCALITY = 2.0  # attention bias: minus squared grid distance over this


class Vit(nn.Module):
    """Weights of the ViT-style test encoder; the decoder reads only ``basis`` and ``cbs``."""

    def __init__(self):
        super().__init__()
        g = torch.Generator().manual_seed(15)
        # Pixel projection with orthonormal columns: the first three are the channel means, so
        # the decoder (its transpose) gives each patch at least its colour.
        means = torch.zeros(VPIX, 3)
        for c in range(3):
            means[c * VP * VP:(c + 1) * VP * VP, c] = 1.0 / VP
        rest = torch.randn(VPIX, VD - 3, generator=g)
        basis, _ = torch.linalg.qr(torch.cat([means, rest], 1))
        basis[:, :3] = means
        self.register_buffer("basis", basis)

        def rand(*shape, scale):
            return nn.Parameter(torch.randn(*shape, generator=g) * scale)

        self.embed = rand(VPIX, VH, scale=1 / math.sqrt(VPIX))
        self.pos = rand(VG, VH, scale=0.5)
        self.blocks = nn.ModuleList()
        for _ in range(2):
            b = nn.Module()
            for n in ("q", "k", "v", "o"):
                setattr(b, n, rand(VH, VH, scale=1 / math.sqrt(VH)))
            b.up = rand(VH, 2 * VH, scale=1 / math.sqrt(VH))
            b.down = rand(2 * VH, VH, scale=1 / math.sqrt(2 * VH))
            self.blocks.append(b)
        self.head = rand(VH, VD, scale=1 / math.sqrt(VH))
        # Residual codebooks with a zero entry first (no level moves a latent away from its
        # target) and, as one pass of k-means initialisation would, residuals of the pixel
        # projections of seeded smooth patches for the other entries, level after level.
        self.register_buffer("cbs", torch.zeros(VL, VK, VD))
        with torch.no_grad():
            r = smooth_patches(4096, g).reshape(-1, VPIX) @ basis
            for level in range(VL):
                pick = torch.randperm(r.shape[0], generator=g)[:VK - 1]
                self.cbs[level, 1:] = r[pick]
                r = r - self.cbs[level].index_select(0, nearest(r, self.cbs[level]))


def smooth_patches(n, g):
    """Patches of a random colour with a random gradient and mild noise, values in [0, 1]."""
    base = torch.rand(n, C, 1, 1, generator=g) * 0.8 + 0.1
    ramp = torch.linspace(-0.5, 0.5, VP)
    gx = (torch.rand(n, 1, 1, 1, generator=g) - 0.5) * 0.4
    gy = (torch.rand(n, 1, 1, 1, generator=g) - 0.5) * 0.4
    noise = (torch.rand(n, C, VP, VP, generator=g) - 0.5) * 0.04
    return (base + gx * ramp.view(1, 1, 1, VP) + gy * ramp.view(1, 1, VP, 1) + noise).clamp(0, 1)


def nearest(r, cb):
    return F.linear(r, 2 * cb, -(cb * cb).sum(1)).argmax(1)


def layer_norm(x):
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)
    return (x - mu) / torch.sqrt(var + 1e-5)


class VitEnc(nn.Module):
    def __init__(self, v):
        super().__init__()
        self.v = v

    def latents(self, patches):
        v = self.v
        x = patches.reshape(-1, VPIX)
        idx = torch.arange(x.shape[0])
        frame = torch.div(idx, VG, rounding_mode="floor")
        pos = idx - frame * VG
        row = torch.div(pos, VW // VP, rounding_mode="floor")
        col = pos - row * (VW // VP)
        # Patches attend to the patches of their own frame only (frames of many cameras share
        # one batch, VG consecutive patches in row-major grid order per frame), nearer ones more.
        same = (frame.unsqueeze(1) == frame.unsqueeze(0)).float()
        dist = (row.unsqueeze(1) - row.unsqueeze(0)) ** 2 + (col.unsqueeze(1) - col.unsqueeze(0)) ** 2
        bias = (1 - same) * -1e9 - dist.float() / LOCALITY
        h = x @ v.embed + v.pos[pos]
        for b in v.blocks:
            a = layer_norm(h)
            scores = (a @ b.q) @ (a @ b.k).t() / math.sqrt(VH) + bias
            h = h + torch.softmax(scores, 1) @ (a @ b.v) @ b.o
            h = h + F.gelu(layer_norm(h) @ b.up) @ b.down
        return x @ v.basis + CONTEXT * (layer_norm(h) @ v.head)

    def forward(self, patches):
        v = self.v
        x = patches.reshape(-1, VPIX)
        z = self.latents(patches)
        target = x @ v.basis  # what the decoder can reproduce of the pixels
        r, q, ids, prefixes = z, torch.zeros_like(z), [], []
        for level in range(VL):
            cb = v.cbs[level]
            # The entry nearest the latent's residual among those that do not make the decoded
            # picture worse (the zero entry never does), so levelError falls level by level.
            sq = (cb * cb).sum(1)
            worse = F.linear(target - q, 2 * cb, -sq) < 0
            idx_l = (F.linear(r, 2 * cb, -sq) - worse.float() * 1e9).argmax(1)
            c = cb.index_select(0, idx_l)
            ids.append(idx_l)
            q = q + c
            prefixes.append(q)
            r = r - c
        rec = torch.clamp(torch.stack(prefixes, 0).reshape(-1, VD) @ v.basis.t(), 0, 1)
        err = ((rec.reshape(VL, -1, VPIX) - x.unsqueeze(0)) ** 2).mean(2).transpose(0, 1)
        return torch.stack(ids, 1), z, err


class VitDec(nn.Module):
    def __init__(self, v):
        super().__init__()
        self.v = v
        self.register_buffer("table", v.cbs.reshape(VL * VK, VD))
        self.register_buffer("offsets", torch.arange(VL) * VK)

    def forward(self, tokens, mask):
        q = (self.table[tokens + self.offsets] * mask.unsqueeze(2)).sum(1)
        return torch.clamp(q @ self.v.basis.t(), 0, 1).reshape(-1, C, VP, VP)


def write_vit(name):
    v = Vit()
    export(name, VitEnc(v), VitDec(v),
           dict(P=VP, L=VL, K=VK, D=VD, W=VW, H=VW, patchLocal=False,
                description="ViT-style test encoder with fixed random weights: two"
                            " self-attention blocks over the patches of a frame, so not"
                            " patch-local. For tests only."))


MODELS = {
    "tiny8": lambda: write("tiny8", False),
    "nan8": lambda: write("nan8", True),
    "ctx8": lambda: write("ctx8", False, context=True),
    "vit8": lambda: write_vit("vit8"),
}

if __name__ == "__main__":
    torch.set_num_threads(1)
    for model in sys.argv[1:] or MODELS:
        MODELS[model]()
