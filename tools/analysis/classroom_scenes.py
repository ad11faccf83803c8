"""Classroom-density scenes for BK-Pose: real COCO people tiled 3x3, and oracle / noisy-oracle AP.

BK-Pose is meant for classrooms of 30-40 people; COCO images rarely hold more than 10. This
helper builds classroom-size scenes from real annotations and measures the codec's decoding on
them, with no network involved:

* :func:`tile_scenes`: ``grid x grid`` COCO images (those with labelled people, in a seeded
  random order; by default every image is used at most once, so that every real person counts
  once in the AP; a person labelled twice in one image keeps one label: :func:`duplicate_labels`)
  side by side in cells of ``cell`` pixels (each image scaled so that its long
  side fits the cell, placed at the cell's top-left corner); the order is redrawn until every
  scene holds ``min_people``-``max_people`` labelled people. The
  result is a COCO keypoint annotation dict (every annotation of every tile but duplicate
  labels moved into the scene, crowd regions and unlabelled people included, so that the
  evaluation ignores them as on COCO); each image lists its ``tiles`` so that
  :func:`render_scene` can build its pixels.
* :func:`oracle_predictions`: annotations -> ``BKPoseHeatmap.encode`` at stride 4 of the image
  (the model's geometry, no resizing) -> optionally :func:`degrade` -> ``decode``.
* :func:`degrade`, the **noisy oracle**: targets degraded the way a trained network's outputs
  are, seeded: every person's keypoint peaks scaled by an amplitude drawn in [0.5, 1] per
  keypoint, its limb maps by one in [0.3, 0.9] per link (weakened body-part maps); spurious
  peaks: "ghosts" (with probability 0.15 per labelled keypoint, a peak of that type at a
  skeleton neighbour of the same person, amplitude [0.1, 0.4], as a focal-L2-trained model
  keeps at neighbouring joints) and random blobs (Poisson, 0.5 + 0.2 per person per channel,
  amplitude [0.1, 0.5], on keypoint and limb channels); then a Gaussian blur of 1 heatmap pixel
  (smoother, lower peaks) and additive noise (std 0.02, clipped at 0). Keypoint positions are
  not moved: the AP measures the grouping, not the localisation.
* :func:`keypoint_ap`: COCO keypoint AP with ``maxDets`` detections per image (100 by default:
  COCO's own summary keeps 20, which alone caps a 50-person scene).

    python tools/analysis/classroom_scenes.py [--ann-file ANN] [--scenes 8] [--noisy]
"""
import argparse
import copy
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import cv2
import numpy as np
from xtcocotools.coco import COCO
from xtcocotools.cocoeval import COCOeval

from posezoo.edge.grouping import skeleton_graph
from posezoo.utils.paths import shared_dir

COCO_MINI = shared_dir() / 'data' / 'coco-mini'


def split(data: dict, half: Optional[str]) -> dict:
    """The images of ``data`` with an even id (``half='A'``, for choosing rules and settings)
    or an odd id (``'B'``, held back) and their annotations; ``data`` itself for ``None``."""
    if half is None:
        return data
    if half not in ('A', 'B'):
        raise ValueError(f'split: half must be "A" or "B", got {half!r}')
    parity = 0 if half == 'A' else 1
    images = [im for im in data['images'] if im['id'] % 2 == parity]
    ids = {im['id'] for im in images}
    return dict(data, images=images,
                annotations=[a for a in data['annotations'] if a['image_id'] in ids])


def load_annotations(spec: str) -> dict:
    """``path`` (a COCO keypoint annotation file) or ``path@A`` / ``path@B``: one half of it
    (:func:`split`)."""
    import json
    path, _, half = str(spec).partition('@')
    return split(json.loads(Path(path).read_text()), half or None)


def labelled_people(data: dict) -> Dict[int, List[dict]]:
    """Non-crowd annotations with at least one labelled keypoint, per image id."""
    people: Dict[int, List[dict]] = {}
    for ann in data['annotations']:
        if ann.get('num_keypoints', 0) > 0 and not ann.get('iscrowd', 0):
            people.setdefault(ann['image_id'], []).append(ann)
    return people


