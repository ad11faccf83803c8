"""Synthetic skeleton action data: a kinematic body performing four actions.

A 3D stick body (unit height, y down, z towards the camera negative) is driven by joint angles
(shoulder abduction / flexion, elbow, hip, knee flexion, torso lean) that follow one of four
actions with random speed, amplitude, speed changes and idle sway; the feet stay on the ground.
The body is turned by a random yaw, projected orthographically into a 640 x 480 image at a random
position and size, and observed with landmark noise and missing keypoints. The 33 MediaPipe Pose
landmarks are produced (for the seed text format); COCO-17 is their subset
(:data:`MEDIAPIPE_TO_COCO`).
"""
from typing import Dict, List, Optional, Tuple

import numpy as np

ACTIONS = ('HANDSWING', 'ARMRAISE', 'SQUAT', 'WALK')
IMG_SHAPE = (480, 640)  # (h, w)
# MediaPipe-33 index of every COCO-17 keypoint.
MEDIAPIPE_TO_COCO = [0, 2, 5, 7, 8, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28]
# Body proportions (units of body height).
_HIP_W, _SHOULDER_W, _TORSO, _HEAD = 0.09, 0.12, 0.30, 0.13
_UPPER_ARM, _FOREARM, _HAND = 0.17, 0.15, 0.05
_THIGH, _SHIN = 0.245, 0.245
# Face landmarks relative to the head centre: (index, (x, y, z)); x of the person's left > 0.
_FACE = [(0, (0.0, 0.015, -0.09)), (1, (0.015, -0.01, -0.075)), (2, (0.03, -0.01, -0.07)),
         (3, (0.045, -0.01, -0.06)), (4, (-0.015, -0.01, -0.075)), (5, (-0.03, -0.01, -0.07)),
         (6, (-0.045, -0.01, -0.06)), (7, (0.07, 0.0, 0.0)), (8, (-0.07, 0.0, 0.0)),
         (9, (0.025, 0.045, -0.07)), (10, (-0.025, 0.045, -0.07))]


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-8)


def _action_angles(action: str, phase: np.ndarray, rng: np.random.Generator) -> Dict[str, np.ndarray]:
    """Joint angles (radians, shape (T,)) of one action at the given phases."""
    t = len(phase)
    c, s = (1 - np.cos(phase)) / 2, np.sin(phase)
    zero = np.zeros(t)
    rest_abd = rng.uniform(0.08, 0.2)
    ang = dict(l_abd=zero + rest_abd, r_abd=zero + rest_abd, l_flex=zero.copy(),
               r_flex=zero.copy(), l_elbow=zero + 0.15, r_elbow=zero + 0.15, l_hip=zero.copy(),
               r_hip=zero.copy(), l_knee=zero.copy(), r_knee=zero.copy(), lean=zero.copy())
    if action == 'HANDSWING':
        amp = rng.uniform(0.7, 1.3)
        ang['l_flex'], ang['r_flex'] = amp * s, -amp * s
        ang['l_elbow'] = ang['r_elbow'] = 0.2 + 0.2 * c
    elif action == 'ARMRAISE':
        amp = rng.uniform(2.0, 2.9)
        key = 'abd' if rng.random() < 0.7 else 'flex'  # lateral or frontal raise
        ang[f'l_{key}'] = ang[f'l_{key}'] + amp * c
        ang[f'r_{key}'] = ang[f'r_{key}'] + amp * c
        ang['l_elbow'] = ang['r_elbow'] = zero + rng.uniform(0.0, 0.3)
    elif action == 'SQUAT':
        hip = rng.uniform(1.0, 1.6) * c
        ang['l_hip'] = ang['r_hip'] = hip
        ang['l_knee'] = ang['r_knee'] = np.minimum(1.8 * hip, 2.3)
        ang['lean'] = 0.45 * hip
        arms = rng.uniform(0.2, 1.4) * c  # arms forward for balance, more or less
        ang['l_flex'], ang['r_flex'] = arms, arms.copy()
    elif action == 'WALK':
        amp = rng.uniform(0.6, 1.2)
        ang['l_hip'], ang['r_hip'] = amp * np.maximum(s, 0), amp * np.maximum(-s, 0)
        ang['l_knee'], ang['r_knee'] = 1.6 * ang['l_hip'], 1.6 * ang['r_hip']
        arms = rng.uniform(0.2, 0.6)
        ang['l_flex'], ang['r_flex'] = -arms * s, arms * s
        ang['l_elbow'] = ang['r_elbow'] = zero + 0.3
    else:
        raise KeyError(f'Unknown action {action!r}; expected one of {ACTIONS}')
    for key in ang:  # idle sway: slow, small random wobble of every angle
        f, p = rng.uniform(0.02, 0.08), rng.uniform(0, 2 * np.pi)
        ang[key] = ang[key] + 0.05 * np.sin(2 * np.pi * f * np.arange(t) + p)
    return ang


