"""Trains, exports and evaluates deltatok's default patch tokenizer.

    sudo bash models/train/setup.sh     # Debian packages: torch, onnx, the training imagery
    nice -n 10 /usr/bin/python3 models/train/train.py --out models/default

Seeded, CPU only. Two stages: the patch-local residual-VQ autoencoder, then (with it frozen)
the frame refiner that the decoder side runs over whole frames. Writes encoder.onnx,
decoder.onnx, refiner.onnx, manifest.json, golden.json, eval.json and MODEL.md into --out.
See models/README.md.
"""

import os
import sys


def _threads(argv):
    for i, arg in enumerate(argv):
        if arg.startswith("--threads="):
            return arg.split("=", 1)[1]
        if arg == "--threads" and i + 1 < len(argv):
            return argv[i + 1]
    return "1"


# Every numeric library gets --threads threads; this must happen before they load.
for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, _threads(sys.argv))

import argparse  # noqa: E402
import hashlib
import json
import math
import platform
import tempfile
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data  # noqa: E402
from model import (PIXELS, DecoderGraph, EncoderGraph, FrameRefiner,  # noqa: E402
                   PatchVQ, RefinerGraph)

MODEL_ID = "deltatok-patchvq"
MODEL_VERSION = "1.1.0"


def log(msg):
    print(time.strftime("%H:%M:%S"), msg, flush=True)


def augment(x, gen):
    """x: float [B,3,16,16]. Flips, transposes, channel swaps, brightness/contrast jitter."""
    b = x.shape[0]
    m = torch.rand(b, generator=gen) < 0.5
    x = torch.where(m[:, None, None, None], x.flip(3), x)
    m = torch.rand(b, generator=gen) < 0.5
    x = torch.where(m[:, None, None, None], x.flip(2), x)
    m = torch.rand(b, generator=gen) < 0.5
    x = torch.where(m[:, None, None, None], x.transpose(2, 3), x)
    m = torch.rand(b, generator=gen) < 0.2
    perm = torch.randperm(3, generator=gen)
    x = torch.where(m[:, None, None, None], x[:, perm], x)
    gain = 1.0 + 0.25 * (torch.rand(b, 1, 1, 1, generator=gen) - 0.5)
    bias = 0.1 * (torch.rand(b, 1, 1, 1, generator=gen) - 0.5)
    mean = x.mean((1, 2, 3), keepdim=True)
    x = ((x - mean) * gain + mean + bias).clamp(0.0, 1.0)
    return x


def scheduled_lr(opt, base, step, steps, t0, budget_s):
    """Sets and returns the cosine-decayed lr (down to 5 % of ``base``), or None once done.

    The schedule follows whichever is further along, steps or wall time, so a run on a slow or
    busy machine still ends inside its time budget with a fully decayed lr.
    """
    frac = max(step / steps, (time.time() - t0) / budget_s)
    if frac >= 1.0:
        return None
    lr = base * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * frac)))
    for group in opt.param_groups:
        group["lr"] = lr
    return lr


def kmeans(x, k, iters, gen):
    c = x[torch.randperm(x.shape[0], generator=gen)[:k]].clone()
    for _ in range(iters):
        idx = F.linear(x, 2.0 * c, -(c * c).sum(1)).argmax(1)
        sums = torch.zeros_like(c).index_add_(0, idx, x)
        counts = torch.bincount(idx, minlength=k).float()
        alive = counts > 0
        c[alive] = sums[alive] / counts[alive, None]
    return c


class EmaCodebooks:
    def __init__(self, model, decay=0.99):
        self.m = model
        self.decay = decay
        levels, k, d = model.codebooks.shape
        self.count = torch.ones(levels, k)
        self.sum = model.codebooks.clone()

    def reset_from(self, level, codes):
        self.m.codebooks[level] = codes
        self.sum[level] = codes.clone()
        self.count[level] = 1.0

    def update(self, ids, residuals):
        k = self.m.codebook_size
        for level, r in enumerate(residuals):
            r = r.detach()
            idx = ids[:, level]
            counts = torch.bincount(idx, minlength=k).float()
            sums = torch.zeros(k, r.shape[1]).index_add_(0, idx, r)
            self.count[level].mul_(self.decay).add_(counts, alpha=1 - self.decay)
            self.sum[level].mul_(self.decay).add_(sums, alpha=1 - self.decay)
            n = self.count[level].sum()
            smoothed = (self.count[level] + 1e-5) / (n + k * 1e-5) * n
            self.m.codebooks[level] = self.sum[level] / smoothed[:, None]

    def restart_dead(self, residuals, gen, threshold=0.02):
        restarted = 0
        for level, r in enumerate(residuals):
            dead = (self.count[level] < threshold).nonzero().flatten()
            if dead.numel() == 0:
                continue
            pick = torch.randint(0, r.shape[0], (dead.numel(),), generator=gen)
            codes = r.detach()[pick]
            self.m.codebooks[level][dead] = codes
            self.sum[level][dead] = codes
            self.count[level][dead] = 1.0
            restarted += dead.numel()
        return restarted


