"""Training and evaluation imagery, gathered only from files that Debian packages install.

Every source is a local file from a Debian package; nothing is downloaded at training time.
``models/train/setup.sh`` installs the packages (and unpacks the few whose dependencies are
too heavy to install, such as a photo manager's demo album, under ``DEB_ROOT``). Sources that
are missing on a machine are skipped and the counts that were found are written to the data
report, so a run states exactly what it trained on.

Training views are 256x256 RGB images (the size frames are normalised to), made from:
  * still images: whole image squashed to 256x256 (as the pipeline does with frames), plus
    random crops at several scales resized to 256x256;
  * frames of sample videos (every few frames), same treatment;
  * synthetic scenes: gradients, shapes, text, stripes, noise.
From each view, random 16x16 patches are cut. The held-out video is never read here except by
``held_out_frames``.
"""

import glob
import os
import subprocess

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

FRAME = 256
PATCH = 16

# Packages unpacked by setup.sh (``dpkg-deb -x``) rather than installed: DEB_ROOT/<package>/usr/...
DEB_ROOT = os.environ.get("DELTATOK_TRAIN_DEBS",
                          os.path.join(os.path.expanduser("~"), ".cache", "deltatok", "train-debs"))

# Sources whose folders hold one picture at several resolutions: only the largest file is used.
LARGEST_PER_FOLDER = {"plasma-workspace-wallpapers"}

# (label, debian package, glob patterns, random crops per image)
STILL_SOURCES = [
    ("skimage-data", "python3-skimage", ["/usr/lib/python3/dist-packages/skimage/data/*.png",
                                         "/usr/lib/python3/dist-packages/skimage/data/*.jpg"], 6),
    ("imageio-images", "python3-imageio", ["/usr/lib/python3/dist-packages/imageio/resources/images/*.png"], 6),
    ("opencv-doc-examples", "opencv-doc", ["/usr/share/doc/opencv-doc/examples/data/*.jpg",
                                           "/usr/share/doc/opencv-doc/examples/data/*.png",
                                           "/usr/share/doc/opencv-doc/examples/*/*.jpg",
                                           "/usr/share/doc/opencv-doc/examples/*/*.png",
                                           "/usr/share/doc/opencv-doc/examples/*/data/*.jpg",
                                           "/usr/share/doc/opencv-doc/examples/*/data/*.png"], 6),
    ("opencv-doc-html", "opencv-doc", ["/usr/share/doc/opencv-doc/opencv4/html/**/*.jpg",
                                       "/usr/share/doc/opencv-doc/opencv4/html/**/*.png"], 1),
    ("desktop-base", "desktop-base", ["/usr/share/desktop-base/**/*.png",
                                      "/usr/share/desktop-base/**/*.jpg"], 3),
    ("lomiri-wallpapers", "lomiri-wallpapers-20.04", ["/usr/share/backgrounds/*_by_*.jpg"], 12),
    ("ukui-wallpapers", "ukui-wallpapers", ["/usr/share/backgrounds/*.jpg",
                                            "/usr/share/backgrounds/*.png"], 12),
    ("mate-backgrounds", "mate-backgrounds", ["/usr/share/backgrounds/mate/**/*.jpg",
                                              "/usr/share/backgrounds/mate/**/*.png"], 12),
    ("plymouth-themes", "desktop-base", ["/usr/share/plymouth/themes/**/*.png"], 3),
    ("plasma-workspace-wallpapers", "plasma-workspace-wallpapers",
     ["/usr/share/wallpapers/*/contents/images/*.png",
      "/usr/share/wallpapers/*/contents/images/*.jpg"], 12),
    ("kphotoalbum-demo", "kphotoalbum", ["/usr/share/kphotoalbum/demo/*.jpg"], 12),
    ("forensics-samples-photos", "forensics-samples-files",
     ["/usr/share/forensics-samples/original-files/pic*/IMG*"], 24),
    ("node-opencv-examples", "node-opencv", ["/usr/share/doc/node-opencv/examples/files/*.jpg",
                                             "/usr/share/doc/node-opencv/examples/files/*.png"], 6),
]