def _body_3d(ang: Dict[str, np.ndarray], size: np.ndarray) -> np.ndarray:
    """The 33 landmarks in body space, shape (T, 33, 3), for joint angles of shape (T,).

    ``size`` (4,) scales shoulder width, torso, arm and leg lengths (per person).
    """
    t = len(ang['lean'])
    pts = np.zeros((t, 33, 3))
    sw, torso, arm, leg = size
    up = np.stack([np.zeros(t), -np.cos(ang['lean']), -np.sin(ang['lean'])], -1)
    shoulder_mid = _TORSO * torso * up
    head = shoulder_mid + _HEAD * up
    for idx, off in _FACE:
        pts[:, idx] = head + np.asarray(off)
    fwd = np.array([0.0, 0.0, -1.0])
    for side, name, (sh, el, wr, pi, ix, th, hp, kn, an, he, fo) in (
            (1.0, 'l', (11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31)),
            (-1.0, 'r', (12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32))):
        a, f, e = ang[f'{name}_abd'], ang[f'{name}_flex'], ang[f'{name}_elbow']
        upper = np.stack([side * np.sin(a) * np.cos(f), np.cos(a) * np.cos(f), -np.sin(f)], -1)
        perp = fwd - (upper @ fwd)[:, None] * upper
        degenerate = np.linalg.norm(perp, axis=-1, keepdims=True) < 0.3
        perp = np.where(degenerate, np.array([0.0, -1.0, 0.0]), perp)
        perp = _unit(perp - (perp * upper).sum(-1, keepdims=True) * upper)
        fore = _unit(np.cos(e)[:, None] * upper + np.sin(e)[:, None] * perp)
        pts[:, sh] = shoulder_mid + np.array([side * _SHOULDER_W * sw, 0, 0])
        pts[:, el] = pts[:, sh] + _UPPER_ARM * arm * upper
        pts[:, wr] = pts[:, el] + _FOREARM * arm * fore
        hand = pts[:, wr] + _HAND * arm * fore
        pts[:, pi] = hand + np.array([side * 0.015, 0, 0])
        pts[:, ix] = hand - np.array([side * 0.005, 0, 0])
        pts[:, th] = pts[:, wr] + 0.6 * _HAND * arm * fore - np.array([side * 0.02, 0, 0.01])
        h, k = ang[f'{name}_hip'], ang[f'{name}_knee']
        thigh = _unit(np.stack([np.full(t, side * 0.05), np.cos(h), -np.sin(h)], -1))
        shin = _unit(np.stack([np.full(t, side * 0.02), np.cos(h - k), -np.sin(h - k)], -1))
        pts[:, hp] = np.array([side * _HIP_W * sw, 0, 0])
        pts[:, kn] = pts[:, hp] + _THIGH * leg * thigh
        pts[:, an] = pts[:, kn] + _SHIN * leg * shin
        pts[:, he] = pts[:, an] + np.array([0, 0.035, 0.03])
        pts[:, fo] = pts[:, an] + np.array([0, 0.045, -0.1])
    # Keep the lower heel on the ground (the standing height of the heel).
    ground = (_THIGH + _SHIN) * leg + 0.035
    pts[..., 1] += ground - np.maximum(pts[:, 29, 1], pts[:, 30, 1])[:, None]
    return pts


def make_person(action: str, num_frames: int, rng: np.random.Generator,
                centre: Optional[Tuple[float, float]] = None) -> Dict[str, np.ndarray]:
    """One person performing ``action`` for ``num_frames`` frames in a 640 x 480 image.

    Args:
        action (str): One of :data:`ACTIONS`.
        num_frames (int): Number of frames T.
        rng (np.random.Generator): Random source.
        centre (tuple[float, float], optional): Image position (x, y) in pixels of the hip
            centre at rest. Default: random.

    Returns:
        dict: ``pixels`` (T, 33, 2) image coordinates, ``depth`` (T, 33) MediaPipe-style z
        (relative to the hips, in units of the image width, negative = closer), ``visible``
        (T, 33) bool (False for missing keypoints), ``height`` the body height in pixels.
    """
    period = rng.uniform(18, 36)
    steps = 2 * np.pi / period * (1 + 0.15 * np.sin(rng.uniform(0.02, 0.1) * np.arange(num_frames)
                                                    + rng.uniform(0, 2 * np.pi)))
    phase = np.cumsum(steps) + rng.uniform(0, 2 * np.pi)
    ang = _action_angles(action, phase, rng)
    body = _body_3d(ang, rng.uniform(0.9, 1.1, size=4))
    yaw = rng.uniform(-0.5, 0.5)
    cos, sin = np.cos(yaw), np.sin(yaw)
    x = body[..., 0] * cos + body[..., 2] * sin
    z = -body[..., 0] * sin + body[..., 2] * cos
    h_img, w_img = IMG_SHAPE
    height = rng.uniform(160, 380)
    if centre is None:
        centre = (rng.uniform(0.3, 0.7) * w_img, rng.uniform(0.45, 0.6) * h_img)
    drift = np.cumsum(rng.normal(0, 0.5, size=(num_frames, 2)), axis=0)  # camera shake
    pixels = np.stack([x, body[..., 1]], -1) * height + np.asarray(centre) + drift[:, None]
    pixels += rng.normal(0, rng.uniform(0.003, 0.01) * height, size=pixels.shape)
    depth = (z - z[:, [23, 24]].mean(1, keepdims=True)) * height / w_img
    visible = rng.random((num_frames, 33)) >= rng.uniform(0.0, 0.08)
    for _ in range(rng.integers(0, 3)):  # short occlusions of one keypoint
        j, start = rng.integers(0, 33), rng.integers(0, num_frames)
        visible[start:start + rng.integers(5, 16), j] = False
    return dict(pixels=pixels, depth=depth, visible=visible, height=height)


