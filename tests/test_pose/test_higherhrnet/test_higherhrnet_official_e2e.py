"""End-to-end inference parity with the official HigherHRNet test path (``tools/valid.py``).

The fixture folders (env ``POSEZOO_HIGHERHRNET_E2E_FIXTURE``, several separated by ``:``; default
``../shared/fixtures/higherhrnet-official-e2e`` and ``higherhrnet-official-e2e-more``, 13 images;
see ``../shared/README.md``) hold, per image, the
official resized input, the network outputs the official code was fed (for the image and its
mirror) and the official final predictions. posezoo's real test path runs on the image file
(``posezoo.apis.inference``: the W32-512 config's test pipeline, ``BottomupPoseEstimator`` with
flip test, ``HigherHRNetHead``, the codec, the back-projection to the image) with only the network
replaced by the recorded outputs. Per image: the resized input within 1 grey level, the same
number of people, every official keypoint with score > 0 within 0.01 px and its score within
1e-3, person scores within 1e-3, and the COCO keypoint AP of both prediction sets against the
fixture's ``annotations.json`` within 1e-4.
"""
import contextlib
import io
import json
from pathlib import Path
from typing import Dict, List, Tuple

import numpy as np
import pytest
import torch
from mmpose.datasets.datasets.utils import parse_pose_metainfo
from mmpose.utils import register_all_modules
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval
from torch import Tensor, nn

import posezoo.pose  # noqa: F401  (registers the HigherHRNet modules)
from posezoo.apis import inference, init_model

CONFIG = 'configs/body_2d_keypoint/higherhrnet/coco/higherhrnet_hrnet-w32_8xb24-300e_coco-512x512.py'
COCO_META = 'configs/_base_/datasets/coco.py'  # MMPose's COCO metainfo


class RecordedNetwork(nn.Module):
    """Stands in for backbone + head: returns the recorded outputs ``[1/4, 1/2]`` of the image
    or of its mirror, whichever input it is given (recognised by comparing with the official
    network input)."""

    def __init__(self, image: np.ndarray, outputs: List[Tensor], outputs_flip: List[Tensor],
                 mean: np.ndarray, std: np.ndarray) -> None:
        super().__init__()
        normalised = (image.astype(np.float32) - mean) / std
        self.expected = torch.from_numpy(normalised).permute(2, 0, 1)[None]
        self.outputs, self.outputs_flip = outputs, outputs_flip
        self.calls: List[str] = []

    def forward(self, inputs: Tensor) -> List[Tensor]:
        if inputs.shape != self.expected.shape:
            raise AssertionError(f'network input {tuple(inputs.shape)} is not the official '
                                 f'{tuple(self.expected.shape)}')
        dist = (inputs - self.expected).abs().mean().item()
        dist_flip = (inputs - self.expected.flip(-1)).abs().mean().item()
        flipped = dist_flip < dist
        self.calls.append('flip' if flipped else 'image')
        return self.outputs_flip if flipped else self.outputs


def _coco_results(image_id: int, keypoints: np.ndarray, keypoint_scores: np.ndarray,
                  scores: np.ndarray) -> List[dict]:
    return [
        dict(image_id=image_id, category_id=1, score=float(s),
             keypoints=np.concatenate((k, ks[:, None]), axis=1).reshape(-1).tolist())
        for k, ks, s in zip(keypoints, keypoint_scores, scores)
    ]


def _coco_ap(coco: COCO, image_id: int, results: List[dict]) -> float:
    """COCO keypoint AP of ``results`` on one image (pycocotools defaults)."""
    if not results:
        return 0.0
    with contextlib.redirect_stdout(io.StringIO()):
        dets = coco.loadRes(results)
        evaluator = COCOeval(coco, dets, 'keypoints')
        evaluator.params.imgIds = [image_id]
        evaluator.evaluate()
        evaluator.accumulate()
        evaluator.summarize()
    return float(evaluator.stats[0])


@pytest.fixture(scope='module')
def model(repo_root: Path) -> nn.Module:
    register_all_modules()
    model = init_model(str(repo_root / CONFIG), device='cpu')
    model.dataset_meta = parse_pose_metainfo(dict(from_file=COCO_META))
    model.head.forward = lambda feats: feats  # the recorded outputs are the head's outputs
    return model


def _load(fixture: Path, entry: dict) -> Dict[str, np.ndarray]:
    path = fixture / (Path(entry['file_name']).stem + '.npz')
    if not path.exists():
        raise FileNotFoundError(f'e2e fixture file missing: {path}')
    return dict(np.load(path))


def _match_people(official: np.ndarray, ours: np.ndarray, scores: np.ndarray,
                  official_scores: np.ndarray, our_scores: np.ndarray
                  ) -> Tuple[np.ndarray, float]:
    """Index of our person for each official one and the max distance over the official
    keypoints with score > 0. The order is kept when it already matches (keypoints within
    0.01 px, person scores within 1e-3: the official code returns people with the same
    keypoints more than once, told apart by their scores); otherwise each official person
    takes our closest one (max keypoint distance plus person score difference)."""
    found = scores > 0
    # (N_official, N_ours) max distance over the official found keypoints
    dist = np.linalg.norm(official[:, None] - ours[None], axis=-1)
    dist = np.where(found[:, None], dist, 0).max(-1)
    score_dist = np.abs(official_scores[:, None] - our_scores[None])
    same = np.arange(len(official))
    if len(official) == len(ours) and (dist[same, same] <= 0.01).all() and (
            score_dist[same, same] <= 1e-3).all():
        return same, float(dist[same, same].max(initial=0.0))
    order = (dist + score_dist).argmin(1)
    return order, float(dist[np.arange(len(order)), order].max(initial=0.0))


