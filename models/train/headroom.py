"""How far the trained model is from the held-out quality target, and what would close the gap.

Run after train.py, which leaves the trained weights in $TMPDIR/deltatok_model_state_<out>.pt
(<out> the last folder name of its --out, so models/default gives ..._default.pt):

    nice -n 10 /usr/bin/python3 models/train/headroom.py --model models/default

Measures on the held-out frames, patches only and with the frame refiner:
  * each prefix of the model's levels (what the model card reports);
  * the unquantised latent: the autoencoder's ceiling, whatever the quantiser;
  * more residual levels (codebooks fitted by k-means on the training residuals of the last
    level), uniform and with the tokens of a frame (256 x levels) allocated per patch greedily by
    error reduction, as an error-budget tokenizer would;
  * patch-local beam search for the tokens in pixel space (at each level keep the --beam best
    prefixes among --candidates nearest codes per prefix), alone and with the above.
Prints a markdown table. Nothing here changes the shipped model.
"""

import os
import sys

os.environ.setdefault("OMP_NUM_THREADS", "2")

import argparse  # noqa: E402
import heapq
import json
import math
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data  # noqa: E402
from model import PIXELS, FrameRefiner, PatchVQ  # noqa: E402
from train import state_path  # noqa: E402


def nearest(r, cb):
    return F.linear(r, 2.0 * cb, -(cb * cb).sum(1)).argmax(1)


def kmeans(x, k, iters, gen):
    c = x[torch.randperm(x.shape[0], generator=gen)[:k]].clone()
    for _ in range(iters):
        a = nearest(x, c)
        sums = torch.zeros_like(c).index_add_(0, a, x)
        n = torch.bincount(a, minlength=k).float()
        c[n > 0] = sums[n > 0] / n[n > 0, None]
    return c


def extra_codebooks(model, patches, count, gen):
    """``count`` more residual levels, fitted by k-means on what the model's levels leave."""
    x = torch.from_numpy(patches).permute(0, 3, 1, 2).float().reshape(-1, PIXELS) / 255.0
    r = model.encode(x)
    for cb in model.codebooks:
        r = r - cb[nearest(r, cb)]
    books = []
    for _ in range(count):
        c = kmeans(r, model.codebook_size, 10, gen)
        books.append(c)
        r = r - c[nearest(r, c)]
    return books


def greedy_paths(z, books):
    """Plain residual VQ: per level, the code nearest the residual. -> codes [N, L, D]."""
    r, out = z, []
    for cb in books:
        c = cb[nearest(r, cb)]
        out.append(c)
        r = r - c
    return torch.stack(out, 1)


def beam_paths(model, x, z, books, beam, candidates):
    """Patch-local beam search in pixel space. -> codes [N, L, D] of the best final prefix."""
    n, d = z.shape
    sums = torch.zeros(n, 1, d)
    paths = torch.zeros(n, 1, 0, d)
    for cb in books:
        top = F.linear(z.unsqueeze(1) - sums, 2.0 * cb, -(cb * cb).sum(1)).topk(candidates, 2)
        codes = cb[top.indices]  # [N, b, T, D]
        cand = (sums.unsqueeze(2) + codes).reshape(n, -1, d)
        cand_paths = torch.cat([paths.unsqueeze(2).expand(-1, -1, candidates, -1, -1),
                                codes.unsqueeze(3)], 3).reshape(n, cand.shape[1], -1, d)
        rec = model.decode(cand.reshape(-1, d)).clamp(0, 1).reshape(n, -1, PIXELS)
        err = ((rec - x.unsqueeze(1)) ** 2).mean(2)
        keep = err.topk(min(beam, cand.shape[1]), 1, largest=False).indices
        sums = torch.gather(cand, 1, keep[..., None].expand(-1, -1, d))
        depth = paths.shape[2] + 1
        paths = torch.gather(cand_paths, 1, keep[..., None, None].expand(-1, -1, depth, d))
    return paths[:, 0]


def allocate(err, budget):
    """Levels per patch (1..L) within ``budget`` tokens, greedily by error reduction per token."""
    n, levels = err.shape
    used = np.ones(n, int)
    heap = [(-(err[p, 0] - err[p, 1]), p) for p in range(n)] if levels > 1 else []
    heapq.heapify(heap)
    left = budget - n
    while left > 0 and heap:
        _, p = heapq.heappop(heap)
        used[p] += 1
        left -= 1
        if used[p] < levels:
            heapq.heappush(heap, (-(err[p, used[p] - 1] - err[p, used[p]]), p))
    return used


def psnr(a, b):
    a = torch.round(a.clamp(0, 1) * 255) / 255
    return 10 * math.log10(1 / max(((a - b) ** 2).mean().item(), 1e-12))