def person_to_seed_landmarks(person: Dict[str, np.ndarray],
                             rng: np.random.Generator) -> np.ndarray:
    """MediaPipe-style landmarks of a person: shape (T, 33, 4) (x, y normalised, z, visibility).

    Missing keypoints keep a (noisier) position estimate and get a low visibility, as MediaPipe
    does.
    """
    h_img, w_img = IMG_SHAPE
    vis = person['visible']
    xy = person['pixels'] / np.array([w_img, h_img])
    xy = xy + ~vis[..., None] * rng.normal(0, 0.03, size=xy.shape)
    visibility = np.where(vis, rng.uniform(0.9, 0.9999, size=vis.shape),
                          rng.uniform(0.0, 0.3, size=vis.shape))
    return np.concatenate([xy, person['depth'][..., None], visibility[..., None]], -1).astype(
        np.float32)


def make_pose_annotation(action: str, num_frames: int, num_persons: int, frame_dir: str,
                         rng: np.random.Generator) -> dict:
    """A COCO-17 ``PoseDataset`` annotation: ``num_persons`` people doing ``action``.

    Missing keypoints have zero coordinates and score, as after pose extraction.
    """
    label = ACTIONS.index(action)
    w_img = IMG_SHAPE[1]
    xs = np.linspace(0.3, 0.7, num_persons) * w_img if num_persons > 1 else [None]
    keypoint, score = [], []
    for x in xs:
        centre = None if x is None else (x + rng.uniform(-30, 30), rng.uniform(0.45, 0.6) * IMG_SHAPE[0])
        person = make_person(action, num_frames, rng, centre=centre)
        vis = person['visible'][:, MEDIAPIPE_TO_COCO]
        keypoint.append(person['pixels'][:, MEDIAPIPE_TO_COCO] * vis[..., None])
        score.append(np.where(vis, rng.uniform(0.4, 1.0, size=vis.shape), 0.0))
    return dict(
        frame_dir=frame_dir,
        label=label,
        img_shape=IMG_SHAPE,
        original_shape=IMG_SHAPE,
        total_frames=num_frames,
        keypoint=np.stack(keypoint).astype(np.float32),
        keypoint_score=np.stack(score).astype(np.float32))


def make_pose_dataset(num_per_class: Dict[str, int], frames: Tuple[int, int] = (40, 80),
                      two_person_ratio: float = 0.3, seed: int = 0) -> dict:
    """A ``PoseDataset`` pickle payload with a ``train`` / ``val`` split (different people).

    Args:
        num_per_class (dict[str, int]): Clips per class for every split, e.g.
            ``dict(train=60, val=20)``.
        frames (tuple[int, int]): Range [min, max] of the clip lengths.
        two_person_ratio (float): Fraction of clips with two people.
        seed (int): Random seed.

    Returns:
        dict: ``dict(split=dict(train=[...], val=[...]), annotations=[...])``.
    """
    rng = np.random.default_rng(seed)
    split: Dict[str, List[str]] = {}
    annotations = []
    for name, count in num_per_class.items():
        split[name] = []
        for action in ACTIONS:
            for i in range(count):
                frame_dir = f'{name}/{action}_{i:04d}'
                num_persons = 2 if rng.random() < two_person_ratio else 1
                annotations.append(
                    make_pose_annotation(action, int(rng.integers(frames[0], frames[1] + 1)),
                                         num_persons, frame_dir, rng))
                split[name].append(frame_dir)
    return dict(split=split, annotations=annotations)


def make_seed_sequences(num_clips: int, frames: Tuple[int, int] = (40, 80),
                        seed: int = 0) -> Dict[str, np.ndarray]:
    """One continuous recording per action in the seed's landmark layout.

    Each recording is ``num_clips`` performances (different people, one at a time) back to back.

    Returns:
        dict[str, np.ndarray]: Action name -> landmarks (T, 33, 4).
    """
    rng = np.random.default_rng(seed)
    out = {}
    for action in ACTIONS:
        parts = [
            person_to_seed_landmarks(
                make_person(action, int(rng.integers(frames[0], frames[1] + 1)), rng), rng)
            for _ in range(num_clips)
        ]
        out[action] = np.concatenate(parts)
    return out