def to_float(batch_u8):
    """uint8 [B,16,16,3] -> float [B,3,16,16] in [0,1]."""
    return batch_u8.permute(0, 3, 1, 2).float() / 255.0


def train(args, patches):
    gen = torch.Generator().manual_seed(args.seed)
    model = PatchVQ(args.latent_dim, args.levels, args.codebook_size,
                    tuple(args.enc_hidden), tuple(args.dec_hidden))
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    pt = torch.from_numpy(patches)
    n = pt.shape[0]
    hold = pt[:8192]  # monitoring slice of training imagery (not the held-out video)
    train_pt = pt[8192:]
    n = train_pt.shape[0]
    ema = EmaCodebooks(model)
    total = args.warmup + args.steps
    t0 = time.time()
    budget = args.max_minutes * 60.0
    for step in range(total):
        lr = scheduled_lr(opt, args.lr, step, total, t0, budget)
        if lr is None:
            log(f"time budget of {args.max_minutes} min reached at step {step}")
            break
        idx = torch.randint(0, n, (args.batch,), generator=gen)
        x = augment(to_float(train_pt[idx]), gen).reshape(-1, PIXELS)
        z = model.encode(x)
        if step < args.warmup:
            # Plain autoencoder first, so the codebooks start from meaningful latents.
            loss = F.mse_loss(model.decode(z), x)
            commit = torch.zeros(())
        else:
            if step == args.warmup:
                init_codebooks(model, ema, train_pt, gen)
                ids, prefixes, residuals = model.quantise(z.detach())
            with torch.no_grad():
                ids, prefixes, residuals = model.quantise(z.detach())
            st = z.unsqueeze(0) + (prefixes - z.unsqueeze(0)).detach()  # [L,N,D]
            recon = model.decode(st.reshape(-1, args.latent_dim)).reshape(args.levels, -1, PIXELS)
            per_level = ((recon - x.unsqueeze(0)) ** 2).mean((1, 2))
            loss = per_level.sum()
            commit = args.beta * F.mse_loss(z, prefixes[-1].detach())
            loss = loss + commit
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if step >= args.warmup:
            with torch.no_grad():
                ema.update(ids, residuals)
                # No restarts in the last 5 % of the run: a fresh code needs steps to settle.
                late = step >= 0.95 * total or time.time() - t0 >= 0.95 * budget
                if step % 50 == 0 and not late:
                    restarted = ema.restart_dead(residuals, gen)
                else:
                    restarted = 0
        if step % args.log_every == 0:
            msg = f"step {step}/{total} lr {lr:.2e} loss {loss.item():.5f}"
            if step >= args.warmup:
                psnrs = [10 * math.log10(1 / max(v, 1e-10)) for v in per_level.tolist()]
                msg += " psnr/level " + " ".join(f"{p:.2f}" for p in psnrs)
                msg += f" restarted {restarted}"
            msg += f" ({time.time() - t0:.0f}s)"
            log(msg)
    model.eval()
    with torch.no_grad():
        x = to_float(hold).reshape(-1, PIXELS)
        ids, prefixes, _ = model.quantise(model.encode(x))
        for level in range(args.levels):
            mse = F.mse_loss(model.decode(prefixes[level]).clamp(0, 1), x).item()
            log(f"monitor slice level {level + 1}: {10 * math.log10(1 / mse):.2f} dB")
        used = [int(torch.unique(ids[:, level]).numel()) for level in range(args.levels)]
        log(f"codes used on monitor slice per level: {used}")
    return model, time.time() - t0, step


