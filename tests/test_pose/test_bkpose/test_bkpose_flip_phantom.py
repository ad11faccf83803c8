"""BK-Pose decoding on real COCO people: flip test alignment and no phantom people.

* Flip: the flip-averaged targets of a real image (the image's targets, and the targets of the
  mirrored image mirrored back by the head's ``flip_average``) decode to the same keypoints as
  the targets alone, within 0.1 px. Under the former convention (heatmap pixel j = input 4j)
  the head's mirroring about the heatmap centre moved x by 1.5 px.
* Phantoms: a one-person real image decodes to one person, from its targets and from noisy
  targets (``tools/analysis/classroom_scenes.py``'s noise model: spurious and ghost peaks,
  weakened limbs, blur); an empty image to none.
"""
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope

import posezoo.pose  # noqa: F401
from posezoo.pose.bkpose import BKPoseHead, BKPoseHeatmap

# the bundled one-person train images whose labelled keypoints form one skeleton (in
# 000000551757.jpg only the face and one wrist are labelled, four hops apart: its targets hold
# two unconnected parts, which no grouping can join from the maps alone)
ONE_PERSON = ('000000030752.jpg', '000000069468.jpg', '000000183872.jpg', '000000214704.jpg')


def _annotations(coco_sample: Path, file_name: str):
    """(N, 17, 3) keypoints and (width, height) of a bundled train2017 image."""
    coco = json.loads((coco_sample / 'annotations' / 'person_keypoints_train2017.json')
                      .read_text())
    image = next(im for im in coco['images'] if im['file_name'] == file_name)
    raw = np.array([a['keypoints'] for a in coco['annotations']
                    if a['image_id'] == image['id'] and a['num_keypoints'] > 0],
                   np.float32).reshape(-1, 17, 3)
    return raw, (image['width'], image['height'])


def _codec(size) -> BKPoseHeatmap:
    """The model's geometry: heatmaps at stride 4 of the (padded) image."""
    heatmap_size = (-(-size[0] // 4), -(-size[1] // 4))
    return BKPoseHeatmap((4 * heatmap_size[0], 4 * heatmap_size[1]), heatmap_size)


@pytest.mark.parametrize('file_name', ['000000488571.jpg', '000000030752.jpg'])
def test_flip_test_lines_up(coco_sample: Path, file_name: str):
    init_default_scope('mmpose')
    raw, size = _annotations(coco_sample, file_name)
    codec = _codec(size)
    head = BKPoseHead(in_channels=(8, ), num_stacks=1, decoder=dict(
        type='BKPoseHeatmap', input_size=codec.input_size, heatmap_size=codec.heatmap_size))
    width = codec.input_size[0]
    visible = raw[..., 2] > 0
    mirrored = raw[:, codec.flip_indices].copy()  # the people of the mirrored image
    mirrored[..., 0] = width - 1 - mirrored[..., 0]
    heatmaps = codec.encode(raw[..., :2], visible)['heatmaps']
    flipped = codec.encode(mirrored[..., :2], mirrored[..., 2] > 0)['heatmaps']
    averaged = head.flip_average(torch.from_numpy(heatmaps)[None],
                                 torch.from_numpy(flipped)[None])[0]
    plain, plain_scores, _ = codec.decode(heatmaps)
    flip, flip_scores, _ = codec.decode(averaged)
    assert len(plain) == len(flip) == len(raw)
    order_plain, order_flip = np.argsort(plain[:, :, 0].max(1)), np.argsort(flip[:, :, 0].max(1))
    plain, flip = plain[order_plain], flip[order_flip]
    found = plain_scores[order_plain] > 0
    assert np.array_equal(found, flip_scores[order_flip] > 0)
    err = np.abs(plain - flip)[found].max()
    print(f'{file_name}: {len(raw)} people, flip test moves keypoints by at most {err:.4f} px')
    assert err < 0.1


@pytest.mark.parametrize('file_name', ONE_PERSON)
def test_one_person_decodes_to_one_person(coco_sample: Path, classroom, file_name: str):
    raw, size = _annotations(coco_sample, file_name)
    assert len(raw) == 1
    codec = _codec(size)
    clean = codec.encode(raw[..., :2], raw[..., 2] > 0)['heatmaps']
    assert len(codec.decode(clean)[0]) == 1
    counts = [len(codec.decode(classroom.degrade(codec, raw[..., :2], raw[..., 2] > 0,
                                                 np.random.default_rng(seed)))[0])
              for seed in range(5)]
    print(f'{file_name}: noisy targets (5 seeds) decode to {counts} people')
    assert counts == [1] * 5


def test_empty_image_decodes_to_nobody(classroom):
    codec = _codec((640, 480))
    empty = np.zeros((0, 17, 2), np.float32)
    assert len(codec.decode(codec.encode(empty, np.zeros((0, 17)))['heatmaps'])[0]) == 0
    noisy = classroom.degrade(codec, empty, np.zeros((0, 17), bool), np.random.default_rng(0))
    assert len(codec.decode(noisy)[0]) == 0
