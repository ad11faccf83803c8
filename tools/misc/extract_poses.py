"""Extract multi-person skeleton sequences from videos with a posezoo / MMPose bottom-up model.

Writes an MMAction2 ``PoseDataset`` pickle: one annotation per input (a video file or a folder of
frames) with ``keypoint`` (M, T, V, 2), ``keypoint_score`` (M, T, V), ``img_shape``,
``total_frames``, ``label`` and ``frame_dir``; people are linked over frames by greedy IoU or OKS
tracking (:func:`posezoo.action.skeleton.track_poses`).

    python tools/misc/extract_poses.py INPUT [INPUT ...] --out poses.pkl \
        --pose-config CONFIG [--pose-checkpoint CKPT] \
        [--classes doze hand-raising normal] [--val-ratio 0.2] [--max-persons 2]

With ``--classes``, an input's label is the position of its parent folder's name in the list
(``videos/doze/clip1.mp4`` -> 0); otherwise labels are -1. Without ``--val-ratio`` the pickle is
the list of annotations (``PoseDataset(split=None)``); with it, a ``dict(split=dict(train=...,
val=...), annotations=...)`` file.

``--backend mediapipe`` (needs the optional ``mediapipe`` package) instead writes one text file
per input in the seed's 33-landmark format (``<out>/<name>.txt``), single person.
"""
import argparse
import os.path as osp
import pickle
import zlib
from pathlib import Path
from typing import Iterator, List, Optional, Sequence, Tuple

import mmcv
import numpy as np
from mmengine.utils import ProgressBar

from posezoo.action.skeleton import track_poses, tracks_to_arrays, write_seed_file

IMAGE_SUFFIXES = ('.jpg', '.jpeg', '.png', '.bmp')


def parse_args() -> argparse.Namespace:
    from mmengine.config import DictAction
    parser = argparse.ArgumentParser(description='Extract skeleton sequences from videos')
    parser.add_argument('inputs', nargs='+', help='video files or folders of frames')
    parser.add_argument('--pose-config', help='bottom-up pose model config (posezoo or MMPose)')
    parser.add_argument('--pose-checkpoint', help='pose model checkpoint (omit: random init)')
    parser.add_argument('--out', required=True,
                        help='output .pkl (mmpose backend) or folder (mediapipe backend)')
    parser.add_argument('--backend', choices=['mmpose', 'mediapipe'], default='mmpose')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--classes', nargs='+', help='class names = parent folder names')
    parser.add_argument('--val-ratio', type=float, help='write a train/val split')
    parser.add_argument('--max-persons', type=int, default=0, help='keep the strongest tracks')
    parser.add_argument('--track-metric', choices=['iou', 'oks'], default='iou')
    parser.add_argument('--track-thr', type=float, default=0.3, help='minimum match similarity')
    parser.add_argument('--max-lost', type=int, default=10, help='frames a track may be missed')
    parser.add_argument('--kpt-thr', type=float, default=0.1, help='keypoint score threshold')
    parser.add_argument('--min-score', type=float, default=0.1,
                        help='drop detected people whose mean keypoint score is below this')
    parser.add_argument('--frame-step', type=int, default=1, help='use every n-th frame')
    parser.add_argument('--max-frames', type=int, default=0, help='frames per input (0: all)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override settings of the pose config')
    return parser.parse_args()


