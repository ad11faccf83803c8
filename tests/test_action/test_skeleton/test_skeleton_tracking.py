"""Greedy IoU / OKS pose tracking, checked against ground-truth people of a real COCO image."""
import json

import numpy as np
import pytest

from posezoo.action.skeleton.pose_tracking import (box_iou, pose_bboxes, pose_oks, track_poses,
                                                   tracks_to_arrays)


def _coco_people(coco_sample, file_name='000000488571.jpg'):
    ann = json.loads((coco_sample / 'annotations' / 'person_keypoints_train2017.json').read_text())
    image_id = next(i['id'] for i in ann['images'] if i['file_name'] == file_name)
    people = [a for a in ann['annotations']
              if a['image_id'] == image_id and a['num_keypoints'] >= 5]
    kpts = np.array([a['keypoints'] for a in people], dtype=np.float32).reshape(-1, 17, 3)
    return kpts[..., :2], (kpts[..., 2] > 0).astype(np.float32)


def test_box_iou_and_oks_hand_values():
    a = np.array([[0, 0, 2, 2]], dtype=np.float32)
    b = np.array([[1, 1, 3, 3], [0, 0, 2, 2], [5, 5, 6, 6]], dtype=np.float32)
    np.testing.assert_allclose(box_iou(a, b), [[1 / 7, 1.0, 0.0]])
    kpts = np.zeros((1, 17, 2), dtype=np.float32)
    kpts[0, :, 0] = np.arange(17)
    scores = np.ones((1, 17), dtype=np.float32)
    np.testing.assert_allclose(pose_bboxes(kpts, scores), [[0, -2, 16, 2]])  # min height 4
    np.testing.assert_allclose(pose_bboxes(kpts, scores, min_size=0), [[0, 0, 16, 0]])
    boxes = np.array([[0, 0, 10, 10]], dtype=np.float32)
    assert pose_oks(kpts, scores, kpts, boxes)[0, 0] == pytest.approx(1.0)
    moved = kpts + np.array([3.0, 0.0], dtype=np.float32)
    sigmas = np.array([.026, .025, .025, .035, .035, .079, .079, .072, .072, .062, .062, .107,
                       .107, .087, .087, .089, .089])
    expected = np.exp(-9 / (2 * 100 * (2 * sigmas) ** 2)).mean()
    assert pose_oks(moved, scores, kpts, boxes)[0, 0] == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize('metric', ['iou', 'oks'])
def test_tracks_follow_real_people_through_a_pan(coco_sample, metric):
    kpts, vis = _coco_people(coco_sample)
    assert len(kpts) == 2
    rng = np.random.default_rng(0)
    frames, identities = [], []
    for t in range(12):
        shift = np.array([4.0 * t, -2.0 * t], dtype=np.float32)  # camera pan
        order = rng.permutation(len(kpts))  # detector output order is arbitrary
        if t == 5:
            order = order[order != 1]  # person 1 missed for one frame
        det = (kpts[order] + shift + rng.normal(0, 1.0, size=kpts[order].shape)) * vis[order, ..., None]
        frames.append((det.astype(np.float32), vis[order]))
        identities.append(order)
    tracks = track_poses(frames, metric=metric, match_thr=0.3, max_lost=3)
    assert len(tracks) == 2
    for track in tracks:
        owners = set()  # which real person each tracked pose is
        for t, k in zip(track['frames'], track['keypoints']):
            idx = int(np.argmin([np.abs(k - d).sum() for d in frames[t][0]]))
            owners.add(int(identities[t][idx]))
        assert len(owners) == 1
    lengths = sorted(len(tr['frames']) for tr in tracks)
    assert lengths == [11, 12]
    keypoint, score = tracks_to_arrays(tracks, 12, 17)
    assert keypoint.shape == (2, 12, 17, 2) and score.shape == (2, 12, 17)
    missing = [m for m in range(2) if score[m, 5].sum() == 0]
    assert len(missing) == 1 and keypoint[missing[0], 5].sum() == 0


def test_new_track_after_max_lost_and_ranking():
    pose = np.zeros((1, 17, 2), dtype=np.float32)
    pose[0, :, 0], pose[0, :, 1] = np.linspace(0, 50, 17), np.linspace(0, 100, 17)
    strong, weak = np.ones((1, 17), np.float32), np.full((1, 17), 0.2, np.float32)
    empty = (np.zeros((0, 17, 2), np.float32), np.zeros((0, 17), np.float32))
    far = pose + 500
    frames = [(np.concatenate([pose, far]), np.concatenate([weak, strong]))] + [empty] * 3 + \
        [(pose, weak)]
    assert len(track_poses(frames, max_lost=3)) == 2  # the gap of 3 frames is bridged
    tracks = track_poses(frames, max_lost=2)
    assert len(tracks) == 3  # the gap is too long: a new track
    keypoint, score = tracks_to_arrays(tracks, 5, 17, max_persons=2)
    assert keypoint.shape == (2, 5, 17, 2)
    # ranked by summed mean score: the strong far person first (1.0), then a weak one (0.2)
    np.testing.assert_allclose(keypoint[0, 0], far[0])
    assert score[1].sum() == pytest.approx(0.2 * 17)
    empty_kpt, empty_score = tracks_to_arrays([], 4, 17)
    assert empty_kpt.shape == (1, 4, 17, 2) and not empty_score.any()
    with pytest.raises(ValueError, match='metric'):
        track_poses(frames, metric='giou')
