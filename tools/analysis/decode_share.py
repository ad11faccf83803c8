"""How much of BK-Pose's image-to-keypoints time goes to decoding, on real COCO images with
several people.

``tools/analysis/benchmark.py`` splits the end-to-end time with the model's weights as they are
(random without ``--checkpoint``), and random heatmaps hold no people to group. This tool times
the decoder on what a trained model outputs instead: for each of the ``--images`` annotated
images with the most people, the image goes through the config's test pipeline and the network
(timed with the benchmark's own helpers, one warm-up call each), and the codec decodes the image's
own annotations encoded at the network's output size (keypoint + body-part heatmaps of every person,
mapped into the input like the test pipeline maps the image). Prints one line per image and the
decode share ``decode / (preprocess + forward + decode)``.

    python tools/analysis/decode_share.py [CONFIG] [--ann-file ANN] [--img-dir DIR]
"""
import argparse
import json
import statistics
from pathlib import Path
from typing import Dict, List

import numpy as np
import torch
from bench.measure import time_callable  # tools/analysis/bench, beside this script
from mmengine.dataset import Compose

from posezoo.apis import init_model, preprocess
from posezoo.apis.task import test_pipeline
from posezoo.utils.paths import REPO_ROOT, shared_dir

SHARED = shared_dir() / 'data' / 'coco-mini'


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='BK-Pose decode share on real COCO images')
    parser.add_argument('config', nargs='?',
                        default=str(REPO_ROOT / 'configs/body_2d_keypoint/bkpose/coco/'
                                    'bkpose_8xb8-60e_coco-512x512.py'))
    parser.add_argument('--ann-file', default=str(SHARED / 'annotations' /
                                                  'person_keypoints_val2017.json'))
    parser.add_argument('--img-dir', default=str(SHARED / 'val2017'))
    parser.add_argument('--images', type=int, default=5, help='images with the most people')
    parser.add_argument('--repeats', type=int, default=7)
    parser.add_argument('--threads', type=int, default=None, help='torch threads')
    return parser.parse_args()


def people_per_image(ann_file: str) -> Dict[int, List[dict]]:
    """Labelled, non-crowd people of every image id."""
    people: Dict[int, List[dict]] = {}
    for ann in json.loads(Path(ann_file).read_text())['annotations']:
        if ann.get('num_keypoints', 0) > 0 and not ann.get('iscrowd', 0):
            people.setdefault(ann['image_id'], []).append(ann)
    return people


def main() -> None:
    args = parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    model = init_model(args.config)
    codec_cls = type(model.head.decoder)
    codec_cfg = model.cfg.model.head.decoder
    pipeline = Compose(test_pipeline(model.cfg))
    images = {im['id']: im for im in json.loads(Path(args.ann_file).read_text())['images']}
    people = people_per_image(args.ann_file)
    chosen = sorted(people, key=lambda i: (-len(people[i]), i))[:args.images]

    shares = []
    for image_id in chosen:
        path = str(Path(args.img_dir) / images[image_id]['file_name'])
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
        raw = np.array([a['keypoints'] for a in people[image_id]], np.float32).reshape(
            len(people[image_id]), -1, 3)
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
        print(f'{Path(path).name}: {len(people[image_id])} people annotated, {len(decoded)} '
              f'decoded, input {width}x{height}: preprocess {t_pre:.0f} ms, forward {t_forward:.0f} ms, '
              f'decode {t_decode:.1f} ms -> decoding {100 * share:.1f}% of image-to-keypoints',
              flush=True)
    print(f'decode share: median {100 * statistics.median(shares):.1f}%, '
          f'max {100 * max(shares):.1f}% over {len(shares)} images '
          f'({torch.get_num_threads()} threads)')


if __name__ == '__main__':
    main()
