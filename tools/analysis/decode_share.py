"""How much of BK-Pose's image-to-keypoints time goes to decoding, on real COCO images with
several people.

``tools/analysis/benchmark.py`` splits the end-to-end time with the model's weights as they are
(random without ``--checkpoint``), and random heatmaps hold no people to group. This tool times
the decoder on what a trained model outputs instead: for each of the ``--images`` annotated
images with the most people, the image goes through the config's test pipeline and the network
(timed with the benchmark's own helpers, one warm-up call each), and the codec decodes the image's
own annotations encoded at the network's output size (keypoint + body-part heatmaps of every person,
mapped into the input like the test pipeline maps the image). Prints one line per image with
the decode share ``decode / (preprocess + forward + decode)`` and the ratio ``decode / forward``.

``--classroom``: classroom-density scenes instead (``tools/analysis/classroom_scenes.py``:
coco-mini train2017 images tiled 3x3, ``--min-people``-``--max-people`` (20-50) labelled
people each, ``--images`` scenes, images drawn afresh for every scene), their pixels built from
the tiles; ``--input-size`` sets the test pipeline's input (default: the
config's).

    python tools/analysis/decode_share.py [CONFIG] [--ann-file ANN] [--img-dir DIR]
    python tools/analysis/decode_share.py --classroom [--input-size 1024]
"""
import argparse
import json
import statistics
import tempfile
from pathlib import Path
from typing import List, Tuple

import cv2
import numpy as np
import torch
from mmengine.dataset import Compose

from posezoo.apis import init_model, preprocess
from posezoo.apis.task import test_pipeline
from posezoo.utils.paths import REPO_ROOT, shared_dir

from bench.measure import time_callable  # tools/analysis/bench, beside this script
from classroom_scenes import labelled_people, render_scene, tile_scenes

SHARED = shared_dir() / 'data' / 'coco-mini'


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='BK-Pose decode share on real COCO images')
    parser.add_argument('config', nargs='?',
                        default=str(REPO_ROOT / 'configs/body_2d_keypoint/bkpose/coco/'
                                    'bkpose_1xb8-60e_coco-512x512.py'))
    parser.add_argument('--ann-file', default=None,
                        help='default: coco-mini val2017 (train2017 with --classroom)')
    parser.add_argument('--img-dir', default=None,
                        help='default: coco-mini val2017/ (train2017/ with --classroom)')
    parser.add_argument('--images', type=int, default=5,
                        help='images with the most people (scenes with --classroom)')
    parser.add_argument('--classroom', action='store_true',
                        help='3x3 tiled classroom scenes of 20-50 people')
    parser.add_argument('--min-people', type=int, default=20, help='--classroom scenes')
    parser.add_argument('--max-people', type=int, default=50, help='--classroom scenes')
    parser.add_argument('--input-size', type=int, default=None,
                        help="the test pipeline's input size (default: the config's)")
    parser.add_argument('--repeats', type=int, default=7)
    parser.add_argument('--threads', type=int, default=None, help='torch threads')
    return parser.parse_args()


def scenes(args: argparse.Namespace, tmp_dir: Path) -> List[Tuple[str, List[dict]]]:
    """(image path, labelled people) of the images (or classroom scenes, written as JPEG
    files to ``tmp_dir``) to time."""
    split = 'train2017' if args.classroom else 'val2017'
    ann_file = args.ann_file or str(SHARED / 'annotations' / f'person_keypoints_{split}.json')
    img_dir = Path(args.img_dir or SHARED / split)
    data = json.loads(Path(ann_file).read_text())
    if args.classroom:
        data = tile_scenes(data, num_scenes=args.images, min_people=args.min_people,
                           max_people=args.max_people, reuse_images=True)
    images = {im['id']: im for im in data['images']}
    people = labelled_people(data)
    chosen = sorted(people, key=lambda i: (-len(people[i]), i))[:args.images]
    if not args.classroom:
        return [(str(img_dir / images[i]['file_name']), people[i]) for i in chosen]
    out = []
    for i in chosen:
        path = tmp_dir / images[i]['file_name']
        cv2.imwrite(str(path), render_scene(images[i], img_dir))
        out.append((str(path), people[i]))
    return out


def main() -> None:
    args = parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    model = init_model(args.config)
    if args.input_size:
        for step in test_pipeline(model.cfg):
            if 'input_size' in step:
                step['input_size'] = (args.input_size, args.input_size)
    codec_cls = type(model.head.decoder)
    codec_cfg = model.cfg.model.head.decoder
    pipeline = Compose(test_pipeline(model.cfg))
    tmp = tempfile.TemporaryDirectory()
    shares, ratios = [], []
    for path, annotated in scenes(args, Path(tmp.name)):
        pre_stats, batch = time_callable(lambda: preprocess(model, path, pipeline),
                                         repeats=args.repeats)
        inputs, meta = batch['inputs'], batch['data_samples'][0].metainfo
        with torch.no_grad():
            forward_stats, _ = time_callable(lambda: model(inputs, None, mode='tensor'),
                                             repeats=args.repeats)

        # the annotations in input pixels, as the test pipeline maps the image
        height, width = inputs.shape[-2:]
        center, scale = np.asarray(meta['input_center']), np.asarray(meta['input_scale'])
        factor = np.array([width, height]) / scale
        raw = np.array([a['keypoints'] for a in annotated], np.float32).reshape(
            len(annotated), -1, 3)
        keypoints = (raw[..., :2] - (center - scale / 2)) * factor
        settings = {k: v for k, v in codec_cfg.items() if k != 'type'}
        codec = codec_cls(**dict(settings, input_size=(width, height),
                                 heatmap_size=(width // 4, height // 4)))
        heatmaps = codec.encode(keypoints, raw[..., 2] > 0)['heatmaps']
        decode_stats, (decoded, _, _) = time_callable(lambda: codec.decode(heatmaps),
                                                      repeats=args.repeats)
        t_pre, t_forward, t_decode = (1000 * stats.median for stats in
                                      (pre_stats, forward_stats, decode_stats))

        share = t_decode / (t_pre + t_forward + t_decode)
        shares.append(share)
        ratios.append(t_decode / t_forward)
        print(f'{Path(path).name}: {len(annotated)} people annotated, {len(decoded)} '
              f'decoded, input {width}x{height}: preprocess {t_pre:.0f} ms, forward {t_forward:.0f} ms, '
              f'decode {t_decode:.1f} ms -> decoding {100 * share:.1f}% of image-to-keypoints, '
              f'decode/forward {100 * ratios[-1]:.1f}%', flush=True)
    tmp.cleanup()
    print(f'decode share: median {100 * statistics.median(shares):.1f}%, '
          f'max {100 * max(shares):.1f}% over {len(shares)} images; decode/forward: median '
          f'{100 * statistics.median(ratios):.1f}%, max {100 * max(ratios):.1f}% '
          f'({torch.get_num_threads()} threads)')


if __name__ == '__main__':
    main()
