"""Pose tracking (Hungarian matching on IoU / OKS, track birth and death), checked against
ground-truth people of a real COCO image; IoU / OKS as torchvision / MMPose compute them."""
import json

import numpy as np
import pytest

from posezoo.action.skeleton.pose_tracking import (
    PoseTracker,
    box_iou,
    pose_bboxes,
    pose_oks,
    track_poses,
    tracks_to_arrays,
)

COCO_SIGMAS = np.array([.026, .025, .025, .035, .035, .079, .079, .072, .072, .062, .062, .107,
                        .107, .087, .087, .089, .089])


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
    assert pose_oks(kpts, scores, kpts, scores)[0, 0] == pytest.approx(1.0)
    # both keypoint boxes are 16 x 4 (min height 4): scale = mean area = 64
    moved = kpts + np.array([3.0, 0.0], dtype=np.float32)
    expected = np.exp(-9 / (2 * 64 * (2 * COCO_SIGMAS) ** 2)).mean()
    assert pose_oks(moved, scores, kpts, scores)[0, 0] == pytest.approx(expected, rel=1e-5)


def test_oks_scale_and_visibility_follow_mmpose():
    """Where the former own OKS differed: the scale is the mean of both boxes' areas (it took
    the reference pose's only) and only keypoints visible in both poses count."""
    kpts = np.zeros((1, 17, 2), dtype=np.float32)
    kpts[0, :, 0], kpts[0, :, 1] = np.linspace(0, 20, 17), np.linspace(0, 40, 17)  # 20 x 40 box
    big = kpts * 1.5  # 30 x 60 box, every keypoint but the first moved
    scores = np.ones((1, 17), dtype=np.float32)
    d2 = ((big - kpts) ** 2).sum(-1)[0]
    area = (20 * 40 + 30 * 60) / 2
    expected = np.exp(-d2 / (2 * area * (2 * COCO_SIGMAS) ** 2)).mean()
    assert pose_oks(big, scores, kpts, scores)[0, 0] == pytest.approx(expected, rel=1e-5)
    old_value = np.exp(-d2 / (2 * 20 * 40 * (2 * COCO_SIGMAS) ** 2)).mean()  # area of kpts only
    print(f'OKS of a pose and its 1.5x copy: {expected:.4f} (MMPose oks_iou), '
          f'{old_value:.4f} (former own code)')
    assert abs(expected - old_value) > 0.05
    # keypoints hidden in the reference pose no longer count
    half = scores.copy()
    half[0, 9:] = 0
    # the reference box now spans its visible keypoints only (10 x 20); the other is 30 x 60
    area_half = (np.ptp(kpts[0, :9, 0]) * np.ptp(kpts[0, :9, 1]) + 30 * 60) / 2
    exp_half = np.exp(-d2[:9] / (2 * area_half * (2 * COCO_SIGMAS[:9]) ** 2)).mean()
    assert pose_oks(big, scores, kpts, half)[0, 0] == pytest.approx(exp_half, rel=1e-5)
    with pytest.raises(ValueError, match='sigmas'):
        pose_oks(kpts[:, :5], scores[:, :5], kpts[:, :5], scores[:, :5])


def test_hungarian_matching_beats_greedy(monkeypatch):
    """Similarities where greedy matching (best pair first) loses a person: detection 0 is most
    like track 0, but detection 1 only looks like track 0; the optimal assignment is crossed."""
    tracker = PoseTracker(match_thr=0.3)
    pose = np.zeros((2, 17, 2), dtype=np.float32)
    pose[1] += 100
    ones = np.ones((2, 17), dtype=np.float32)
    assert tracker.update(pose, ones) == [0, 1]
    sim = np.array([[0.9, 0.8], [0.85, 0.1]], dtype=np.float32)  # (detections, tracks)
    monkeypatch.setattr(tracker, 'similarity', lambda *args: sim)
    assert tracker.update(pose, ones) == [1, 0]  # greedy would give [0, new track 2]
    assert len(tracker.tracks()) == 2


def test_track_birth_and_death():
    pose = np.zeros((1, 17, 2), dtype=np.float32)
    pose[0, :, 0], pose[0, :, 1] = np.linspace(0, 50, 17), np.linspace(0, 100, 17)
    ones = np.ones((1, 17), dtype=np.float32)
    blip = pose + 1000
    tracker = PoseTracker(max_lost=2, min_hits=3)
    for t in range(10):
        kpts, scores = (pose, ones)
        if t == 4:  # a one-frame false detection far away
            kpts, scores = np.concatenate([pose, blip]), np.concatenate([ones, ones])
        if 5 <= t <= 7:  # the person is missed for 3 frames > max_lost: the track dies
            kpts, scores = np.zeros((0, 17, 2), np.float32), np.zeros((0, 17), np.float32)
        tracker.update(kpts, scores)
    tracks = tracker.tracks()
    assert [tr['frames'] for tr in tracks] == [[0, 1, 2, 3, 4]]  # blip and 2-frame rebirth dropped
    tracker.update(pose, ones)  # frame 10: the reborn track reaches min_hits
    assert [tr['frames'] for tr in tracker.tracks()] == [[0, 1, 2, 3, 4], [8, 9, 10]]
    assert [tr['id'] for tr in tracker.tracks()] == [0, 2]  # id 1 was the blip


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