def grid_tokens(model, frames):
    """Token ids [F, 16, 16, L] of whole frames (uint8 [F, 256, 256, 3])."""
    out = []
    with torch.no_grad():
        for f in frames:
            x = torch.from_numpy(data.frame_to_patches(f)).reshape(-1, PIXELS)
            out.append(model.quantise(model.encode(x))[0].reshape(16, 16, -1))
    return torch.stack(out)


def decode_grid(model, ids, used):
    """ids [B, g, g, L], used [B, g, g] levels per patch (1..L) -> frames [B, 3, 16g, 16g]."""
    b, g, _, levels = ids.shape
    codes = model.codebooks[torch.arange(levels), ids]  # [B, g, g, L, D]
    mask = (torch.arange(levels) < used[..., None]).float()
    q = (codes * mask[..., None]).sum(3)
    p = model.decode(q.reshape(-1, model.latent_dim)).clamp(0, 1).reshape(b, g, g, 3, 16, 16)
    return p.permute(0, 3, 1, 4, 2, 5).reshape(b, 3, g * 16, g * 16)


def train_refiner(args, model, views, gen):
    """Stage 2: the frame refiner on crops of whole training views, the autoencoder frozen.

    Crops are 6x6 patches, aligned to the patch grid. Half of them are decoded with one level
    count for every patch (as in full mode), half with a random level count per patch (as the
    delta tokenizer's error budget leaves them), so the refiner serves both.
    """
    t0 = time.time()
    ids = grid_tokens(model, views)
    log(f"refiner: tokens of {len(views)} views in {time.time() - t0:.0f}s")
    refiner = FrameRefiner(model.levels, args.refiner_channels, args.refiner_blocks)
    opt = torch.optim.Adam(refiner.parameters(), lr=args.refiner_lr)
    pixels = torch.from_numpy(views)
    g, batch, levels = 6, args.refiner_batch, model.levels
    budget = args.refiner_minutes * 60.0
    t0 = time.time()
    step = 0
    for step in range(args.refiner_steps):
        lr = scheduled_lr(opt, args.refiner_lr, step, args.refiner_steps, t0, budget)
        if lr is None:
            log(f"refiner: time budget of {args.refiner_minutes} min reached at step {step}")
            break
        v = torch.randint(0, len(views), (batch,), generator=gen)
        gy = torch.randint(0, 16 - g + 1, (batch,), generator=gen)
        gx = torch.randint(0, 16 - g + 1, (batch,), generator=gen)
        crop_ids = torch.stack([ids[i, a:a + g, b:b + g] for i, a, b in zip(v, gy, gx)])
        target = torch.stack([pixels[i, a * 16:(a + g) * 16, b * 16:(b + g) * 16]
                              for i, a, b in zip(v, gy, gx)]).permute(0, 3, 1, 2).float() / 255
        uniform = torch.rand(batch, generator=gen) < 0.5
        used = torch.where(uniform[:, None, None],
                           torch.randint(1, levels + 1, (batch, 1, 1), generator=gen)
                           .expand(batch, g, g),
                           torch.randint(1, levels + 1, (batch, g, g), generator=gen))
        with torch.no_grad():
            decoded = decode_grid(model, crop_ids, used)
        out = refiner(decoded, used[:, None].float())
        loss = F.mse_loss(out, target)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if step % args.log_every == 0:
            base = F.mse_loss(decoded, target).item()
            refined = F.mse_loss(out, target).item()
            log(f"refiner step {step}/{args.refiner_steps} lr {lr:.2e} patches "
                f"{10 * math.log10(1 / max(base, 1e-10)):.2f} dB, refined "
                f"{10 * math.log10(1 / max(refined, 1e-10)):.2f} dB ({time.time() - t0:.0f}s)")
    refiner.eval()
    return refiner, time.time() - t0, step


def init_codebooks(model, ema, train_pt, gen):
    with torch.no_grad():
        idx = torch.randint(0, train_pt.shape[0], (8 * model.codebook_size,), generator=gen)
        r = model.encode(to_float(train_pt[idx]).reshape(-1, PIXELS))
        for level in range(model.levels):
            c = kmeans(r, model.codebook_size, 8, gen)
            ema.reset_from(level, c)
            sel = F.linear(r, 2.0 * c, -(c * c).sum(1)).argmax(1)
            r = r - c[sel]
    log("codebooks initialised by k-means on encoder latents")


