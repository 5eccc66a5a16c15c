#!/usr/bin/env bash
# Installs what models/train/train.py needs, all from Debian: torch, onnx, skimage, ffmpeg and
# the packages whose pictures and videos it trains on. Packages that ship sample media but
# pull in a desktop's worth of dependencies (a photo manager's demo album, a physics-lab video
# tool) are unpacked with `dpkg-deb -x` under $DELTATOK_TRAIN_DEBS instead of installed.
# Run as root (or with sudo). Safe to run again.
set -euo pipefail

apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    python3-torch python3-onnx python3-skimage python3-pil python3-imageio ffmpeg \
    opencv-doc desktop-base ukui-wallpapers mate-backgrounds plasma-workspace-wallpapers \
    lomiri-wallpapers-20.04

root="${DELTATOK_TRAIN_DEBS:-$HOME/.cache/deltatok/train-debs}"
mkdir -p "$root"
for pkg in kphotoalbum forensics-samples-files python3-mecavideo node-opencv; do
    if [ -d "$root/$pkg/usr" ]; then
        continue
    fi
    tmp="$(mktemp -d)"
    (cd "$tmp" && apt-get download -qq "$pkg")
    dpkg-deb -x "$tmp"/*.deb "$root/$pkg"
    rm -rf "$tmp"
    echo "unpacked $pkg into $root/$pkg"
done