def duplicate_labels(data: dict, min_shared: int = 3, oks_thr: float = 0.5) -> List[int]:
    """Ids of the annotations that label a person already labelled in the same image.

    Two non-crowd annotations of one image label the same person when they share at least
    ``min_shared`` labelled keypoint types and their OKS over those keypoints (MMPose's
    ``oks_iou`` with the mean of the two areas) is at least ``oks_thr``: one set of peaks then
    stands for both, and no bottom-up decoder can return that person twice. Of each such pair
    the annotation with fewer labelled keypoints (then the smaller area, then the higher id) is
    the duplicate. coco-mini has one pair in train2017 (ids 494068 and 2022546: OKS 0.65 over
    five keypoints) and one in val2017 (2161544 and 2161599: 0.89 over five); the closest
    labels of different people reach 0.11 (train2017, ten keypoints; val2017, five).
    """
    from mmpose.evaluation.functional.nms import oks_iou

    def same_person(a: dict, b: dict) -> bool:
        ka, kb = np.array(a['keypoints'], np.float64), np.array(b['keypoints'], np.float64)
        shared = int(((ka[2::3] > 0) & (kb[2::3] > 0)).sum())
        return shared >= min_shared and float(oks_iou(
            ka, kb[None], a['area'], np.array([b['area']]), vis_thr=0)[0]) >= oks_thr

    duplicates = []
    for anns in labelled_people(data).values():
        kept: List[dict] = []
        # the better label first: more keypoints, larger area, lower id
        for ann in sorted(anns, key=lambda a: (-a['num_keypoints'], -a['area'], a['id'])):
            if any(same_person(ann, other) for other in kept):
                duplicates.append(ann['id'])
            else:
                kept.append(ann)
    return duplicates