def state_path(out):
    """Where a run that writes into ``out`` leaves its torch weights (for headroom.py)."""
    name = os.path.basename(os.path.normpath(os.path.abspath(out)))
    return os.path.join(tempfile.gettempdir(), f"deltatok_model_state_{name}.pt")


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def export(model, refiner, out):
    enc = EncoderGraph(model).eval()
    dec = DecoderGraph(model).eval()
    dummy = torch.rand(4, 3, 16, 16)
    torch.onnx.export(enc, (dummy,), os.path.join(out, "encoder.onnx"),
                      input_names=["patches"], output_names=["tokens", "latents", "levelError"],
                      dynamic_axes={"patches": {0: "N"}, "tokens": {0: "N"}, "latents": {0: "N"},
                                    "levelError": {0: "N"}},
                      opset_version=13, do_constant_folding=True)
    toks = torch.zeros(4, model.levels, dtype=torch.long)
    mask = torch.ones(4, model.levels)
    torch.onnx.export(dec, (toks, mask), os.path.join(out, "decoder.onnx"),
                      input_names=["tokens", "levelMask"], output_names=["patches"],
                      dynamic_axes={"tokens": {0: "N"}, "levelMask": {0: "N"},
                                    "patches": {0: "N"}},
                      opset_version=13, do_constant_folding=True)
    ref = RefinerGraph(refiner).eval()
    torch.onnx.export(ref, (torch.rand(1, 3, 256, 256), torch.full((1, 1, 16, 16), 4.0)),
                      os.path.join(out, "refiner.onnx"),
                      input_names=["frame", "levelsUsed"], output_names=["refined"],
                      dynamic_axes={"frame": {0: "N"}, "levelsUsed": {0: "N"},
                                    "refined": {0: "N"}},
                      opset_version=13, do_constant_folding=True)
    import onnx
    for name in ("encoder.onnx", "decoder.onnx", "refiner.onnx"):
        onnx.checker.check_model(onnx.load(os.path.join(out, name)))
    return enc, dec, ref


