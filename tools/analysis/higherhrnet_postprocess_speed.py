"""Time HigherHRNet's post-network test path against MMPose 1.x's ``AssociativeEmbedding`` decode.

On the recorded network outputs of the official end-to-end fixture
(``../shared/fixtures/higherhrnet-official-e2e``, or ``--fixture``), per image:

- ``posezoo``: everything posezoo runs after the network at test time with flip test: the head's
  aggregation (1/4 output upsampled to 1/2, averaged, mirror flipped back, projected to the input
  size), the codec's decode (NMS, top-k, tag matching, adjust, refine, person scores) and the
  back-projection to the image (``BottomupPoseEstimator.add_pred_to_datasample``);
- ``mmpose``: MMPose 1.x's ``AssociativeEmbedding.batch_decode`` alone on the same aggregated
  heatmaps and tags (official limits: NMS 5, threshold 0.1, tag threshold 1, top 30, 30 people).

Prints the median of ``--repeats`` timed calls (after one warm-up) per image and the ratio
posezoo / mmpose, measured in the same run so that machine load affects both alike.
``--checkout DIR`` times the posezoo package of another source checkout (e.g. a worktree of an
older commit) with this script, so that runs of two checkouts alternated back to back give a
speed-up::

    python tools/analysis/higherhrnet_postprocess_speed.py [--threads 2] [--device cpu] \
        [--checkout ../baseline]
"""
import argparse
import importlib
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Callable, List

import numpy as np
import torch
from mmengine.config import Config
from mmpose.codecs import AssociativeEmbedding
from mmpose.datasets.datasets.utils import parse_pose_metainfo
from mmpose.models import BottomupPoseEstimator
from mmpose.registry import MODELS
from mmpose.structures import PoseDataSample
from mmpose.utils import register_all_modules

REPO_ROOT = Path(__file__).resolve().parents[2]
CONFIG = 'configs/body_2d_keypoint/higherhrnet/coco/higherhrnet_hrnet-w32_8xb24-300e_coco-512x512.py'

#: ``$POSEZOO_SHARED``, else ``shared/`` beside the checkout (as posezoo.utils.paths, which a
#: checkout given with --checkout may not have)
SHARED = Path(os.environ.get('POSEZOO_SHARED', REPO_ROOT.parent / 'shared'))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='HigherHRNet post-processing speed')
    parser.add_argument('--fixture', default=str(SHARED / 'fixtures' / 'higherhrnet-official-e2e'))
    parser.add_argument('--config', help=f'default: {CONFIG} of the checkout')
    parser.add_argument('--repeats', type=int, default=9)
    parser.add_argument('--threads', type=int, default=2, help='torch CPU threads')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--checkout', default=str(REPO_ROOT),
                        help='source checkout whose posezoo package is timed (default: this one)')
    return parser.parse_args()


def median_ms(fn: Callable[[], object], repeats: int, device: torch.device) -> float:
    """Median wall time of ``fn()`` in ms over ``repeats`` calls after one warm-up."""
    fn()
    samples: List[float] = []
    for _ in range(repeats):
        if device.type == 'cuda':
            torch.cuda.synchronize(device)
        start = time.perf_counter()
        fn()
        if device.type == 'cuda':
            torch.cuda.synchronize(device)
        samples.append(time.perf_counter() - start)
    return 1000 * statistics.median(samples)


def main() -> None:
    args = parse_args()
    sys.path.insert(0, str(Path(args.checkout).resolve()))
    importlib.import_module('posezoo.pose')  # registers the HigherHRNet modules
    keypoint_order = importlib.import_module('posezoo.pose.higherhrnet').COCO_KEYPOINT_ORDER
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    register_all_modules()
    cfg = Config.fromfile(args.config or str(Path(args.checkout) / CONFIG))
    head = MODELS.build(cfg.model.head).to(device).eval()
    head.forward = lambda feats: feats  # the recorded outputs are the head's outputs
    test_cfg = dict(cfg.model.test_cfg)
    meta = parse_pose_metainfo(dict(from_file='configs/_base_/datasets/coco.py'))
    fixture = Path(args.fixture)
    index = json.loads((fixture / 'index.json').read_text())['images']

    print(f'checkout {args.checkout}; torch {torch.__version__}, {args.threads} threads, device '
          f'{device}; median of {args.repeats} runs')
    ratios = []
    for entry in index:
        data = np.load(fixture / (Path(entry['file_name']).stem + '.npz'))

        def tensor(key: str) -> torch.Tensor:
            return torch.from_numpy(data[key]).to(device)

        feats = [[tensor('output_quarter'), tensor('output_half')],
                 [tensor('output_quarter_flip'), tensor('output_half_flip')]]
        input_w, input_h = entry['input_size']
        sample = PoseDataSample(metainfo=dict(
            input_size=(input_w, input_h), flip_indices=meta['flip_indices'],
            input_center=data['center'], input_scale=data['scale'] * 200))

        def posezoo_path() -> object:
            with torch.no_grad():
                preds = head.predict(feats, [sample], test_cfg=test_cfg)
            return BottomupPoseEstimator.add_pred_to_datasample(None, preds, None,
                                                                [sample.clone()])

        with torch.no_grad():
            _, fields = head.predict(feats, [sample], test_cfg=dict(test_cfg,
                                                                    output_heatmaps=True))
        heatmaps, tags = fields[0].heatmaps[None], fields[0].tags[None]
        mmpose_codec = AssociativeEmbedding(
            input_size=(input_w, input_h), heatmap_size=(input_w, input_h),
            decode_keypoint_order=keypoint_order, decode_nms_kernel=5,
            decode_keypoint_thr=0.1, decode_tag_thr=1.0, decode_topk=30,
            decode_max_instances=30)

        def mmpose_decode() -> object:
            return mmpose_codec.batch_decode(heatmaps, tags)

        ours = median_ms(posezoo_path, args.repeats, device)
        ref = median_ms(mmpose_decode, args.repeats, device)
        ratios.append(ours / ref)
        people = len(posezoo_path()[0].pred_instances)
        print(f'{entry["file_name"]} ({input_w}x{input_h}, {people} people): posezoo whole '
              f'post-network path {ours:.1f} ms, MMPose AE decode alone {ref:.1f} ms, ratio '
              f'{ours / ref:.2f}')
    print(f'median ratio posezoo / MMPose decode: {statistics.median(ratios):.2f}')


if __name__ == '__main__':
    main()