# (label, debian package, path, frame step, max width)
VIDEO_SOURCES = [
    ("Megamind.avi", "opencv-doc", "/usr/share/doc/opencv-doc/examples/data/Megamind.avi", 3, 720),
    ("tree.avi", "opencv-doc", "/usr/share/doc/opencv-doc/examples/data/tree.avi", 1, 320),
    ("cockatoo.mp4", "python3-imageio",
     "/usr/lib/python3/dist-packages/imageio/resources/images/cockatoo.mp4", 4, 640),
    ("realshort.mp4", "python3-imageio",
     "/usr/lib/python3/dist-packages/imageio/resources/images/realshort.mp4", 1, 320),
    ("motion.mov", "node-opencv", "/usr/share/doc/node-opencv/examples/files/motion.mov", 2, 568),
    ("balle-jbart.mp4", "python3-mecavideo", "/usr/share/pymecavideo/data/video/balle-jbart.mp4",
     3, 720),
    ("balle1-vp9.avi", "python3-mecavideo", "/usr/share/pymecavideo/data/video/balle1-vp9.avi",
     4, 320),
    ("retroMars2018.avi", "python3-mecavideo",
     "/usr/share/pymecavideo/data/video/retroMars2018.avi", 1, 1024),
    ("Force_constante.avi", "python3-mecavideo",
     "/usr/share/pymecavideo/data/video/Force_constante.avi", 1, 400),
    ("Principe_inertie.avi", "python3-mecavideo",
     "/usr/share/pymecavideo/data/video/Principe_inertie.avi", 1, 400),
    ("VID_20191220_170832.mp4", "forensics-samples-files",
     "/usr/share/forensics-samples/original-files/movie1/VID_20191220_170832.mp4", 1, 1920),
    ("movie-hello.mp4", "forensics-samples-files",
     "/usr/share/forensics-samples/original-files/movie2/movie-hello.mp4", 5, 1280),
]

HELD_OUT_VIDEO = ("vtest.avi", "opencv-doc", "/usr/share/doc/opencv-doc/examples/data/vtest.avi")


def locate(package, pattern):
    """Files matching an absolute glob, installed or unpacked under DEB_ROOT/<package>."""
    found = glob.glob(pattern, recursive=True)
    if not found:
        found = glob.glob(os.path.join(DEB_ROOT, package) + pattern, recursive=True)
    return found


def _largest_per_folder(files):
    best = {}
    for f in files:
        d = os.path.dirname(f)
        if d not in best or os.path.getsize(f) > os.path.getsize(best[d]):
            best[d] = f
    return sorted(best.values())


def _load_rgb(path):
    img = Image.open(path)
    if getattr(img, "n_frames", 1) > 1:
        img.seek(0)
    img = img.convert("RGBA")
    # Composite transparency over a mid-grey so logos do not become black blobs.
    bg = Image.new("RGBA", img.size, (128, 128, 128, 255))
    return np.asarray(Image.alpha_composite(bg, img).convert("RGB"))


def read_video(path, step, max_width):
    """Decodes every ``step``-th frame of a video with ffmpeg into uint8 [T,H,W,3]."""
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
         "stream=width,height", "-of", "csv=p=0", path],
        capture_output=True, text=True, check=True)
    w, h = [int(v) for v in probe.stdout.strip().split(",")[:2]]
    if w > max_width:
        h = int(round(h * max_width / w / 2)) * 2
        w = max_width
    vf = f"select=not(mod(n\\,{step})),scale={w}:{h}:flags=bicubic"
    out = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", path, "-vf", vf, "-vsync", "0", "-f", "rawvideo",
         "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(out, np.uint8).reshape(-1, h, w, 3)


def squash(img, size=FRAME):
    """Resizes (aspect not kept) to size x size, as the pipeline normalises frames."""
    return np.asarray(Image.fromarray(img).resize((size, size), Image.BICUBIC))


def held_out_frames(step=8):
    """The evaluation frames: every ``step``-th frame of the held-out video, squashed to 256."""
    label, _, path = HELD_OUT_VIDEO
    if not os.path.exists(path):
        raise FileNotFoundError(f"held-out video {label} not found at {path}")
    frames = read_video(path, step, 10_000)
    return np.stack([squash(f) for f in frames])


def _views_of(img, rng, n_crops):
    """The whole image squashed, plus random crops at several scales resized to 256."""
    views = [squash(img)]
    h, w = img.shape[:2]
    short = min(h, w)
    for _ in range(n_crops):
        if short < 48:
            break
        side = int(rng.uniform(0.25, 1.0) * short)
        side = max(side, 48)
        y = rng.integers(0, h - side + 1)
        x = rng.integers(0, w - side + 1)
        views.append(squash(img[y:y + side, x:x + side]))
    return views


