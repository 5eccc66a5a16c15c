"""The patch-local residual-VQ autoencoder, the frame refiner, and their export graphs.

Each 16x16 RGB patch is encoded on its own (patch-local), so unchanged patches never need
the encoder again. The latent is quantised by L residual levels with K codes each; every
prefix of levels decodes to a patch (coarse first, finer levels refine).
"""

import math

import torch
from torch import nn
import torch.nn.functional as F

PATCH = 16
CHANNELS = 3
PIXELS = CHANNELS * PATCH * PATCH


class PatchVQ(nn.Module):
    def __init__(self, latent_dim=16, levels=4, codebook_size=4096, enc_hidden=(384, 256),
                 dec_hidden=(192, 192)):
        super().__init__()
        self.latent_dim = latent_dim
        self.levels = levels
        self.codebook_size = codebook_size
        self.enc_hidden = enc_hidden
        self.dec_hidden = dec_hidden
        dims = [PIXELS, *enc_hidden]
        layers = []
        for a, b in zip(dims, dims[1:]):
            layers += [nn.Linear(a, b), nn.SiLU()]
        self.encoder = nn.Sequential(*layers, nn.Linear(dims[-1], latent_dim))
        dims = [latent_dim, *dec_hidden]
        layers = []
        for a, b in zip(dims, dims[1:]):
            layers += [nn.Linear(a, b), nn.SiLU()]
        self.decoder = nn.Sequential(*layers, nn.Linear(dims[-1], PIXELS))
        self.register_buffer("codebooks", torch.zeros(levels, codebook_size, latent_dim))

    def encode(self, x):
        """x: [N,768] in [0,1] -> z: [N,D]."""
        return self.encoder(x * 2.0 - 1.0)

    def decode(self, q):
        """q: [N,D] -> [N,768], unclamped (the export graphs clamp to [0,1])."""
        return self.decoder(q) * 0.5 + 0.5

    def quantise(self, z):
        """Residual VQ. Returns token ids [N,L], prefix sums [L,N,D], residual inputs per level."""
        r = z
        q = torch.zeros_like(z)
        ids, prefixes, residuals = [], [], []
        for level in range(self.levels):
            cb = self.codebooks[level]
            # argmin ||r - c||^2 == argmax (2 r.c - ||c||^2)
            score = F.linear(r, 2.0 * cb, -(cb * cb).sum(1))
            idx = score.argmax(1)
            c = cb[idx]
            residuals.append(r)
            ids.append(idx)
            q = q + c
            prefixes.append(q)
            r = r - c
        return torch.stack(ids, 1), torch.stack(prefixes, 0), residuals

    def param_count(self):
        return sum(p.numel() for p in self.parameters()) + self.codebooks.numel()


class EncoderGraph(nn.Module):
    """encoder.onnx: patches [N,3,16,16] -> tokens [N,L] int64, latents [N,D], levelError [N,L]."""

    def __init__(self, model):
        super().__init__()
        self.m = model
        cbs = model.codebooks.detach().clone()
        self.register_buffer("twice", 2.0 * cbs)
        self.register_buffer("neg_norm", -(cbs * cbs).sum(2))
        self.register_buffer("cbs", cbs)

    def forward(self, patches):
        x = patches.reshape(-1, PIXELS)
        z = self.m.encode(x)
        r = z
        q = torch.zeros_like(z)
        ids, prefixes = [], []
        for level in range(self.m.levels):
            idx = F.linear(r, self.twice[level], self.neg_norm[level]).argmax(1)
            c = self.cbs[level].index_select(0, idx)
            ids.append(idx)
            q = q + c
            prefixes.append(q)
            r = r - c
        stacked = torch.stack(prefixes, 0).reshape(-1, self.m.latent_dim)
        recon = self.m.decode(stacked).clamp(0.0, 1.0).reshape(self.m.levels, -1, PIXELS)
        err = ((recon - x.unsqueeze(0)) ** 2).mean(2).transpose(0, 1)
        return torch.stack(ids, 1), z, err


class DecoderGraph(nn.Module):
    """decoder.onnx: tokens [N,L] int64, levelMask [N,L] float -> patches [N,3,16,16] in [0,1]."""

    def __init__(self, model):
        super().__init__()
        self.m = model
        levels, k, d = model.codebooks.shape
        self.register_buffer("table", model.codebooks.detach().clone().reshape(levels * k, d))
        self.register_buffer("offsets", (torch.arange(levels) * k).long())

    def forward(self, tokens, level_mask):
        codes = self.table[tokens + self.offsets]  # [N,L,D]
        q = (codes * level_mask.unsqueeze(2)).sum(1)
        return self.m.decode(q).clamp(0.0, 1.0).reshape(-1, CHANNELS, PATCH, PATCH)


class FrameRefiner(nn.Module):
    """Frame refiner: a small CNN over a whole decoded frame that removes seams between patches
    and restores edges that continue into a neighbour. It never changes tokens (encoding stays
    patch-local); it only makes the picture decoded from them better.

    Works at a quarter of the resolution (space-to-depth by 4), so a 3x3 convolution there spans
    12 pixels; it also sees how many levels each patch was decoded from and where in its patch
    every pixel lies. Output = input + predicted correction.
    """

    def __init__(self, levels=4, channels=64, blocks=6, frame=256):
        super().__init__()
        self.levels = levels
        self.channels = channels
        self.blocks = blocks
        s = frame // 4
        yy, xx = torch.meshgrid(torch.arange(s).float(), torch.arange(s).float(), indexing="ij")
        ang = 2 * math.pi / (PATCH // 4)
        pos = torch.stack([torch.sin(ang * xx), torch.cos(ang * xx),
                           torch.sin(ang * yy), torch.cos(ang * yy)])
        self.register_buffer("pos", pos[None])
        self.inp = nn.Conv2d(CHANNELS * 16 + 1 + 4, channels, 3, padding=1)
        self.body = nn.ModuleList([nn.Conv2d(channels, channels, 3, padding=1)
                                   for _ in range(blocks)])
        self.out = nn.Conv2d(channels, CHANNELS * 16, 3, padding=1)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def forward(self, frame, levels_used):
        """frame [B,3,H,W] in [0,1], H and W at most the frame size given to the constructor (a
        crop must start on the patch grid); levels_used [B,1,H/16,W/16] (1..L) -> [B,3,H,W]
        unclamped."""
        b = frame.shape[0]
        lv = F.interpolate(levels_used / self.levels, scale_factor=PATCH // 4, mode="nearest")
        x = F.pixel_unshuffle(frame * 2 - 1, 4)
        pos = self.pos[:, :, :x.shape[2], :x.shape[3]].expand(b, -1, -1, -1)
        x = torch.cat([x, lv, pos], 1)
        h = F.silu(self.inp(x))
        for conv in self.body:
            h = h + F.silu(conv(h))
        return frame + F.pixel_shuffle(self.out(h), 4)

    def macs_per_frame(self, frame=256):
        s = (frame // 4) ** 2
        c = self.channels
        return s * 9 * ((CHANNELS * 16 + 5) * c + self.blocks * c * c + c * CHANNELS * 16)


class RefinerGraph(nn.Module):
    """refiner.onnx: frame [N,3,H,W], levelsUsed [N,1,H/16,W/16] float -> frame [N,3,H,W]."""

    def __init__(self, refiner):
        super().__init__()
        self.r = refiner

    def forward(self, frame, levels_used):
        return self.r(frame, levels_used).clamp(0.0, 1.0)
