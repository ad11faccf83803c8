"""Extract multi-person skeleton sequences from videos with a posezoo / MMPose bottom-up model.

Streaming: every frame is decoded, passed through the pose model and the tracker, then dropped,
so memory stays bounded whatever the length or resolution of the video (only keypoints are kept).
People are linked over frames by Hungarian matching on IoU or OKS with track birth (``--min-hits``)
and death (``--max-lost``) (:class:`posezoo.action.skeleton.PoseTracker`).

Writes an MMAction2 ``PoseDataset`` pickle: one annotation per input (a video file or a folder of
frames) with ``keypoint`` (M, T, V, 2), ``keypoint_score`` (M, T, V), ``img_shape``,
``total_frames``, ``label`` and ``frame_dir``::

    python tools/misc/extract_poses.py INPUT [INPUT ...] --out poses.pkl \
        --pose-config CONFIG [--pose-checkpoint CKPT] \
        [--classes doze hand-raising normal] [--val-ratio 0.2] [--max-persons 2]

Labels per video: with ``--classes``, an input's label is the position of its parent folder's
name in the list (``videos/doze/clip1.mp4`` -> 0); otherwise -1.

Labels per person (BK-SAD: each student in a classroom video does his own action):
``--track-labels FILE`` with ``--classes``. FILE has one line per labelled person track,
``<video stem> <track id> <class name>`` (``#`` starts a comment)::

    class_01 0 hand-raising
    class_01 3 doze
    class_01 4 normal

Track ids are the tracker's, printed by this tool for every input (first / last frame, mean
box) and drawn by ``demo/skeleton_action_demo.py``; they depend only on the video, the pose
model and the tracking settings. Each labelled track becomes its own one-person annotation
(``frame_dir`` = ``<video>/track<id>``); unlabelled tracks are left out.

Without ``--val-ratio`` the pickle is the list of annotations (``PoseDataset(split=None)``); with
it, a ``dict(split=dict(train=..., val=...), annotations=...)`` file.

``--backend mediapipe`` (optional extra ``posezoo[mediapipe]``) instead writes one text file per
input in the seed's 33-landmark format (``<out>/<name>.txt``), single person.
"""
import argparse
import os.path as osp
import pickle
import sys
import zlib
from pathlib import Path
from typing import Dict, Iterable, Iterator, List, Optional, Tuple

import cv2
import mmcv
import numpy as np

from posezoo.action.skeleton import PoseTracker, tracks_to_arrays, write_seed_file
from posezoo.action.skeleton.mediapipe_pose import mediapipe_landmarks

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
    parser.add_argument('--classes', nargs='+', help='class names (parent folders / track labels)')
    parser.add_argument('--track-labels', help='per-person labels: "<video> <track id> <class>"')
    parser.add_argument('--val-ratio', type=float, help='write a train/val split')
    parser.add_argument('--max-persons', type=int, default=0, help='keep the strongest tracks')
    parser.add_argument('--track-metric', choices=['iou', 'oks'], default='iou')
    parser.add_argument('--track-thr', type=float, default=0.3, help='minimum match similarity')
    parser.add_argument('--max-lost', type=int, default=10, help='frames before a track dies')
    parser.add_argument('--min-hits', type=int, default=1, help='detections to keep a track')
    parser.add_argument('--kpt-thr', type=float, default=0.1, help='keypoint score threshold')
    parser.add_argument('--min-score', type=float, default=0.1,
                        help='drop detected people whose mean keypoint score is below this')
    parser.add_argument('--frame-step', type=int, default=1, help='use every n-th frame')
    parser.add_argument('--max-frames', type=int, default=0, help='frames per input (0: all)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override settings of the pose config')
    return parser.parse_args()


def _video_frames(path: str) -> Iterator[np.ndarray]:
    """Decode a video one frame at a time (nothing is cached)."""
    cap = cv2.VideoCapture(path)
    if not cap.isOpened():
        raise ValueError(f'{path}: OpenCV cannot open the video')
    try:
        while True:
            ok, frame = cap.read()
            if not ok:
                return
            yield frame
    finally:
        cap.release()


