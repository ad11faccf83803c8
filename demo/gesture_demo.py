"""Hand-gesture recognition on still images with a LeapGestRecog classifier.

Each image (or the hand crop given by ``--bbox``) is classified, and the gesture and its score
are drawn on the image, written to ``--out-dir`` and printed.

Example::

    python demo/gesture_demo.py \
        configs/image_classification/leapgestrecog/resnet18_1xb64-30e_leapgestrecog-224x84.py \
        data/leapGestRecog/09/03_fist --checkpoint CKPT --out-dir vis/
"""
import argparse
import os
import os.path as osp
from dataclasses import dataclass
from typing import List, Optional, Sequence

import cv2
import numpy as np

from posezoo.apis import inference, init_model

IMAGE_EXTENSIONS = ('.png', '.jpg', '.jpeg', '.bmp')
BOX_COLOR = (0, 255, 0)


@dataclass
class GestureResult:
    """The gesture predicted for one image."""

    path: str
    label: str
    score: float


def list_images(inputs: Sequence[str]) -> List[str]:
    """Expand folders into their images (sorted); files are kept as given."""
    paths = []
    for item in inputs:
        if osp.isdir(item):
            paths.extend(
                osp.join(item, name) for name in sorted(os.listdir(item)) if name.lower().endswith(IMAGE_EXTENSIONS))
        elif osp.isfile(item):
            paths.append(item)
        else:
            raise FileNotFoundError(f'no such image or folder: {item}')
    return paths


def read_image(path: str) -> np.ndarray:
    """Read an image (BGR); raises ``OSError`` naming the file when it cannot be decoded."""
    img = cv2.imread(path, cv2.IMREAD_COLOR)
    if img is None:
        raise OSError(f'cannot read image {path}: unreadable or not an image')
    return img


def crop(img: np.ndarray, bbox: Optional[Sequence[int]]) -> np.ndarray:
    """The ``x, y, w, h`` region of ``img`` (clipped to it), or the whole image."""
    if bbox is None:
        return img
    x, y, w, h = bbox
    x0, y0 = max(x, 0), max(y, 0)
    x1, y1 = min(x + w, img.shape[1]), min(y + h, img.shape[0])
    if x1 <= x0 or y1 <= y0:
        raise ValueError(f'--bbox {list(bbox)} lies outside the {img.shape[1]}x{img.shape[0]} image')
    return img[y0:y1, x0:x1]


def draw_gesture(img: np.ndarray, text: str, bbox: Optional[Sequence[int]]) -> np.ndarray:
    """Draw the hand box (if any) and ``text`` at its top-left corner, in place."""
    x, y = 0, 0
    if bbox is not None:
        x, y, w, h = bbox
        cv2.rectangle(img, (x, y), (x + w, y + h), BOX_COLOR, 2)
    (tw, th), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, 0.6, 1)
    y = max(y, th + base)
    cv2.rectangle(img, (x, y - th - base), (x + tw, y), BOX_COLOR, -1)
    cv2.putText(img, text, (x, y - base), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (0, 0, 0), 1, cv2.LINE_AA)
    return img


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Hand-gesture recognition on images')
    parser.add_argument('config', help='LeapGestRecog classifier config: path, posezoo::<path> or model name')
    parser.add_argument('--checkpoint', default=None, help='checkpoint (random weights if omitted)')
    parser.add_argument('inputs', nargs='+', help='image files or folders of images')
    parser.add_argument('--out-dir', default=None, help='write the annotated images here')
    parser.add_argument('--bbox', type=int, nargs=4, metavar=('X', 'Y', 'W', 'H'), default=None,
                        help='hand box to classify (default: the whole image)')
    parser.add_argument('--device', default='cpu', help='device, e.g. cpu or cuda:0')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> List[GestureResult]:
    """Run the demo; returns the gesture of every image."""
    args = parse_args(argv)
    model = init_model(args.config, args.checkpoint, device=args.device)
    names = model.dataset_meta['classes']  # from the checkpoint, else the config's dataset
    if args.out_dir:
        os.makedirs(args.out_dir, exist_ok=True)
    results = []
    for path in list_images(args.inputs):
        img = read_image(path)
        sample = inference(model, crop(img, args.bbox))
        label = int(sample.pred_label.item())
        result = GestureResult(path=path, label=names[label], score=float(sample.pred_score[label]))
        results.append(result)
        print(f'{path}: {result.label} {result.score:.3f}')
        if args.out_dir:
            draw_gesture(img, f'{result.label} {result.score:.2f}', args.bbox)
            out = osp.join(args.out_dir, osp.basename(path))
            if not cv2.imwrite(out, img):
                raise OSError(f'cannot write {out}')
    return results


if __name__ == '__main__':
    main()