def synthetic_views(rng, count):
    """Simple synthetic scenes: gradients, shapes, stripes, text and noise."""
    views = []
    yy, xx = np.mgrid[0:FRAME, 0:FRAME].astype(np.float32) / FRAME
    for i in range(count):
        c0, c1 = rng.uniform(0, 255, 3), rng.uniform(0, 255, 3)
        kind = i % 3
        if kind == 0:
            t = (xx * rng.uniform(-1, 1) + yy * rng.uniform(-1, 1))
        elif kind == 1:
            cx, cy = rng.uniform(0, 1, 2)
            t = np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2)
        else:
            t = np.zeros_like(xx)
        t = (t - t.min()) / (np.ptp(t) + 1e-6)
        base = c0[None, None, :] * (1 - t[..., None]) + c1[None, None, :] * t[..., None]
        img = Image.fromarray(base.clip(0, 255).astype(np.uint8))
        draw = ImageDraw.Draw(img)
        for _ in range(rng.integers(2, 14)):
            box = sorted(rng.integers(-32, FRAME + 32, 2))
            boy = sorted(rng.integers(-32, FRAME + 32, 2))
            col = tuple(int(v) for v in rng.integers(0, 256, 3))
            shape = rng.integers(0, 5)
            if shape == 0:
                draw.rectangle([box[0], boy[0], box[1], boy[1]], fill=col)
            elif shape == 1:
                draw.ellipse([box[0], boy[0], box[1], boy[1]], fill=col)
            elif shape == 2:
                draw.line([box[0], boy[0], box[1], boy[1]], fill=col,
                          width=int(rng.integers(1, 6)))
            elif shape == 3:
                draw.text((int(rng.integers(0, FRAME - 40)), int(rng.integers(0, FRAME - 10))),
                          "deltatok 0123 CAM-%d" % rng.integers(100), fill=col)
            else:
                period = int(rng.integers(2, 24))
                for s in range(box[0], box[1], period):
                    draw.line([s, boy[0], s, boy[1]], fill=col, width=max(1, period // 3))
        if rng.uniform() < 0.3:
            img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 3)))
        arr = np.asarray(img).astype(np.float32)
        if rng.uniform() < 0.4:
            arr = arr + rng.normal(0, rng.uniform(2, 12), arr.shape)
        views.append(arr.clip(0, 255).astype(np.uint8))
    return views


def gather(seed=0, crops_per_frame=1, synthetic=600):
    """Returns (views uint8 [V,256,256,3], report dict of what was found where)."""
    rng = np.random.default_rng(seed)
    views, report = [], {"stills": [], "videos": [], "synthetic": synthetic}
    seen = set()
    for label, package, patterns, crops_per_still in STILL_SOURCES:
        files = sorted({f for p in patterns for f in locate(package, p)})
        if label in LARGEST_PER_FOLDER:
            files = _largest_per_folder(files)
        used = 0
        for f in files:
            real = os.path.realpath(f)
            if real in seen:
                continue
            seen.add(real)
            try:
                img = _load_rgb(f)
            except Exception:
                continue
            if min(img.shape[:2]) < 64:
                continue
            views.extend(_views_of(img, rng, crops_per_still))
            used += 1
        report["stills"].append({"source": label, "package": package,
                                 "paths": patterns, "images": used})
    for label, package, path, step, max_w in VIDEO_SOURCES:
        found = next(iter(locate(package, path)), None)
        if found is None:
            report["videos"].append({"source": label, "package": package, "path": path,
                                     "frames": 0})
            continue
        frames = read_video(found, step, max_w)
        for f in frames:
            views.extend(_views_of(f, rng, crops_per_frame))
        report["videos"].append({"source": label, "package": package, "path": path,
                                 "frames": int(len(frames))})
    views.extend(synthetic_views(rng, synthetic))
    report["views"] = len(views)
    return np.stack(views), report


def cut_patches(views, per_view, rng):
    """Random (not grid-aligned) 16x16 patches, uint8 [M,16,16,3]."""
    v, h, w, _ = views.shape
    out = np.empty((v * per_view, PATCH, PATCH, 3), np.uint8)
    k = 0
    for i in range(v):
        ys = rng.integers(0, h - PATCH + 1, per_view)
        xs = rng.integers(0, w - PATCH + 1, per_view)
        for y, x in zip(ys, xs):
            out[k] = views[i, y:y + PATCH, x:x + PATCH]
            k += 1
    return out


def frame_to_patches(frame):
    """uint8 [256,256,3] -> float32 [256,3,16,16] in [0,1], row-major grid order."""
    g = FRAME // PATCH
    p = frame.reshape(g, PATCH, g, PATCH, 3).transpose(0, 2, 4, 1, 3)
    return p.reshape(g * g, 3, PATCH, PATCH).astype(np.float32) / 255.0


def patches_to_frame(patches):
    """float32 [256,3,16,16] -> float32 [256,256,3]."""
    g = FRAME // PATCH
    p = patches.reshape(g, g, 3, PATCH, PATCH).transpose(0, 3, 1, 4, 2)
    return p.reshape(FRAME, FRAME, 3)


if __name__ == "__main__":
    import json
    import time
    t = time.time()
    v, rep = gather()
    print(json.dumps(rep, indent=1))
    print(v.shape, time.time() - t, "s")
    ev = held_out_frames()
    print("held out", ev.shape)