def read_frames(path: str, frame_step: int = 1, max_frames: int = 0) -> Iterator[np.ndarray]:
    """BGR frames of a video file or of a folder of images (sorted by name), one at a time."""
    if osp.isdir(path):
        files = sorted(p for p in Path(path).iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not files:
            raise FileNotFoundError(f'{path}: no images ({", ".join(IMAGE_SUFFIXES)}) in folder')
        frames: Iterable[Optional[np.ndarray]] = (mmcv.imread(str(p)) for p in files)
    elif osp.isfile(path):
        frames = _video_frames(path)
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
    if not count:
        raise ValueError(f'{path}: the video opens but no frame decodes (empty or corrupt '
                         'stream, or a codec this OpenCV build lacks); re-encode it, e.g. '
                         '`ffmpeg -i IN -c:v libx264 OUT.mp4`')


def detect_poses(model, frame: np.ndarray, min_score: float) -> Tuple[np.ndarray, np.ndarray]:
    """People in one frame: keypoints (K, V, 2) and scores (K, V) of a bottom-up model."""
    from mmpose.apis import inference_bottomup
    pred = inference_bottomup(model, frame)[0].pred_instances
    keypoints = np.asarray(pred.keypoints, dtype=np.float32)
    scores = np.asarray(pred.keypoint_scores, dtype=np.float32)
    keep = scores.mean(-1) >= min_score
    return keypoints[keep], scores[keep]


def track_video(model, frames: Iterable[np.ndarray], min_score: float = 0.1,
                tracker: Optional[PoseTracker] = None) -> Tuple[PoseTracker, int, Tuple[int, int]]:
    """Detect and track people frame by frame; frames are dropped once processed.

    Returns:
        tuple: The tracker (its ``tracks()``), the number of frames and the frame size (h, w).
    """
    tracker = tracker or PoseTracker()
    num_frames, img_shape = 0, None
    for frame in frames:
        if img_shape is None:
            img_shape = frame.shape[:2]
        elif frame.shape[:2] != img_shape:
            raise ValueError(f'frame {num_frames} is {frame.shape[:2]}, the first {img_shape}')
        tracker.update(*detect_poses(model, frame, min_score))
        num_frames += 1
    if not num_frames:
        raise ValueError('no frames')
    return tracker, num_frames, img_shape


def extract_annotation(model, frames: Iterable[np.ndarray], frame_dir: str, label: int = -1,
                       max_persons: int = 0, track_metric: str = 'iou', track_thr: float = 0.3,
                       max_lost: int = 10, kpt_thr: float = 0.1, min_score: float = 0.1,
                       min_hits: int = 1) -> dict:
    """Run the pose model over the frames of one clip (streamed) and build its annotation.

    Args:
        model: An MMPose bottom-up pose estimator (from ``mmpose.apis.init_model``).
        frames (iterable[np.ndarray]): BGR frames, all of the same size (a generator is fine).
        frame_dir (str): Identifier of the clip.
        label (int): Action label (-1 if unknown).
        max_persons (int): Keep at most this many tracks (0: all).
        track_metric, track_thr, max_lost, kpt_thr, min_hits: :class:`PoseTracker` settings.
        min_score (float): Minimum mean keypoint score of a detection.

    Returns:
        dict: ``frame_dir``, ``label``, ``img_shape``, ``original_shape``, ``total_frames``,
        ``keypoint`` (M, T, V, 2) float32, ``keypoint_score`` (M, T, V) float32.
    """
    tracker = PoseTracker(track_metric, track_thr, max_lost, min_hits, kpt_thr,
                          sigmas=_sigmas(model))
    try:
        tracker, num_frames, img_shape = track_video(model, frames, min_score, tracker)
    except ValueError as e:
        raise ValueError(f'{frame_dir}: {e}') from None
    num_joints = model.dataset_meta['num_keypoints']
    keypoint, keypoint_score = tracks_to_arrays(tracker.tracks(), num_frames, num_joints,
                                                max_persons)
    return dict(frame_dir=frame_dir, label=label, img_shape=img_shape, original_shape=img_shape,
                total_frames=num_frames, keypoint=keypoint, keypoint_score=keypoint_score)


def _sigmas(model) -> Optional[np.ndarray]:
    sigmas = getattr(model, 'dataset_meta', {}).get('sigmas')
    return None if sigmas is None or len(sigmas) == 0 else np.asarray(sigmas)


def track_annotations(tracks: List[dict], labels: Dict[int, int], frame_dir: str,
                      num_frames: int, num_joints: int, img_shape: Tuple[int, int]) -> List[dict]:
    """One one-person annotation per labelled track (``frame_dir`` ``<clip>/track<id>``).

    Raises:
        KeyError: A labelled track id that the tracker did not produce.
    """
    by_id = {tr['id']: tr for tr in tracks}
    missing = sorted(set(labels) - set(by_id))
    if missing:
        raise KeyError(f'{frame_dir}: track ids {missing} are labelled but not found '
                       f'(tracks: {sorted(by_id)})')
    out = []
    for track_id, label in sorted(labels.items()):
        keypoint, score = tracks_to_arrays([by_id[track_id]], num_frames, num_joints)
        out.append(dict(frame_dir=f'{frame_dir}/track{track_id}', label=label,
                        img_shape=img_shape, original_shape=img_shape, total_frames=num_frames,
                        keypoint=keypoint, keypoint_score=score))
    return out


def read_track_labels(path: str, classes: List[str]) -> Dict[str, Dict[int, int]]:
    """Parse a per-track label file: ``<video stem> <track id> <class name>`` per line.

    Returns:
        dict: video stem -> {track id: class index}.

    Raises:
        ValueError: A malformed line, an unknown class or a track labelled twice (file:line).
    """
    labels: Dict[str, Dict[int, int]] = {}
    with open(path, encoding='utf-8') as f:
        for line_no, line in enumerate(f, start=1):
            line = line.split('#', 1)[0].strip()
            if not line:
                continue
            parts = line.split()
            if len(parts) != 3 or not parts[1].isdigit():
                raise ValueError(f'{path}:{line_no}: expected "<video> <track id> <class>", '
                                 f'got {line!r}')
            video, track_id, name = parts[0], int(parts[1]), parts[2]
            if name not in classes:
                raise ValueError(f'{path}:{line_no}: class {name!r} is not one of {classes}')
            if track_id in labels.setdefault(video, {}):
                raise ValueError(f'{path}:{line_no}: track {track_id} of {video} labelled twice')
            labels[video][track_id] = classes.index(name)
    return labels


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

    Frames are streamed; frames without a detected person are skipped (the frame index keeps
    counting, so the file's first column tells which frames have a person).

    Returns:
        str: The written text file.
    """
    indices, landmarks, count = mediapipe_landmarks(read_frames(path, frame_step, max_frames))
    if not len(indices):
        raise ValueError(f'{path}: MediaPipe found no person in any of {count} frames')
    out = osp.join(out_dir, f'{Path(path).stem}.txt')
    write_seed_file(out, landmarks, indices)
    print(f'{path}: a person in {len(indices)}/{count} frames')
    return out


def _describe(tracks: List[dict]) -> str:
    rows = []
    for tr in tracks:
        box = np.concatenate([np.stack(tr['keypoints']).min((0, 1)),
                              np.stack(tr['keypoints']).max((0, 1))]).round().astype(int)
        rows.append(f'  track {tr["id"]}: frames {tr["frames"][0]}-{tr["frames"][-1]} '
                    f'({len(tr["frames"])} detections), box {box.tolist()}')
    return '\n'.join(rows)


def check_inputs(paths: List[str]) -> None:
    """Every input exists and is a folder or a video that OpenCV opens, checked before any
    work; the error lists each bad input with its index."""
    bad = []
    for i, path in enumerate(paths):
        if not osp.exists(path):
            bad.append(f'input {i} ({path}): not found')
        elif osp.isfile(path):
            cap = cv2.VideoCapture(path)
            if not cap.isOpened():
                bad.append(f'input {i} ({path}): OpenCV cannot open the video')
            cap.release()
    if bad:
        raise ValueError('bad input, nothing extracted:\n  ' + '\n  '.join(bad))


def main() -> None:
    args = parse_args()
    try:
        run(args)
    except (FileNotFoundError, ValueError, SyntaxError) as err:  # user errors: no traceback
        sys.exit(f'extract_poses.py: error: {err}')


def run(args: argparse.Namespace) -> None:
    """Extract the poses of ``args.inputs`` and write ``args.out``."""
    check_inputs(args.inputs)
    if args.backend == 'mediapipe':
        Path(args.out).mkdir(parents=True, exist_ok=True)
        for path in args.inputs:
            print(extract_mediapipe(path, args.out, args.frame_step, args.max_frames))
        return
    from mmpose.apis import init_model

    from posezoo.utils.setup_env import load_config
    if args.pose_config is None:
        raise ValueError('the mmpose backend needs --pose-config')
    if args.track_labels and not args.classes:
        raise ValueError('--track-labels needs --classes (the class names of the label file)')
    track_labels = read_track_labels(args.track_labels, args.classes) if args.track_labels \
        else None
    cfg = load_config(args.pose_config, args.cfg_options)
    model = init_model(cfg, args.pose_checkpoint, device=args.device)
    num_joints = model.dataset_meta['num_keypoints']
    annotations = []
    for path in args.inputs:
        frame_dir = osp.splitext(osp.normpath(path))[0]
        tracker = PoseTracker(args.track_metric, args.track_thr, args.max_lost, args.min_hits,
                              args.kpt_thr, sigmas=_sigmas(model))
        tracker, num_frames, img_shape = track_video(
            model, read_frames(path, args.frame_step, args.max_frames), args.min_score, tracker)
        tracks = tracker.tracks()
        print(f'{path}: {num_frames} frames, {len(tracks)} tracks\n{_describe(tracks)}')
        if track_labels is not None:
            annotations += track_annotations(tracks, track_labels.get(Path(path).stem, {}),
                                             frame_dir, num_frames, num_joints, img_shape)
            continue
        keypoint, score = tracks_to_arrays(tracks, num_frames, num_joints, args.max_persons)
        annotations.append(dict(frame_dir=frame_dir, label=label_of(path, args.classes),
                                img_shape=img_shape, original_shape=img_shape,
                                total_frames=num_frames, keypoint=keypoint,
                                keypoint_score=score))
    data = annotations if args.val_ratio is None else split_annotations(annotations, args.val_ratio)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, 'wb') as f:
        pickle.dump(data, f)
    print(f'wrote {len(annotations)} annotations to {args.out}')


if __name__ == '__main__':
    main()
