"""Held-out evaluation of the model against JPEG and a PCA transform code at equal bits.

Called by train.py after training; writes eval.json and MODEL.md into the output folder.
All three codecs are measured on the same held-out frames (a video never used in training),
256x256 RGB, reconstructions rounded to 8 bits. PSNR is the mean of per-frame RGB PSNR;
SSIM is skimage's structural_similarity over RGB (channel_axis=2, data_range=255).
"""

import io
import json
import math
import os
import time

import numpy as np
import torch
from PIL import Image
from skimage.metrics import structural_similarity

import data
from model import PIXELS


def psnr(a, b):
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return 10 * math.log10(255.0 ** 2 / max(mse, 1e-10))


def ssim(a, b):
    return structural_similarity(a, b, channel_axis=2, data_range=255)


def to_u8(frame_float):
    return np.clip(np.round(frame_float * 255.0), 0, 255).astype(np.uint8)


def model_recon(model, refiner, frames):
    """Per level l (1..L), frames uint8 [F,256,256,3] from the patch decoder alone and after
    the frame refiner (what ``decodeFrame`` returns)."""
    patches = [[] for _ in range(model.levels)]
    refined = [[] for _ in range(model.levels)]
    with torch.no_grad():
        for f in frames:
            x = torch.from_numpy(data.frame_to_patches(f)).reshape(-1, PIXELS)
            _, prefixes, _ = model.quantise(model.encode(x))
            for level in range(model.levels):
                y = model.decode(prefixes[level]).clamp(0, 1).reshape(-1, 3, 16, 16).numpy()
                frame = data.patches_to_frame(y)
                patches[level].append(to_u8(frame))
                t = torch.from_numpy(frame).permute(2, 0, 1)[None]
                used = torch.full((1, 1, 16, 16), float(level + 1))
                r = refiner(t, used).clamp(0, 1)[0].permute(1, 2, 0).numpy()
                refined[level].append(to_u8(r))
    return patches, refined


class PcaCode:
    """Fixed-rate linear transform code: PCA of 16x16x3 patches, per-coefficient Lloyd-Max
    scalar quantisers, bits allocated greedily by measured distortion reduction."""

    def __init__(self, train_patches, rng, max_coeffs=96, max_bits=9, samples=40000):
        sel = train_patches[rng.choice(len(train_patches), min(samples, len(train_patches)),
                                       replace=False)]
        x = sel.transpose(0, 3, 1, 2).reshape(len(sel), -1).astype(np.float64) / 255.0
        self.mean = x.mean(0)
        xc = x - self.mean
        _, _, vt = np.linalg.svd(xc, full_matrices=False)
        self.basis = vt[:max_coeffs]  # [C,768]
        coeffs = xc @ self.basis.T
        self.levels = []  # per coefficient, per bits: sorted reconstruction levels
        self.dist = np.zeros((max_coeffs, max_bits + 1))
        for i in range(max_coeffs):
            c = np.sort(coeffs[:, i])
            per_bits = [np.array([0.0])]
            self.dist[i, 0] = np.mean(c ** 2)
            for b in range(1, max_bits + 1):
                lv = self._lloyd(c, 2 ** b)
                per_bits.append(lv)
                self.dist[i, b] = np.mean((c - self._q(c, lv)) ** 2)
            self.levels.append(per_bits)

    @staticmethod
    def _q(v, lv):
        edges = (lv[1:] + lv[:-1]) / 2
        return lv[np.searchsorted(edges, v)]

    @staticmethod
    def _lloyd(c, n, iters=25):
        lv = np.quantile(c, (np.arange(n) + 0.5) / n)
        for _ in range(iters):
            edges = (lv[1:] + lv[:-1]) / 2
            cell = np.searchsorted(edges, c)
            sums = np.bincount(cell, weights=c, minlength=n)
            cnt = np.bincount(cell, minlength=n)
            ok = cnt > 0
            lv[ok] = sums[ok] / cnt[ok]
            lv = np.sort(lv)
        return lv

    def allocate(self, bits):
        alloc = np.zeros(len(self.levels), int)
        maxb = self.dist.shape[1] - 1
        for _ in range(bits):
            gain = np.array([self.dist[i, a] - self.dist[i, a + 1] if a < maxb else -1
                             for i, a in enumerate(alloc)])
            alloc[int(np.argmax(gain))] += 1
        return alloc

    def recon(self, frame, alloc):
        p = data.frame_to_patches(frame).reshape(256, -1).astype(np.float64)
        c = (p - self.mean) @ self.basis.T
        q = np.zeros_like(c)
        for i, b in enumerate(alloc):
            if b > 0:
                q[:, i] = self._q(c[:, i], self.levels[i][b])
        y = q @ self.basis + self.mean
        return to_u8(data.patches_to_frame(y.reshape(256, 3, 16, 16).astype(np.float32)))