def test_official_e2e_parity(e2e_fixtures: List[Path], model: nn.Module) -> None:
    failures = [failure for folder in e2e_fixtures for failure in _check_folder(folder, model)]
    assert not failures, '; '.join(failures)


def _check_folder(e2e_fixture: Path, model: nn.Module) -> List[str]:
    """The parity checks on every image of one fixture folder; the failures found."""
    index = json.loads((e2e_fixture / 'index.json').read_text())['images']
    with contextlib.redirect_stdout(io.StringIO()):
        coco = COCO(str(e2e_fixture / 'annotations.json'))
    preprocessor = model.data_preprocessor
    mean = preprocessor.mean.view(-1).numpy()
    std = preprocessor.std.view(-1).numpy()
    failures = []
    for entry in index:
        data = _load(e2e_fixture, entry)
        name = entry['file_name']
        outputs = [torch.from_numpy(data['output_quarter']), torch.from_numpy(data['output_half'])]
        outputs_flip = [torch.from_numpy(data['output_quarter_flip']),
                        torch.from_numpy(data['output_half_flip'])]
        network = RecordedNetwork(data['image_resized'], outputs, outputs_flip, mean, std)
        model.backbone = network
        sample = inference(model, str(e2e_fixture / name))
        assert network.calls == ['image', 'flip'], f'{name}: network calls {network.calls}'

        # the resized input: our pipeline's network input against the official one
        ours_input = _network_input(model, e2e_fixture / name)
        grey = np.abs(ours_input.astype(np.int16) - data['image_resized'].astype(np.int16))
        assert ours_input.shape == data['image_resized'].shape, (
            f'{name}: input {ours_input.shape}, official {data["image_resized"].shape}')

        pred = sample.pred_instances
        keypoints, keypoint_scores = pred.keypoints, pred.keypoint_scores
        scores = pred.bbox_scores
        off_kpts, off_kscores = data['keypoints'], data['keypoint_scores']
        off_scores = data['instance_scores']
        ap_official = _coco_ap(coco, entry['image_id'],
                               _coco_results(entry['image_id'], off_kpts, off_kscores, off_scores))
        ap_ours = _coco_ap(coco, entry['image_id'],
                           _coco_results(entry['image_id'], keypoints, keypoint_scores, scores))
        if len(keypoints) != len(off_kpts):
            failures.append(f'{name}: {len(keypoints)} people, official {len(off_kpts)}')
            print(f'{name}: {len(keypoints)} people (official {len(off_kpts)}), '
                  f'AP official {ap_official:.4f} posezoo {ap_ours:.4f}')
            continue
        order, max_dist = _match_people(off_kpts, keypoints, off_kscores, off_scores, scores)
        found = off_kscores > 0
        score_err = np.abs(keypoint_scores[order] - off_kscores)[found].max(initial=0.0)
        person_err = np.abs(scores[order] - off_scores).max(initial=0.0)
        in_order = bool((order == np.arange(len(order))).all())
        print(f'{name}: input max {grey.max()} grey levels; {len(keypoints)} people '
              f'({"same order" if in_order else "reordered"}), {int(found.sum())} keypoints; '
              f'max distance {max_dist:.5f} px, keypoint score err {score_err:.2e}, person '
              f'score err {person_err:.2e}; AP official {ap_official:.4f} posezoo {ap_ours:.4f}')
        if grey.max() > 1:
            failures.append(f'{name}: input differs by {grey.max()} grey levels')
        if len(set(order.tolist())) != len(order):
            failures.append(f'{name}: two official people matched to one of ours')
        if max_dist > 0.01:
            failures.append(f'{name}: keypoints off by {max_dist:.4f} px')
        if score_err > 1e-3:
            failures.append(f'{name}: keypoint scores off by {score_err:.2e}')
        if person_err > 1e-3:
            failures.append(f'{name}: person scores off by {person_err:.2e}')
        if abs(ap_ours - ap_official) > 1e-4:
            failures.append(f'{name}: AP {ap_ours:.4f}, official {ap_official:.4f}')
    return failures


def _network_input(model: nn.Module, image_path: Path) -> np.ndarray:
    """The test pipeline's resized image (RGB uint8), before normalisation."""
    from mmengine.dataset import Compose
    from mmengine.registry import DefaultScope
    with DefaultScope.overwrite_default_scope('mmpose'):
        pipeline = Compose(model.cfg.test_dataloader.dataset.pipeline[:-1])
        results = pipeline(dict(img_path=str(image_path)))
    return np.ascontiguousarray(results['img'][..., ::-1])
