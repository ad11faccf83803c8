"""BK-Pose grouping on held-out splits: oracle AP per split, why people are lost, limb statistics.

Splits are deterministic: the images (or mosaics) of an annotation file with an even id are
half ``A`` (for choosing rules and settings), those with an odd id half ``B`` (held back).

* ``report``: for every annotation file given (``path`` or ``path@A`` / ``path@B`` for one half),
  the clean oracle AP and optionally the noisy oracle AP (``tools/analysis/classroom_scenes.py``),
  and a breakdown of what the grouping gets wrong (:func:`error_breakdown`).
* ``limbs``: the per-link length statistics of labelled people (:func:`limb_statistics`), the
  table :data:`posezoo.edge.grouping.COCO_LIMB_LENGTHS` is measured with.

    python tools/analysis/bkpose_grouping_splits.py report [--noisy] ANN[@A|@B] ...
    python tools/analysis/bkpose_grouping_splits.py limbs [ANN ...]
"""
import argparse
import contextlib
import importlib.util
import io
import json
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np

from posezoo.utils.paths import shared_dir

SHARED = shared_dir()
COCO_MINI_TRAIN = SHARED / 'data' / 'coco-mini' / 'annotations' / 'person_keypoints_train2017.json'
_spec = importlib.util.spec_from_file_location('classroom_scenes',
                                               Path(__file__).with_name('classroom_scenes.py'))
classroom = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(classroom)


split, load = classroom.split, classroom.load_annotations


def error_breakdown(data: dict, codec_cfg: Optional[dict] = None,
                    tol: float = 1.0) -> Dict[str, int]:
    """Why labelled people are lost by the clean oracle (targets from the annotations).

    Every decoded keypoint sits on a labelled keypoint of its type (within ``tol`` input
    pixels), which says whose it is. Counted over the labelled people:

    * ``people``: labelled people; ``whole``: decoded as one person holding all their found
      keypoints and no one else's;
    * ``split``: their keypoints spread over several decoded people;
    * ``merged``: a decoded person holding their keypoints also holds another person's;
    * ``missed_keypoints``: labelled keypoints no decoded person holds (a peak lost to NMS
      beside another person's, or a dropped fragment);
    * ``extra_people``: decoded people holding nobody's keypoint.
    """
    from posezoo.pose.bkpose import BKPoseHeatmap
    settings = {k: v for k, v in (codec_cfg or {}).items()
                if k not in ('type', 'input_size', 'heatmap_size')}
    counts = dict(people=0, whole=0, split=0, merged=0, missed_keypoints=0, extra_people=0)
    people = classroom.labelled_people(data)
    for image in data['images']:
        anns = people.get(image['id'], [])
        if not anns:
            continue
        hs = (-(-image['width'] // 4), -(-image['height'] // 4))
        codec = BKPoseHeatmap(input_size=(4 * hs[0], 4 * hs[1]), heatmap_size=hs, **settings)
        raw = np.array([a['keypoints'] for a in anns], np.float32).reshape(len(anns), -1, 3)
        vis = raw[..., 2] > 0
        keypoints, scores, _ = codec.decode(codec.encode(raw[..., :2], vis)['heatmaps'])
        K = raw.shape[1]
        # owner[p, k]: the labelled person whose keypoint k decoded person p holds (-1: none)
        owner = np.full(scores.shape, -1)
        for p in range(len(keypoints)):
            for k in range(K):
                if scores[p, k] <= 0:
                    continue
                d = np.linalg.norm(raw[:, k, :2] - keypoints[p, k], axis=-1)
                d[~vis[:, k]] = np.inf
                if d.min() <= tol:
                    owner[p, k] = int(d.argmin())
        counts['extra_people'] += int(((owner < 0) | (scores <= 0)).all(1).sum())
        for g in range(len(anns)):
            holders = np.nonzero((owner == g).any(1))[0]
            counts['people'] += 1
            counts['missed_keypoints'] += int(vis[g].sum() - (owner == g).sum())
            others = any(((owner[p] >= 0) & (owner[p] != g)).any() for p in holders)
            counts['split'] += int(len(holders) > 1)
            counts['merged'] += int(others)
            counts['whole'] += int(len(holders) == 1 and not others)
    return counts


def limb_statistics(datasets: Sequence[dict], links: Sequence[Sequence[int]],
                    min_keypoints: int = 8) -> Dict[tuple, Dict[str, float]]:
    """Per link: the median, 10th and 90th percentile of ``|link| / shoulder width`` where
    the shoulder width is the median ``|link| / sqrt(area)`` of the shoulders over all people,
    measured on people with at least ``min_keypoints`` labelled keypoints; and ``n`` people."""
    ratios: Dict[tuple, List[float]] = {tuple(link): [] for link in links}
    for data in datasets:
        for anns in classroom.labelled_people(data).values():
            for ann in anns:
                kpts = np.array(ann['keypoints'], np.float64).reshape(-1, 3)
                if (kpts[:, 2] > 0).sum() < min_keypoints or ann['area'] <= 0:
                    continue
                for a, b in ratios:
                    if kpts[a, 2] > 0 and kpts[b, 2] > 0:
                        ratios[(a, b)].append(
                            np.linalg.norm(kpts[a, :2] - kpts[b, :2]) / np.sqrt(ann['area']))
    shoulder = float(np.median(ratios[(5, 6)]))
    return {link: dict(median=float(np.median(v)) / shoulder,
                       p10=float(np.percentile(v, 10)) / shoulder,
                       p90=float(np.percentile(v, 90)) / shoulder, n=len(v))
            for link, v in ratios.items() if v}


def quiet_ap(data: dict, results: List[dict]) -> float:
    """COCO keypoint AP (maxDets 100) without COCOeval's progress lines."""
    with contextlib.redirect_stdout(io.StringIO()):
        return classroom.keypoint_ap(data, results)[0]


def report(specs: Sequence[str], noisy: bool, codec_cfg: Optional[dict] = None) -> None:
    for spec in specs:
        data = load(spec)
        results, _ = classroom.oracle_predictions(data, codec_cfg)
        ap = quiet_ap(data, results)
        line = f'{spec}: {len(data["images"])} images; oracle AP {ap:.4f}'
        if noisy:
            results, _ = classroom.oracle_predictions(data, codec_cfg, noisy=True, seed=0)
            line += f'; noisy oracle AP {quiet_ap(data, results):.4f}'
        print(line + '; ' + ', '.join(f'{k} {v}' for k, v in
                                      error_breakdown(data, codec_cfg).items()), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest='command', required=True)
    rep = sub.add_parser('report', help='oracle AP and error breakdown per split')
    rep.add_argument('specs', nargs='+', help='ANN, ANN@A or ANN@B')
    rep.add_argument('--noisy', action='store_true', help='the noisy oracle too (seed 0)')
    rep.add_argument('--cfg', default='{}', help='BKPoseHeatmap settings as JSON')
    lim = sub.add_parser('limbs', help='per-link length statistics')
    lim.add_argument('specs', nargs='*', default=[str(COCO_MINI_TRAIN)])
    args = parser.parse_args()
    if args.command == 'report':
        report(args.specs, args.noisy, json.loads(args.cfg))
    else:
        from posezoo.pose.bkpose import BKPoseHeatmap
        links = BKPoseHeatmap((512, 512), (128, 128)).skeleton_links
        for link, s in limb_statistics([load(s) for s in args.specs], links).items():
            print(f'{link}: median {s["median"]:.2f} (p10 {s["p10"]:.2f}, p90 {s["p90"]:.2f}, '
                  f'{s["n"]} people)')


if __name__ == '__main__':
    main()