def golden(model, enc, dec, ref, eval_frames, out, count=16):
    """Fixed patches and what the exported graphs compute for them (torch, float32)."""
    rng = np.random.default_rng(1234)
    cands = []
    # Real patches from the held-out video plus a few synthetic extremes.
    for fi in (0, len(eval_frames) // 2, len(eval_frames) - 1):
        p = data.frame_to_patches(eval_frames[fi])
        cands.extend(p[rng.choice(256, 8, replace=False)])
    flat = np.full((3, 16, 16), 0.5, np.float32)
    black = np.zeros((3, 16, 16), np.float32)
    white = np.ones((3, 16, 16), np.float32)
    grad = np.broadcast_to(np.linspace(0, 1, 16, dtype=np.float32), (3, 16, 16)).copy()
    checker = ((np.indices((16, 16)).sum(0) % 2).astype(np.float32))[None].repeat(3, 0)
    cands = [flat, black, white, grad, checker] + cands
    x = torch.from_numpy(np.stack(cands).astype(np.float32))
    with torch.no_grad():
        z = model.encode(x.reshape(-1, PIXELS))
        # Keep only patches whose nearest code wins by a clear margin at every level, so a
        # different float summation order in another runtime cannot flip a token.
        r = z
        margin = torch.full((x.shape[0],), float("inf"))
        for level in range(model.levels):
            cb = model.codebooks[level]
            d = torch.cdist(r, cb) ** 2
            top = d.topk(2, largest=False).values
            margin = torch.minimum(margin, top[:, 1] - top[:, 0])
            r = r - cb[d.argmin(1)]
        keep = margin.argsort(descending=True)[:count].sort().values
        x = x[keep]
        tokens, latents, level_error = enc(x)
        n = x.shape[0]
        full = dec(tokens, torch.ones(n, model.levels))
        used = torch.tensor([1 + i % model.levels for i in range(n)])
        mask = (torch.arange(model.levels)[None, :] < used[:, None]).float()
        partial = dec(tokens, mask)
        # A whole held-out frame through decoder and refiner, levels per patch 1..L in turn.
        frame_x = torch.from_numpy(data.frame_to_patches(eval_frames[0])).reshape(-1, PIXELS)
        frame_ids = model.quantise(model.encode(frame_x))[0]
        frame_used = torch.tensor([1 + i % model.levels for i in range(frame_ids.shape[0])])
        frame_mask = (torch.arange(model.levels)[None, :] < frame_used[:, None]).float()
        patches = dec(frame_ids, frame_mask).numpy()
        frame = torch.from_numpy(data.patches_to_frame(patches)).permute(2, 0, 1)[None]
        refined = ref(frame, frame_used.reshape(1, 1, 16, 16).float())[0]
        refined_u8 = torch.round(refined.permute(1, 2, 0) * 255).clamp(0, 255).to(torch.uint8)
    g = {
        "note": "computed by models/train/train.py with torch (float32) from the exported graphs' "
                "modules; layout [N,3,16,16] row-major, values in [0,1]",
        "count": n,
        "patches": x.reshape(n, -1).tolist(),
        "tokens": tokens.tolist(),
        "latents": latents.tolist(),
        "levelError": level_error.tolist(),
        "decodedAllLevels": full.reshape(n, -1).tolist(),
        "levelsUsed": used.tolist(),
        "decodedPrefix": partial.reshape(n, -1).tolist(),
        "frameTokens": frame_ids.reshape(-1).tolist(),
        "frameLevelsUsed": frame_used.tolist(),
        "refinedFrameRgb": refined_u8.reshape(-1).tolist(),
    }
    with open(os.path.join(out, "golden.json"), "w") as f:
        json.dump(g, f, separators=(",", ":"))
    log(f"golden.json: {n} patches (min token margin {margin[keep].min().item():.4f})")


def write_manifest(out):
    """Writes manifest.json, hashing every other file in ``out`` (rerun after editing any)."""
    with open(os.path.join(out, "training.json")) as f:
        a = json.load(f)["args"]
    files = sorted(n for n in os.listdir(out) if n != "manifest.json"
                   and os.path.isfile(os.path.join(out, n)))
    m = {
        "id": MODEL_ID,
        "version": MODEL_VERSION,
        "description": "patch-local residual-VQ autoencoder, 16x16 RGB patches",
        "input": {"layout": "NCHW", "colorOrder": "RGB", "dtype": "float32",
                  "range": [0.0, 1.0], "normalisation": "value = byte / 255; no mean/std"},
        "patchSize": 16,
        "channels": 3,
        "frameWidth": 256,
        "frameHeight": 256,
        "latentDim": a["latent_dim"],
        "levels": a["levels"],
        "codebookSize": a["codebook_size"],
        "patchLocal": True,
        "tokensInGraph": True,
        "encoder": {
            "file": "encoder.onnx",
            "inputs": [{"name": "patches", "dtype": "float32", "shape": [-1, 3, 16, 16]}],
            "outputs": [
                {"name": "tokens", "dtype": "int64", "shape": [-1, a["levels"]]},
                {"name": "latents", "dtype": "float32", "shape": [-1, a["latent_dim"]]},
                {"name": "levelError", "dtype": "float32", "shape": [-1, a["levels"]]},
            ],
        },
        "decoder": {
            "file": "decoder.onnx",
            "inputs": [
                {"name": "tokens", "dtype": "int64", "shape": [-1, a["levels"]]},
                {"name": "levelMask", "dtype": "float32", "shape": [-1, a["levels"]]},
            ],
            "outputs": [{"name": "patches", "dtype": "float32", "shape": [-1, 3, 16, 16]}],
            "contract": "levelMask[n,l] is 1 to use level l of patch n and 0 to ignore it; "
                        "the ones form a prefix (coarse levels first); output clamped to [0,1]",
        },
        "refiner": {
            "file": "refiner.onnx",
            "inputs": [
                {"name": "frame", "dtype": "float32", "shape": [-1, 3, 256, 256]},
                {"name": "levelsUsed", "dtype": "float32", "shape": [-1, 1, 16, 16]},
            ],
            "outputs": [{"name": "refined", "dtype": "float32", "shape": [-1, 3, 256, 256]}],
            "contract": "frame is the decoder's patches of a whole grid laid out as a picture; "
                        "levelsUsed[n,0,r,c] is how many levels patch (r,c) was decoded from; "
                        "output clamped to [0,1]; optional (without it, the patches are the "
                        "picture)",
        },
        "files": {name: {"sha256": sha256(os.path.join(out, name)),
                         "bytes": os.path.getsize(os.path.join(out, name))} for name in files},
    }
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(m, f, indent=2)
        f.write("\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="models/default")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--steps", type=int, default=14000, help="VQ training steps")
    ap.add_argument("--warmup", type=int, default=600, help="plain autoencoder steps first")
    ap.add_argument("--batch", type=int, default=1024)
    ap.add_argument("--lr", type=float, default=1.5e-3)
    ap.add_argument("--beta", type=float, default=0.25, help="commitment weight")
    ap.add_argument("--latent-dim", type=int, default=32)
    ap.add_argument("--levels", type=int, default=4)
    ap.add_argument("--enc-hidden", type=int, nargs="+", default=[384, 256])
    ap.add_argument("--dec-hidden", type=int, nargs="+", default=[256, 256])
    ap.add_argument("--codebook-size", type=int, default=4096)
    ap.add_argument("--patches-per-view", type=int, default=96)
    ap.add_argument("--log-every", type=int, default=200)
    ap.add_argument("--max-minutes", type=float, default=24.0,
                    help="autoencoder wall-time budget; its lr schedule ends there at the latest")
    ap.add_argument("--refiner-steps", type=int, default=6000)
    ap.add_argument("--refiner-minutes", type=float, default=10.0,
                    help="refiner wall-time budget; its lr schedule ends there at the latest")
    ap.add_argument("--refiner-views", type=int, default=3000,
                    help="training views (whole frames) the refiner learns from")
    ap.add_argument("--refiner-batch", type=int, default=16)
    ap.add_argument("--refiner-lr", type=float, default=1e-3)
    ap.add_argument("--refiner-channels", type=int, default=64)
    ap.add_argument("--refiner-blocks", type=int, default=6)
    ap.add_argument("--threads", type=int, default=1,
                    help="CPU threads for torch (on the 2-core reference machine, 2 threads ran"
                         " fewer steps per second than 1)")
    ap.add_argument("--skip-eval", action="store_true")
    ap.add_argument("--manifest-only", action="store_true",
                    help="only rewrite manifest.json (after editing a file in --out)")
    args = ap.parse_args()
    if args.manifest_only:
        write_manifest(args.out)
        return

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    t_start = time.time()
    log("gathering imagery")
    views, report = data.gather(seed=args.seed)
    rng = np.random.default_rng(args.seed)
    patches = data.cut_patches(views, args.patches_per_view, rng)
    patches = patches[rng.permutation(len(patches))]
    report["patches"] = int(len(patches))
    log(f"{report['views']} views, {len(patches)} training patches")
    refiner_views = views[np.sort(rng.choice(len(views), min(args.refiner_views, len(views)),
                                             replace=False))]
    del views
    model, train_s, steps_done = train(args, patches)
    log(f"trained in {train_s:.0f}s")
    for p in model.parameters():
        p.requires_grad_(False)
    refiner, refiner_s, refiner_steps = train_refiner(
        args, model, refiner_views, torch.Generator().manual_seed(args.seed + 1))
    log(f"refiner trained in {refiner_s:.0f}s")
    torch.save({"model": model.state_dict(), "refiner": refiner.state_dict()},
               state_path(args.out))
    del refiner_views
    enc, dec, ref = export(model, refiner, args.out)
    eval_frames = data.held_out_frames()
    golden(model, enc, dec, ref, eval_frames, args.out)
    info = {"args": vars(args), "data": report, "trainSeconds": train_s, "stepsDone": steps_done,
            "refinerSeconds": refiner_s, "refinerStepsDone": refiner_steps,
            "params": model.param_count(),
            "refinerParams": sum(p.numel() for p in refiner.parameters()),
            "refinerMacsPerFrame": refiner.macs_per_frame(),
            "torch": torch.__version__, "python": platform.python_version()}
    with open(os.path.join(args.out, "training.json"), "w") as f:
        json.dump(info, f, indent=1)
    if not args.skip_eval:
        import evaluate
        evaluate.run(model, refiner, patches, eval_frames, args.out, info)
    write_manifest(args.out)
    log(f"total wall time {time.time() - t_start:.0f}s")


if __name__ == "__main__":
    main()