def tile_scenes(data: dict, num_scenes: Optional[int] = None, grid: int = 3, cell: int = 640,
                min_people: int = 20, max_people: int = 50, seed: int = 0,
                reuse_images: bool = False) -> dict:
    """Classroom-size scenes of ``grid x grid`` real COCO images (see the module docstring).

    Args:
        data (dict): a COCO keypoint annotation dict (``images``, ``annotations``).
        num_scenes (int, optional): scenes to build. Default: as many as the images with
            people fill without reuse (3 for coco-mini train2017: 27 of its 28 images).
        grid (int): images per side. Default 3.
        cell (int): cell size in pixels; scene size ``grid * cell``. Default 640 (COCO's
            long side: images keep their size).
        min_people, max_people (int): labelled people a scene must hold. Default 20, 50.
        seed (int): seed of the image draws. Default 0.
        reuse_images (bool): draw every scene's images afresh (an image may then appear in
            several scenes, e.g. for timing many scenes). Default False.

    Returns:
        dict: a COCO keypoint annotation dict of the scenes; each image has ``tiles``, a list
        of ``dict(file_name, x, y, scale)``.
    """
    duplicates = set(duplicate_labels(data))
    data = dict(data, annotations=[a for a in data['annotations'] if a['id'] not in duplicates])
    people = labelled_people(data)
    images = {im['id']: im for im in data['images']}
    candidates = sorted(people)
    per_scene = grid * grid
    if num_scenes is None:
        num_scenes = len(candidates) // per_scene
    if len(candidates) < per_scene * (1 if reuse_images else num_scenes) or num_scenes < 1:
        raise ValueError(f'tile_scenes: {len(candidates)} images with people cannot fill '
                         f'{num_scenes} scenes of {per_scene}')
    by_image: Dict[int, List[dict]] = {}
    for ann in data['annotations']:
        by_image.setdefault(ann['image_id'], []).append(ann)
    rng = np.random.default_rng(seed)

    def fits(chosen: np.ndarray) -> bool:
        return min_people <= sum(len(people[int(i)]) for i in chosen) <= max_people

    for _ in range(10000):
        if reuse_images:  # every scene drawn on its own until it fits
            draws = []
            for _ in range(num_scenes):
                chosen = rng.choice(candidates, per_scene, replace=False)
                for _ in range(10000):
                    if fits(chosen):
                        break
                    chosen = rng.choice(candidates, per_scene, replace=False)
                draws.append(chosen)
        else:
            order = rng.permutation(candidates)
            draws = [order[i * per_scene:(i + 1) * per_scene] for i in range(num_scenes)]
        if all(fits(chosen) for chosen in draws):
            break
    else:
        raise ValueError(f'tile_scenes: no draw of {per_scene} images per scene holds '
                         f'{min_people}-{max_people} people in every scene')
    scenes, annotations = [], []
    for scene_id, chosen in enumerate(draws, start=1):
        tiles = []
        for t, image_id in enumerate(chosen):
            image = images[int(image_id)]
            scale = cell / max(image['width'], image['height'])
            x0, y0 = (t % grid) * cell, (t // grid) * cell
            tiles.append(dict(file_name=image['file_name'], x=x0, y=y0, scale=scale))
            for ann in by_image[int(image_id)]:
                kpts = np.array(ann.get('keypoints', [0] * 51), np.float32).reshape(-1, 3)
                labelled = kpts[:, 2] > 0
                kpts[labelled, 0] = kpts[labelled, 0] * scale + x0
                kpts[labelled, 1] = kpts[labelled, 1] * scale + y0
                x, y, w, h = ann['bbox']
                annotations.append(dict(
                    id=len(annotations) + 1, image_id=scene_id, category_id=1,
                    iscrowd=ann.get('iscrowd', 0), num_keypoints=ann.get('num_keypoints', 0),
                    keypoints=kpts.ravel().tolist(), area=ann['area'] * scale ** 2,
                    bbox=[x * scale + x0, y * scale + y0, w * scale, h * scale]))
        scenes.append(dict(id=scene_id, file_name=f'classroom_{scene_id:04d}.jpg',
                           width=grid * cell, height=grid * cell, tiles=tiles))
    return dict(images=scenes, annotations=annotations,
                categories=copy.deepcopy(data.get('categories', [dict(id=1, name='person')])))


def render_scene(image: dict, img_dir: Path) -> np.ndarray:
    """The (H, W, 3) uint8 BGR pixels of a scene from :func:`tile_scenes` (black background)."""
    canvas = np.zeros((image['height'], image['width'], 3), np.uint8)
    for tile in image['tiles']:
        path = Path(img_dir) / tile['file_name']
        pixels = cv2.imread(str(path))
        if pixels is None:
            raise FileNotFoundError(f'render_scene: cannot read {path}')
        h, w = pixels.shape[:2]
        size = (max(1, round(w * tile['scale'])), max(1, round(h * tile['scale'])))
        pixels = cv2.resize(pixels, size, interpolation=cv2.INTER_AREA)
        ph = min(size[1], canvas.shape[0] - tile['y'])
        pw = min(size[0], canvas.shape[1] - tile['x'])
        canvas[tile['y']:tile['y'] + ph, tile['x']:tile['x'] + pw] = pixels[:ph, :pw]
    return canvas


def _blobs(shape: Tuple[int, int], centres: np.ndarray, sigma: float,
           amplitudes: np.ndarray) -> np.ndarray:
    """Max of Gaussian blobs (H, W) at ``centres`` (N, 2) (x, y) in pixels."""
    H, W = shape
    out = np.zeros((H, W), np.float32)
    ys, xs = np.arange(H, dtype=np.float32)[:, None], np.arange(W, dtype=np.float32)[None]
    for (cx, cy), amp in zip(centres, amplitudes):
        np.maximum(out, amp * np.exp(-((xs - cx) ** 2 + (ys - cy) ** 2) / (2 * sigma ** 2)),
                   out=out)
    return out


def degrade(codec, keypoints: np.ndarray, visible: np.ndarray,
            rng: np.random.Generator) -> np.ndarray:
    """Noisy-oracle heatmaps (K + B, H, W) of people ``keypoints`` (N, K, 2) in input pixels
    with ``visible`` (N, K) bool (the noise model is in the module docstring)."""
    K, B = codec.num_keypoints, codec.num_links
    W, H = codec.heatmap_size
    heatmaps = np.zeros((K + B, H, W), np.float32)
    for person, vis in zip(keypoints, visible):
        maps = codec.encode(person[None], vis[None])['heatmaps']
        gain = np.concatenate([rng.uniform(0.5, 1.0, K), rng.uniform(0.3, 0.9, B)])
        np.maximum(heatmaps, maps * gain[:, None, None].astype(np.float32), out=heatmaps)
    sigma_k = codec.sigma_k / float(codec.scale_factor.mean())
    points = codec.to_heatmap(keypoints) if len(keypoints) else np.zeros((0, K, 2))
    adjacency, _ = skeleton_graph(K, codec.skeleton_links)
    for k in range(K):  # ghosts of type k at a skeleton neighbour of the same person
        ghosts = []
        for person, vis in zip(points, visible):
            neighbours = np.nonzero(adjacency[k] & vis)[0]
            if vis[k] and len(neighbours) and rng.random() < 0.15:
                ghosts.append(person[rng.choice(neighbours)])
        if ghosts:
            heatmaps[k] = np.maximum(heatmaps[k], _blobs(
                (H, W), np.array(ghosts), sigma_k, rng.uniform(0.1, 0.4, len(ghosts))))
    rate = 0.5 + 0.2 * len(keypoints)
    for c in range(K + B):  # random spurious blobs on every channel
        n = rng.poisson(rate)
        if n:
            centres = rng.uniform([0, 0], [W - 1, H - 1], (n, 2))
            heatmaps[c] = np.maximum(heatmaps[c], _blobs((H, W), centres, sigma_k,
                                                         rng.uniform(0.1, 0.5, n)))
    heatmaps = np.stack([cv2.GaussianBlur(m, (0, 0), 1.0) for m in heatmaps])
    heatmaps += rng.normal(0, 0.02, heatmaps.shape).astype(np.float32)
    return np.clip(heatmaps, 0, None)


def oracle_predictions(data: dict, codec_cfg: Optional[dict] = None, noisy: bool = False,
                       seed: int = 0) -> Tuple[List[dict], Dict[int, int]]:
    """Encode every image's annotations at stride 4 of the image, decode them back.

    Args:
        data (dict): COCO keypoint annotation dict.
        codec_cfg (dict, optional): ``BKPoseHeatmap`` settings (sizes are set per image).
        noisy (bool): degrade the targets with :func:`degrade` first. Default False.
        seed (int): seed of the noise. Default 0.

    Returns:
        tuple: COCO result dicts, and the number of people decoded per image id.
    """
    from posezoo.pose.bkpose import BKPoseHeatmap
    settings = {k: v for k, v in (codec_cfg or {}).items()
                if k not in ('type', 'input_size', 'heatmap_size')}
    people = labelled_people(data)
    rng = np.random.default_rng(seed)
    results, decoded = [], {}
    for image in data['images']:
        anns = people.get(image['id'], [])
        heatmap_size = (-(-image['width'] // 4), -(-image['height'] // 4))
        codec = BKPoseHeatmap(input_size=(4 * heatmap_size[0], 4 * heatmap_size[1]),
                              heatmap_size=heatmap_size, **settings)
        raw = np.array([a['keypoints'] for a in anns], np.float32).reshape(
            -1, codec.num_keypoints, 3)
        if noisy:
            heatmaps = degrade(codec, raw[..., :2], raw[..., 2] > 0, rng)
        else:
            heatmaps = codec.encode(raw[..., :2], raw[..., 2] > 0)['heatmaps']
        keypoints, scores, instance_scores = codec.decode(heatmaps)
        decoded[image['id']] = len(keypoints)
        for kpts, kpt_scores, score in zip(keypoints, scores, instance_scores):
            results.append(dict(image_id=image['id'], category_id=1, score=float(score),
                                keypoints=np.concatenate([kpts, kpt_scores[:, None]],
                                                         1).ravel().tolist()))
    return results, decoded


def keypoint_ap(data: dict, results: List[dict], max_dets: int = 100) -> Tuple[float, float]:
    """COCO keypoint AP and AP50 (area 'all') with ``max_dets`` detections per image."""
    coco = COCO()
    coco.dataset = copy.deepcopy(data)
    coco.createIndex()
    if not results:
        return 0.0, 0.0
    coco_eval = COCOeval(coco, coco.loadRes(copy.deepcopy(results)), 'keypoints', use_area=True)
    coco_eval.params.useSegm = None
    coco_eval.params.maxDets = [max_dets]
    coco_eval.evaluate()
    coco_eval.accumulate()
    precision = coco_eval.eval['precision'][:, :, 0, 0, -1]  # (T, R): all areas, max_dets

    def mean(p: np.ndarray) -> float:
        p = p[p > -1]
        return float(p.mean()) if p.size else -1.0

    return mean(precision), mean(precision[0])


def main() -> None:
    parser = argparse.ArgumentParser(description='BK-Pose oracle AP on classroom scenes')
    parser.add_argument('--ann-file', default=str(COCO_MINI / 'annotations' /
                                                  'person_keypoints_train2017.json'))
    parser.add_argument('--scenes', type=int, default=None,
                        help='default: every image with people once')
    parser.add_argument('--noisy', action='store_true', help='noisy oracle')
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()
    import json
    scenes = tile_scenes(json.loads(Path(args.ann_file).read_text()), args.scenes,
                         seed=args.seed)
    results, decoded = oracle_predictions(scenes, noisy=args.noisy, seed=args.seed)
    people = labelled_people(scenes)
    for image in scenes['images']:
        print(f"{image['file_name']}: {len(people.get(image['id'], []))} people labelled, "
              f"{decoded[image['id']]} decoded")
    ap, ap50 = keypoint_ap(scenes, results)
    print(f"{'noisy ' if args.noisy else ''}oracle on {len(scenes['images'])} classroom scenes: "
          f'COCO AP {ap:.4f} (AP50 {ap50:.4f}, maxDets 100)')


if __name__ == '__main__':
    main()
