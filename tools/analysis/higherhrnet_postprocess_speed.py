"""Time HigherHRNet's post-network test path against MMPose 1.x's ``AssociativeEmbedding`` decode.

On the recorded network outputs of the official end-to-end fixture folders
(``../shared/fixtures/higherhrnet-official-e2e`` and ``higherhrnet-official-e2e-more``, or
``--fixture`` with folders separated by ``:``), per image:

- ``posezoo``: everything posezoo runs after the network at test time with flip test: the head's
  aggregation (1/4 output upsampled to 1/2, averaged, mirror flipped back, projected to the input
  size), the codec's decode (NMS, top-k, tag matching, adjust, refine, person scores) and the
  back-projection to the image (``BottomupPoseEstimator.add_pred_to_datasample``);
- ``mmpose``: MMPose 1.x's ``AssociativeEmbedding.batch_decode`` alone on the same aggregated
  heatmaps and tags (official limits: NMS 5, threshold 0.1, tag threshold 1, top 30, 30 people).

Prints the median of ``--repeats`` timed calls (after one warm-up) per image and the ratio
posezoo / mmpose, the two calls alternated so that machine load affects both alike, then the
median and the worst ratio. ``--load N`` runs N busy processes (pure-Python loops, stopped by the
tool, and by themselves after ``--load-seconds``) during the timing: a loaded machine.
``--checkout DIR`` times the posezoo package of another source checkout (e.g. a worktree of an
older commit) with this script, so that runs of two checkouts alternated back to back give a
speed-up::

    python tools/analysis/higherhrnet_postprocess_speed.py [--threads 2] [--device cpu] \
        [--checkout ../baseline] [--load 4]
"""
import argparse
import importlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, List, Sequence, Tuple

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
    parser.add_argument(
        '--fixture', help='fixture folders separated by ":" (default: both shared e2e folders)',
        default=':'.join(str(SHARED / 'fixtures' / name) for name in (
            'higherhrnet-official-e2e', 'higherhrnet-official-e2e-more')))
    parser.add_argument('--config', help=f'default: {CONFIG} of the checkout')
    parser.add_argument('--repeats', type=int, default=9)
    parser.add_argument('--threads', type=int, default=2, help='torch CPU threads')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--checkout', default=str(REPO_ROOT),
                        help='source checkout whose posezoo package is timed (default: this one)')
    parser.add_argument('--load', type=int, default=0,
                        help='busy processes competing for the CPUs while timing')
    parser.add_argument('--load-seconds', type=float, default=600,
                        help='the busy processes stop by themselves after this long')
    return parser.parse_args()


BUSY_LOOP = 'import time\nend = time.time() + {seconds}\nwhile time.time() < end:\n    pass\n'


def start_load(count: int, seconds: float) -> List[subprocess.Popen]:
    """``count`` busy Python processes, each stopping after ``seconds``."""
    return [subprocess.Popen([sys.executable, '-c', BUSY_LOOP.format(seconds=seconds)])
            for _ in range(count)]


def alternated_ms(fns: Sequence[Callable[[], object]], repeats: int,
                  device: torch.device) -> Tuple[float, ...]:
    """Median wall time in ms of each of ``fns``, called in turn ``repeats`` times (after one
    warm-up each), so that a change of machine load affects all of them alike."""
    for fn in fns:
        fn()
    samples: List[List[float]] = [[] for _ in fns]
    for _ in range(repeats):
        for fn, times in zip(fns, samples):
            if device.type == 'cuda':
                torch.cuda.synchronize(device)
            start = time.perf_counter()
            fn()
            if device.type == 'cuda':
                torch.cuda.synchronize(device)
            times.append(time.perf_counter() - start)
    return tuple(1000 * statistics.median(times) for times in samples)


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
    print(f'checkout {args.checkout}; torch {torch.__version__}, {args.threads} threads, device '
          f'{device}; median of {args.repeats} alternated runs; {args.load} busy processes')
    load = start_load(args.load, args.load_seconds)
    try:
        ratios = [(name, ratio) for folder in args.fixture.split(':') if folder
                  for name, ratio in time_folder(Path(folder), head, test_cfg, meta,
                                                 keypoint_order, args.repeats, device)]
    finally:
        for process in load:
            process.kill()
            process.wait()
    worst = max(ratios, key=lambda item: item[1])
    print(f'median ratio posezoo / MMPose decode: {statistics.median(r for _, r in ratios):.2f}; '
          f'worst {worst[1]:.2f} ({worst[0]})')


def time_folder(fixture: Path, head: torch.nn.Module, test_cfg: dict, meta: dict,
                keypoint_order: List[int], repeats: int, device: torch.device
                ) -> List[Tuple[str, float]]:
    """Time both paths on every image of one fixture folder (see the module docstring);
    prints a line per image and returns (image, ratio) pairs."""
    index = json.loads((fixture / 'index.json').read_text())['images']
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

        ours, ref = alternated_ms((posezoo_path, mmpose_decode), repeats, device)
        ratios.append((entry['file_name'], ours / ref))
        people = len(posezoo_path()[0].pred_instances)
        print(f'{entry["file_name"]} ({input_w}x{input_h}, {people} people): posezoo whole '
              f'post-network path {ours:.1f} ms, MMPose AE decode alone {ref:.1f} ms, ratio '
              f'{ours / ref:.2f}')
    return ratios


if __name__ == '__main__':
    main()