class Scorer:
    """Per variant, the mean PSNR of patches only and with the refiner, over frames."""

    def __init__(self, model, refiner):
        self.model, self.refiner = model, refiner
        self.rows = {}

    def add(self, name, tokens, prefix_sums, used, target, refiner_levels=None):
        """prefix_sums [N, L, D]; used [N] levels per patch; target [1, 3, 256, 256]. The refiner
        is told min(used, model levels) per patch, or ``refiner_levels``."""
        n = prefix_sums.shape[0]
        q = prefix_sums[torch.arange(n), torch.as_tensor(used) - 1]
        frame = data_frame(self.model.decode(q).clamp(0, 1))
        if refiner_levels is None:
            refiner_levels = np.minimum(used, self.model.levels)
        levels = torch.as_tensor(refiner_levels).float().reshape(1, 1, 16, 16)
        refined = self.refiner(frame, levels)
        row = self.rows.setdefault(name, [tokens, [], []])
        row[1].append(psnr(frame, target))
        row[2].append(psnr(refined, target))


def data_frame(patches):
    """[256, 768] patches (C, H, W each, row-major grid) -> [1, 3, 256, 256]."""
    return patches.reshape(16, 16, 3, 16, 16).permute(2, 0, 3, 1, 4).reshape(1, 3, 256, 256)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="models/default", help="folder with training.json")
    ap.add_argument("--state", help="torch weights (default: where train.py --out MODEL left them)")
    ap.add_argument("--extra-levels", type=int, default=4)
    ap.add_argument("--beam", type=int, default=4)
    ap.add_argument("--candidates", type=int, default=8)
    ap.add_argument("--frame-step", type=int, default=16,
                    help="every n-th frame of the held-out video (the model card uses 8)")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    t0 = time.time()
    with open(os.path.join(args.model, "training.json")) as f:
        targs = json.load(f)["args"]
    model = PatchVQ(targs["latent_dim"], targs["levels"], targs["codebook_size"],
                    tuple(targs["enc_hidden"]), tuple(targs["dec_hidden"]))
    refiner = FrameRefiner(targs["levels"], targs["refiner_channels"], targs["refiner_blocks"])
    state = torch.load(args.state or state_path(args.model))
    model.load_state_dict(state["model"])
    refiner.load_state_dict(state["refiner"])
    model.eval()
    refiner.eval()
    levels = model.levels
    gen = torch.Generator().manual_seed(targs["seed"])
    rng = np.random.default_rng(targs["seed"])
    with torch.no_grad():
        views, _ = data.gather(seed=targs["seed"])
        fit = data.cut_patches(views[rng.choice(len(views), 1000, replace=False)], 40, rng)
        del views
        books = list(model.codebooks) + extra_codebooks(model, fit, args.extra_levels, gen)
        frames = data.held_out_frames(args.frame_step)
        print(f"{len(frames)} held-out frames, {len(fit)} patches to fit "
              f"{args.extra_levels} more levels ({time.time() - t0:.0f}s)", file=sys.stderr)
        s = Scorer(model, refiner)
        budget = 256 * levels
        for frame in frames:
            x = torch.from_numpy(data.frame_to_patches(frame)).reshape(-1, PIXELS)
            target = data_frame(x)
            z = model.encode(x)
            n = x.shape[0]
            s.add("unquantised latent", "-", z[:, None], np.ones(n, int), target,
                  np.full(n, levels))
            plain = greedy_paths(z, books).cumsum(1)
            for level in range(1, len(books) + 1):
                label = f"{level} level{'s' if level > 1 else ''}, every patch"
                s.add(label, 256 * level, plain, np.full(n, level), target)
            beamed = beam_paths(model, x, z, books[:levels], args.beam, args.candidates)
            s.add(f"beam search, {levels} levels, every patch", budget, beamed.cumsum(1),
                  np.full(n, levels), target)
            beamed = beam_paths(model, x, z, books, args.beam, args.candidates).cumsum(1)
            for name, sums in (("", plain), ("beam search, ", beamed)):
                rec = model.decode(sums.reshape(-1, sums.shape[2])).clamp(0, 1)
                rec = torch.round(rec * 255).reshape(n, -1, PIXELS) / 255
                err = ((rec - x.unsqueeze(1)) ** 2).sum(2).numpy()
                s.add(f"{name}{len(books)} levels, allocated per patch", budget, sums,
                      allocate(err, budget), target)
    print(f"Held-out frames: every {args.frame_step}th frame of {data.HELD_OUT_VIDEO[0]}, "
          f"{len(frames)} frames; mean RGB PSNR of 8-bit frames. "
          f"Beam {args.beam} x {args.candidates} candidates. {time.time() - t0:.0f}s.\n")
    print("| variant | tokens / frame | patches only | with refiner |")
    print("| --- | --- | --- | --- |")
    for name, (tokens, plain_db, refined_db) in s.rows.items():
        print(f"| {name} | {tokens} | {np.mean(plain_db):.2f} dB | {np.mean(refined_db):.2f} dB |")


if __name__ == "__main__":
    main()
