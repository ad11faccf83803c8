"""Generate a small dark-video action data set from real photographs.

Each clip is a window over a real image (COCO photographs by default); the class is what happens
over time: ``static`` (no motion), ``pan_right`` / ``pan_down`` (the window pans right / down by
``--step`` of its size per frame) or ``flicker`` (static, the light level changes from frame to
frame), so a model must use the temporal signal (any single frame looks alike in all classes).
Clips are then darkened with a low-light sensor model: linearise (gamma 2.2), scale the exposure
down (``--exposure`` range), draw Poisson shot noise for ``--full-well`` photo-electrons at full
scale plus Gaussian read noise (``--read-noise``), re-apply the gamma and quantise to 8 bits.
Train and val clips come from disjoint image folders (``train2017`` / ``val2017`` when present).

Output (MMAction2 ``VideoDataset`` layout; lossless FFV1 ``.avi`` decodable by OpenCV)::

    OUT/train/<class>_<i>.avi   OUT/val/<class>_<i>.avi
    OUT/train.txt  OUT/val.txt  ("train/static_0000.avi 0" per line)   OUT/classes.txt

Example::

    python tools/misc/make_dark_clips.py ../shared/data/coco-mini data/darkclips
"""
import argparse
import os
import os.path as osp
from typing import List, Tuple

import cv2
import numpy as np

CLASSES = ('static', 'pan_right', 'pan_down', 'flicker')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('images', help='image root (with train2017/ and val2017/, or any folder)')
    parser.add_argument('out', help='output folder')
    parser.add_argument('--train-per-class', type=int, default=24)
    parser.add_argument('--val-per-class', type=int, default=10)
    parser.add_argument('--frames', type=int, default=8, help='frames per clip')
    parser.add_argument('--size', type=int, default=32, help='square frame size in pixels')
    parser.add_argument('--step', type=float, default=0.12,
                        help='pan distance per frame, as a fraction of the window size')
    parser.add_argument('--exposure', type=float, nargs=2, default=(0.03, 0.1),
                        help='range of the exposure factor applied to linear intensities')
    parser.add_argument('--full-well', type=float, default=1000.0,
                        help='photo-electrons at full scale (Poisson shot noise)')
    parser.add_argument('--read-noise', type=float, default=0.004,
                        help='std of the Gaussian read noise on linear intensities')
    parser.add_argument('--seed', type=int, default=0)
    return parser.parse_args()


def list_images(root: str) -> List[str]:
    """All ``.jpg/.jpeg/.png`` files under ``root``, sorted."""
    paths = sorted(
        osp.join(d, n) for d, _, names in os.walk(root) for n in names
        if n.lower().endswith(('.jpg', '.jpeg', '.png')))
    if not paths:
        raise FileNotFoundError(f'no images under {root}')
    return paths


def darken(frames: np.ndarray, rng: np.random.Generator, exposure: np.ndarray, full_well: float,
           read_noise: float) -> np.ndarray:
    """Low-light sensor model on ``(T, H, W, 3)`` uint8 frames with per-frame ``(T, )``
    exposure factors; returns uint8 frames."""
    linear = (frames.astype(np.float64) / 255.0) ** 2.2 * exposure[:, None, None, None]
    electrons = rng.poisson(linear * full_well) / full_well
    noisy = electrons + rng.normal(0.0, read_noise, size=linear.shape)
    return np.round(255.0 * np.clip(noisy, 0.0, 1.0) ** (1 / 2.2)).astype(np.uint8)


def pan_clip(img: np.ndarray, direction: Tuple[int, int], rng: np.random.Generator, frames: int,
             size: int, step: float) -> np.ndarray:
    """Frames ``(T, size, size, 3)`` of a square window panning over ``img`` along ``direction``
    by ``step`` of the window size per frame."""
    h, w = img.shape[:2]
    step_px = max(1, int(round(min(h, w) * 0.5 * step)))
    travel = step_px * (frames - 1)
    # the window leaves room for the travel along both axes (so all classes share its scale)
    win = min(int(min(h, w) * 0.5), min(h, w) - travel)
    if win < size:
        raise ValueError(f'image {img.shape[1]}x{img.shape[0]} too small for {frames} frames '
                         f'panning {step} of the window per frame')
    dx, dy = direction
    x0 = int(rng.integers(travel if dx < 0 else 0, w - win - (travel if dx > 0 else 0) + 1))
    y0 = int(rng.integers(travel if dy < 0 else 0, h - win - (travel if dy > 0 else 0) + 1))
    out = []
    for t in range(frames):
        x, y = x0 + dx * step_px * t, y0 + dy * step_px * t
        crop = img[y:y + win, x:x + win]
        out.append(cv2.resize(crop, (size, size), interpolation=cv2.INTER_AREA))
    return np.stack(out)


def write_video(path: str, frames: np.ndarray) -> None:
    """Write ``(T, H, W, 3)`` BGR uint8 frames as lossless FFV1 AVI."""
    h, w = frames.shape[1:3]
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'FFV1'), 10.0, (w, h))
    if not writer.isOpened():
        raise IOError(f'OpenCV cannot write {path} (FFV1 codec missing?)')
    for frame in frames:
        writer.write(frame)
    writer.release()


def make_split(split: str, images: List[str], per_class: int, args: argparse.Namespace,
               rng: np.random.Generator) -> List[str]:
    """Write one split's clips; returns its annotation lines."""
    os.makedirs(osp.join(args.out, split), exist_ok=True)
    lines = []
    for label, name in enumerate(CLASSES):
        for i in range(per_class):
            img = cv2.imread(images[int(rng.integers(len(images)))])
            direction = {'pan_right': (1, 0), 'pan_down': (0, 1)}.get(name, (0, 0))
            clip = pan_clip(img, direction, rng, args.frames, args.size, args.step)
            exposure = np.full(args.frames, rng.uniform(*args.exposure))
            if name == 'flicker':
                exposure *= rng.uniform(0.25, 1.75, size=args.frames)
            clip = darken(clip, rng, exposure, args.full_well, args.read_noise)
            rel = f'{split}/{name}_{i:04d}.avi'
            write_video(osp.join(args.out, rel), clip)
            lines.append(f'{rel} {label}')
    with open(osp.join(args.out, f'{split}.txt'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    return lines


def main() -> None:
    args = parse_args()
    rng = np.random.default_rng(args.seed)
    train_root, val_root = osp.join(args.images, 'train2017'), osp.join(args.images, 'val2017')
    if osp.isdir(train_root) and osp.isdir(val_root):
        train_imgs, val_imgs = list_images(train_root), list_images(val_root)
    else:
        imgs = list_images(args.images)
        cut = max(1, int(len(imgs) * 0.7))
        train_imgs, val_imgs = imgs[:cut], imgs[cut:] or imgs[:1]
    n_train = len(make_split('train', train_imgs, args.train_per_class, args, rng))
    n_val = len(make_split('val', val_imgs, args.val_per_class, args, rng))
    with open(osp.join(args.out, 'classes.txt'), 'w') as f:
        f.write('\n'.join(CLASSES) + '\n')
    print(f'wrote {n_train} train and {n_val} val clips to {args.out}')


if __name__ == '__main__':
    main()