def read_frames(path: str, frame_step: int = 1, max_frames: int = 0) -> Iterator[np.ndarray]:
    """BGR frames of a video file or of a folder of images (sorted by name)."""
    if osp.isdir(path):
        files = sorted(p for p in Path(path).iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not files:
            raise FileNotFoundError(f'{path}: no images ({", ".join(IMAGE_SUFFIXES)}) in folder')
        frames = (mmcv.imread(str(p)) for p in files)
    elif osp.isfile(path):
        frames = iter(mmcv.VideoReader(path))
    else:
        raise FileNotFoundError(f'input not found: {path}')
    count = 0
    for i, frame in enumerate(frames):
        if frame is None:
            raise ValueError(f'{path}: cannot decode frame {i}')
        if i % frame_step:
            continue
        yield frame
        count += 1
        if max_frames and count >= max_frames:
            return


def detect_poses(model, frame: np.ndarray, min_score: float) -> Tuple[np.ndarray, np.ndarray]:
    """People in one frame: keypoints (K, V, 2) and scores (K, V) of a bottom-up model."""
    from mmpose.apis import inference_bottomup
    pred = inference_bottomup(model, frame)[0].pred_instances
    keypoints = np.asarray(pred.keypoints, dtype=np.float32)
    scores = np.asarray(pred.keypoint_scores, dtype=np.float32)
    keep = scores.mean(-1) >= min_score
    return keypoints[keep], scores[keep]


def extract_annotation(model, frames: Sequence[np.ndarray], frame_dir: str, label: int = -1,
                       max_persons: int = 0, track_metric: str = 'iou', track_thr: float = 0.3,
                       max_lost: int = 10, kpt_thr: float = 0.1, min_score: float = 0.1,
                       progress: Optional[ProgressBar] = None) -> dict:
    """Run the pose model over the frames of one clip and build its ``PoseDataset`` annotation.

    Args:
        model: An MMPose bottom-up pose estimator (from ``mmpose.apis.init_model``).
        frames (sequence[np.ndarray]): BGR frames, all of the same size.
        frame_dir (str): Identifier of the clip.
        label (int): Action label (-1 if unknown).
        max_persons (int): Keep at most this many tracks (0: all).
        track_metric, track_thr, max_lost, kpt_thr: Tracking settings of :func:`track_poses`.
        min_score (float): Minimum mean keypoint score of a detection.
        progress (ProgressBar, optional): Updated once per frame.

    Returns:
        dict: ``frame_dir``, ``label``, ``img_shape``, ``original_shape``, ``total_frames``,
        ``keypoint`` (M, T, V, 2) float32, ``keypoint_score`` (M, T, V) float32.
    """
    if not frames:
        raise ValueError(f'{frame_dir}: no frames')
    per_frame = []
    for frame in frames:
        per_frame.append(detect_poses(model, frame, min_score))
        if progress is not None:
            progress.update()
    num_joints = model.dataset_meta['num_keypoints']
    tracks = track_poses(per_frame, metric=track_metric, match_thr=track_thr, max_lost=max_lost,
                         score_thr=kpt_thr)
    keypoint, keypoint_score = tracks_to_arrays(tracks, len(frames), num_joints, max_persons)
    img_shape = frames[0].shape[:2]
    return dict(frame_dir=frame_dir, label=label, img_shape=img_shape, original_shape=img_shape,
                total_frames=len(frames), keypoint=keypoint, keypoint_score=keypoint_score)


def label_of(path: str, classes: Optional[List[str]]) -> int:
    """The position of the input's parent folder name in ``classes`` (-1 without classes)."""
    if not classes:
        return -1
    parent = Path(path).resolve().parent.name
    if parent not in classes:
        raise ValueError(f'{path}: parent folder {parent!r} is not one of the classes {classes}')
    return classes.index(parent)


def split_annotations(annotations: List[dict], val_ratio: float) -> dict:
    """``dict(split=dict(train, val), annotations)``; the split is a stable hash of frame_dir."""
    names = [a['frame_dir'] for a in annotations]
    is_val = [zlib.crc32(name.encode()) % 1000 < val_ratio * 1000 for name in names]
    train = [name for name, v in zip(names, is_val) if not v]
    val = [name for name, v in zip(names, is_val) if v]
    return dict(split=dict(train=train, val=val), annotations=annotations)


def extract_mediapipe(path: str, out_dir: str, frame_step: int = 1, max_frames: int = 0) -> str:
    """Write the seed's 33-landmark text file for one input with MediaPipe Pose (optional extra).

    Frames without a detected person are skipped (the frame index keeps counting).

    Returns:
        str: The written text file.
    """
    try:
        import mediapipe as mp
    except ImportError:
        raise ImportError('--backend mediapipe needs the optional `mediapipe` package '
                          '(pip install mediapipe)') from None
    frames, rows = [], []
    with mp.solutions.pose.Pose(static_image_mode=False) as pose:
        for i, frame in enumerate(read_frames(path, frame_step, max_frames)):
            result = pose.process(mmcv.bgr2rgb(frame))
            if result.pose_landmarks is None:
                continue
            frames.append(i)
            rows.append([(lm.x, lm.y, lm.z, lm.visibility)
                         for lm in result.pose_landmarks.landmark])
    if not rows:
        raise ValueError(f'{path}: MediaPipe found no person in any frame')
    out = osp.join(out_dir, f'{Path(path).stem}.txt')
    write_seed_file(out, np.asarray(rows, dtype=np.float32), np.asarray(frames))
    return out


def main() -> None:
    args = parse_args()
    if args.backend == 'mediapipe':
        Path(args.out).mkdir(parents=True, exist_ok=True)
        for path in args.inputs:
            print(extract_mediapipe(path, args.out, args.frame_step, args.max_frames))
        return
    from mmpose.apis import init_model

    from posezoo.utils.setup_env import load_config
    if args.pose_config is None:
        raise ValueError('the mmpose backend needs --pose-config')
    cfg = load_config(args.pose_config, args.cfg_options)
    model = init_model(cfg, args.pose_checkpoint, device=args.device)
    annotations = []
    for path in args.inputs:
        frames = list(read_frames(path, args.frame_step, args.max_frames))
        print(f'{path}: {len(frames)} frames')
        progress = ProgressBar(len(frames))
        annotations.append(
            extract_annotation(
                model, frames, frame_dir=osp.splitext(osp.normpath(path))[0],
                label=label_of(path, args.classes), max_persons=args.max_persons,
                track_metric=args.track_metric, track_thr=args.track_thr,
                max_lost=args.max_lost, kpt_thr=args.kpt_thr, min_score=args.min_score,
                progress=progress))
        print()
    data = annotations if args.val_ratio is None else split_annotations(annotations, args.val_ratio)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, 'wb') as f:
        pickle.dump(data, f)
    print(f'wrote {len(annotations)} annotations to {args.out}')


if __name__ == '__main__':
    main()