def jpeg_at(frame, max_bytes):
    """Highest JPEG quality whose file fits max_bytes (quality 1 if none does)."""
    img = Image.fromarray(frame)

    def enc(q):
        buf = io.BytesIO()
        img.save(buf, format="JPEG", quality=q, optimize=True)
        return buf.getvalue()

    lo, hi, best = 1, 95, None
    while lo <= hi:
        mid = (lo + hi) // 2
        b = enc(mid)
        if len(b) <= max_bytes:
            best, lo = b, mid + 1
        else:
            hi = mid - 1
    if best is None:
        best = enc(1)
    dec = np.asarray(Image.open(io.BytesIO(best)).convert("RGB"))
    return dec, len(best) * 8


def measure(frames, recons):
    ps = [psnr(f, r) for f, r in zip(frames, recons)]
    ss = [ssim(f, r) for f, r in zip(frames, recons)]
    return float(np.mean(ps)), float(np.mean(ss))


def run(model, refiner, train_patches, eval_frames, out, info):
    t0 = time.time()
    bits_per_token = math.log2(model.codebook_size)
    rows = []
    unrefined, recon = model_recon(model, refiner, eval_frames)
    pca = PcaCode(train_patches, np.random.default_rng(5))
    for level in range(model.levels):
        tokens = 256 * (level + 1)
        bits = tokens * bits_per_token
        mp, ms = measure(eval_frames, recon[level])
        up, us = measure(eval_frames, unrefined[level])
        alloc = pca.allocate(int(bits // 256))
        lp, ls = measure(eval_frames, [pca.recon(f, alloc) for f in eval_frames])
        jp = [jpeg_at(f, int(bits // 8)) for f in eval_frames]
        jbits = float(np.mean([b for _, b in jp]))
        jpp, jps = measure(eval_frames, [d for d, _ in jp])
        rows.append({"levels": level + 1, "tokensPerFrame": tokens, "bitsPerFrame": bits,
                     "model": {"psnr": mp, "ssim": ms},
                     "patchDecoderOnly": {"psnr": up, "ssim": us},
                     "pcaCode": {"psnr": lp, "ssim": ls, "bitsPerPatch": int(bits // 256),
                                 "coefficientsWithBits": int((alloc > 0).sum())},
                     "jpeg": {"psnr": jpp, "ssim": jps, "meanBitsPerFrame": jbits}})
    seen = data.read_video(data.VIDEO_SOURCES[0][2], 27, 10_000)
    seen = np.stack([data.squash(f) for f in seen])
    _, seen_recon = model_recon(model, refiner, seen)
    seen_rows = [measure(seen, seen_recon[level]) for level in range(model.levels)]
    result = {"heldOut": {"video": data.HELD_OUT_VIDEO[0], "package": data.HELD_OUT_VIDEO[1],
                          "path": data.HELD_OUT_VIDEO[2], "frames": int(len(eval_frames)),
                          "frameStep": 8},
              "bitsPerToken": bits_per_token, "rows": rows,
              "trainingVideoMegamind": [{"levels": i + 1, "psnr": p, "ssim": s}
                                        for i, (p, s) in enumerate(seen_rows)],
              "evalSeconds": time.time() - t0}
    with open(os.path.join(out, "eval.json"), "w") as f:
        json.dump(result, f, indent=1)
    write_card(out, info, result, model, refiner)
    for r in rows:
        print(json.dumps(r), flush=True)
    return result


def macs(model):
    e = [768, *model.enc_hidden, model.latent_dim]
    d = [model.latent_dim, *model.dec_hidden, 768]
    enc = sum(a * b for a, b in zip(e, e[1:]))
    dec = sum(a * b for a, b in zip(d, d[1:]))
    vq = model.levels * model.codebook_size * model.latent_dim
    return enc, dec, vq


def write_card(out, info, result, model, refiner):
    enc, dec, vq = macs(model)
    d = info["data"]
    a = info["args"]
    lines = []
    w = lines.append
    w("# deltatok-patchvq — default tokenizer model card\n")
    w("*This file is generated by `models/train/train.py` (see `models/README.md`); every "
      "figure below was measured by that run.*\n")
    w("## What it is\n")
    w("A **patch-local residual-VQ autoencoder** with a **frame refiner** on the decoding side. "
      "Each 16x16 RGB patch of a frame normalised to 256x256 is encoded on its own (no context "
      "from neighbours), so a patch that did not change never needs the encoder again. Decoding "
      "turns each patch's tokens back into pixels, then the refiner looks at the whole decoded "
      "frame and removes seams between patches; it changes no token.\n")
    w(f"- Encoder: MLP {' -> '.join(str(v) for v in [768, *model.enc_hidden, model.latent_dim])}"
      f" (SiLU), input scaled to [-1, 1]. {enc:,} multiply-adds per patch.")
    w(f"- Residual quantiser: {model.levels} levels, K = {model.codebook_size} codes of "
      f"dimension {model.latent_dim} per level (EMA k-means codebooks, dead-code restarts). "
      f"Nearest-code search in the graph: {vq:,} multiply-adds per patch.")
    w(f"- Decoder: MLP {' -> '.join(str(v) for v in [model.latent_dim, *model.dec_hidden, 768])}"
      f" (SiLU), output clamped to [0, 1]. {dec:,} multiply-adds per patch and prefix.")
    w(f"- `levelError` in the encoder graph runs the decoder on all {model.levels} prefixes: "
      f"{model.levels * dec:,} multiply-adds per patch, i.e. the encoder graph costs "
      f"{enc + vq + model.levels * dec:,} multiply-adds per patch in all, of which "
      f"{model.levels * dec / (enc + vq + model.levels * dec):.0%} is `levelError`.")
    w(f"- Frame refiner (`refiner.onnx`): space-to-depth by 4, then a 3x3 convolution to "
      f"{refiner.channels} channels, {refiner.blocks} residual 3x3 convolution blocks (SiLU) "
      f"and a 3x3 convolution back, depth-to-space, added to the decoded frame; its inputs also "
      f"carry the levels each patch was decoded from and the pixel's place in its patch. "
      f"{info['refinerMacsPerFrame']:,} multiply-adds per 256x256 frame; "
      f"{info['refinerParams']:,} parameters. Runs only when a picture is shown or scored "
      f"(`decodeFrame`), never while tokenizing.")
    w(f"- Parameters: {info['params']:,} in the autoencoder (of which codebooks "
      f"{model.codebooks.numel():,}), {info['refinerParams']:,} in the refiner.")
    w("- Tokens per 256x256 frame: 256 per level, so "
      + ", ".join(f"{256 * (i + 1)}" for i in range(model.levels))
      + f" for 1..{model.levels} levels; {result['bitsPerToken']:.0f} bits per token "
      f"(log2 K), {256 * result['bitsPerToken']:.0f} bits per frame per level.")
    w(f"- Training, stage 1 (autoencoder): every prefix of levels is decoded and the pixel MSE "
      f"of all prefixes is summed, plus a commitment term (beta {a['beta']}); straight-through "
      f"gradients. {a['warmup']} plain-autoencoder warm-up steps, then k-means codebook "
      f"initialisation, then {info['stepsDone'] - a['warmup']} steps (of at most {a['steps']}, "
      f"within a {a['max_minutes']:.0f}-minute budget) of batch {a['batch']}, Adam lr {a['lr']} "
      f"cosine-decayed; augmentation by flips, transposes, channel swaps, brightness/contrast "
      f"jitter; {info['trainSeconds'] / 60:.1f} min.")
    w(f"- Training, stage 2 (refiner, autoencoder frozen): pixel MSE on grid-aligned 96x96 "
      f"crops of {a['refiner_views']} whole training views, half decoded with one level count "
      f"for all patches, half with a random level count per patch; "
      f"{info['refinerStepsDone']} steps (of at most {a['refiner_steps']}, within a "
      f"{a['refiner_minutes']:.0f}-minute budget) of batch {a['refiner_batch']}, Adam lr "
      f"{a['refiner_lr']} cosine-decayed; {info['refinerSeconds'] / 60:.1f} min.")
    w(f"- Seed {a['seed']}, {a['threads']} CPU threads, torch {info['torch']}.\n")
    w("## Training data\n")
    w("Only files from Debian packages (installed, or unpacked by `models/train/setup.sh` "
      "where a package's dependencies are too heavy); nothing is downloaded by the training "
      "script. From each image: the "
      "whole image squashed to 256x256 plus random crops (25-100 % of the short side) resized "
      f"to 256x256; from each such view {a['patches_per_view']} random 16x16 patches.\n")
    w("| source | Debian package | path | used |")
    w("| --- | --- | --- | --- |")
    for s in d["stills"]:
        w(f"| {s['source']} | `{s['package']}` | `{'`, `'.join(s['paths'])}` | "
          f"{s['images']} images |")
    for v in d["videos"]:
        w(f"| {v['source']} | `{v['package']}` | `{v['path']}` | {v['frames']} frames |")
    w(f"| synthetic scenes | (generated in `models/train/data.py`) | gradients, shapes, "
      f"stripes, text, blur, noise | {d['synthetic']} images |")
    w(f"\n{d['views']} views, {d['patches']:,} training patches.\n")
    h = result["heldOut"]
    w("## Quality on held-out frames\n")
    w(f"Held out: `{h['path']}` (package `{h['package']}`, a static street camera), never "
      f"read during training: every {h['frameStep']}th frame, {h['frames']} frames, squashed "
      "to 256x256. PSNR is the mean per-frame RGB PSNR of 8-bit reconstructions; SSIM is "
      "skimage `structural_similarity` over RGB. Baselines at the same bits per frame: JPEG "
      "(PIL, optimize=True, 4:2:0, highest quality that fits the budget) and a fixed-rate "
      "linear transform code (PCA of 16x16x3 patches fitted on the training patches, Lloyd-Max "
      "scalar quantisers per coefficient, bits allocated greedily by measured distortion "
      "reduction).\n")
    w("*Model* is what `decodeFrame` returns (patch decoder, then refiner); *patches only* "
      "is the patch decoder's output without the refiner.\n")
    w("| levels | tokens / frame | bits / frame | model PSNR | model SSIM | patches only PSNR | "
      "PCA code PSNR | PCA code SSIM | JPEG PSNR | JPEG SSIM | JPEG actual bits / frame |")
    w("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in result["rows"]:
        w(f"| {r['levels']} | {r['tokensPerFrame']} | {r['bitsPerFrame']:.0f} | "
          f"{r['model']['psnr']:.2f} dB | {r['model']['ssim']:.3f} | "
          f"{r['patchDecoderOnly']['psnr']:.2f} dB | "
          f"{r['pcaCode']['psnr']:.2f} dB | {r['pcaCode']['ssim']:.3f} | "
          f"{r['jpeg']['psnr']:.2f} dB | {r['jpeg']['ssim']:.3f} | "
          f"{r['jpeg']['meanBitsPerFrame']:.0f} |")
    w("\nWhere JPEG's actual bits exceed the budget, even quality 1 did not fit (its headers "
      "alone are several hundred bytes); its figures there are at a higher rate than the "
      "model's.\n")
    w("For reference, frames of a training video (Megamind.avi, every 27th frame): "
      + ", ".join(f"{r['levels']} levels {r['psnr']:.2f} dB / SSIM {r['ssim']:.3f}"
                  for r in result["trainingVideoMegamind"]) + ".\n")
    full = result["rows"][-1]
    target = full["model"]["psnr"] >= 24.0 and full["tokensPerFrame"] <= 1024
    beats = all(r["model"]["psnr"] > r["pcaCode"]["psnr"] for r in result["rows"])
    w("## Against the targets\n")
    w(f"- >= 24 dB PSNR at <= 1024 tokens per 256x256 frame on held-out frames: "
      f"**{'met' if target else 'not met'}** ({full['model']['psnr']:.2f} dB at "
      f"{full['tokensPerFrame']} tokens).")
    w(f"- Beats the linear transform code at equal bits at every level: "
      f"**{'yes' if beats else 'no'}**.\n")
    with open(os.path.join(out, "MODEL.md"), "w") as f:
        f.write("\n".join(lines))
