"""Skeleton-based action recognition on a video: poses -> person tracks -> an action per window.

Every frame is decoded, its people found (MediaPipe Pose, one person; or a posezoo / MMPose
bottom-up model, several people linked by :class:`posezoo.action.skeleton.PoseTracker`), and
each track keeps its last ``clip_len`` poses. Every ``stride`` frames (the skeleton config's
``sliding_window``, default half a window) each track with a full window is classified by the
skeleton model; the label of its latest window is drawn beside the person until the next one.
The annotated video is written to ``--out-file``; ``--out-json`` lists every window's label.

    # MediaPipe (extra posezoo[mediapipe]) + the seed's LSTM (MediaPipe-33 landmarks)
    python demo/skeleton_action_demo.py VIDEO \
        configs/skeleton/lstm/lstm_8xb16-20e_seed-mediapipe33-30f.py --checkpoint LSTM.pth \
        --pose-backend mediapipe --out-file vis.mp4
    # BK-Pose / HigherHRNet (COCO-17, several people) + an LSTM / ST-GCN trained on COCO-17
    python demo/skeleton_action_demo.py VIDEO \
        configs/skeleton/lstm/lstm_8xb16-80e_bksad-coco17-48f.py --checkpoint LSTM.pth \
        --pose-config configs/body_2d_keypoint/bkpose/coco/bkpose_1xb8-60e_coco-512x512.py \
        --pose-checkpoint BKPOSE.pth --out-file vis.mp4
    # a webcam instead of a file: --camera INDEX (no VIDEO argument), --max-frames to stop
    python demo/skeleton_action_demo.py --camera 0 \
        configs/skeleton/lstm/lstm_8xb16-20e_seed-mediapipe33-30f.py --checkpoint LSTM.pth \
        --pose-backend mediapipe --max-frames 300 --out-file vis.mp4

MediaPipe Pose finds one person per frame (the most prominent): in a video of two people (e.g.
arm wrestling) only one of them is tracked and labelled; use a bottom-up model for several.
The skeleton model must have been trained on the layout of the pose source (MediaPipe-33 with
normalised x, y, z and visibility, or the pose model's keypoints in pixels).
"""
import argparse
import json
from collections import deque
from typing import Deque, Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np

from posezoo.action.skeleton import PoseTracker, sliding_window_inference
from posezoo.action.skeleton.sliding_window import window_settings
from posezoo.apis import init_model

COLORS = [(0, 255, 0), (255, 128, 0), (0, 128, 255), (255, 0, 255), (0, 255, 255)]


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='skeleton action recognition on a video')
    parser.add_argument('video', nargs='?', help='input video (or --camera)')
    parser.add_argument('config', help='skeleton action config (LSTM / ST-GCN): path, posezoo::<path> or model name')
    parser.add_argument('--checkpoint', help='skeleton model checkpoint')
    parser.add_argument('--pose-backend', choices=['mediapipe', 'mmpose'], default='mmpose')
    parser.add_argument('--pose-config',
                        help='bottom-up pose config: path, posezoo::<path> or model name (mmpose backend)')
    parser.add_argument('--pose-checkpoint', help='pose checkpoint (mmpose backend)')
    parser.add_argument('--classes', nargs='+', help='class names (default: the config\'s)')
    parser.add_argument('--stride', type=int, help='frames between windows (default: config)')
    parser.add_argument('--min-score', type=float, default=0.1, help='mean keypoint score')
    parser.add_argument('--max-lost', type=int, default=10, help='frames before a track dies')
    parser.add_argument('--out-file', default='skeleton_action.mp4', help='annotated video')
    parser.add_argument('--out-json', help='per-window labels as JSON')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--camera', type=int, help='webcam index instead of a video, e.g. 0')
    parser.add_argument('--max-frames', type=int, default=0, help='stop after N frames (0: no limit)')
    args = parser.parse_args(argv)
    if (args.video is None) == (args.camera is None):
        parser.error('give a video file or --camera INDEX (one of them)')
    return args


def source_name(args: argparse.Namespace) -> str:
    """The video file, or ``camera N``, for messages."""
    return args.video if args.camera is None else f'camera {args.camera}'


class PoseSource:
    """Poses of one frame: ``(keypoints (K, V, C), scores (K, V), pixels (K, V, 2))``.

    ``keypoints`` are what the skeleton model reads (MediaPipe: normalised x, y, z; a pose
    model: pixels), ``pixels`` what is drawn.
    """

    def __init__(self, args: argparse.Namespace) -> None:
        self.backend = args.pose_backend
        self.min_score = args.min_score
        if self.backend == 'mediapipe':
            from posezoo.action.skeleton.mediapipe_pose import MediaPipePose, import_mediapipe
            self.mediapipe = MediaPipePose()
            self.links = sorted(import_mediapipe().solutions.pose.POSE_CONNECTIONS)
            self.img_shape = (1, 1)  # MediaPipe coordinates are normalised
        else:
            from mmpose.apis import init_model as init_pose_model
            if not args.pose_config:
                raise ValueError('--pose-backend mmpose needs --pose-config')
            from posezoo.utils.setup_env import resolve_config
            self.model = init_pose_model(resolve_config(args.pose_config), args.pose_checkpoint,
                                         device=args.device)
            self.links = self.model.dataset_meta.get('skeleton_links', [])
            self.img_shape = None

    def __call__(self, frame: np.ndarray) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        h, w = frame.shape[:2]
        if self.backend == 'mediapipe':
            landmarks = self.mediapipe(frame)
            if landmarks is None:
                return (np.zeros((0, 33, 3), np.float32), np.zeros((0, 33), np.float32),
                        np.zeros((0, 33, 2), np.float32))
            pixels = landmarks[None, :, :2] * np.array([w, h], dtype=np.float32)
            return landmarks[None, :, :3], landmarks[None, :, 3], pixels
        from mmpose.apis import inference_bottomup
        self.img_shape = (h, w)
        pred = inference_bottomup(self.model, frame)[0].pred_instances
        kpts = np.asarray(pred.keypoints, dtype=np.float32)
        scores = np.asarray(pred.keypoint_scores, dtype=np.float32)
        keep = scores.mean(-1) >= self.min_score if len(scores) else np.zeros(0, bool)
        return kpts[keep], scores[keep], kpts[keep]


def classify(model, window: List[Optional[Tuple[np.ndarray, np.ndarray]]],
             img_shape: Tuple[int, int]) -> np.ndarray:
    """Scores (K,) of one track's window: per frame ``(keypoints (V, C), scores (V,))`` or None
    where the track is absent (zeros, as in extracted annotations)."""
    shape_k, shape_s = next((w[0].shape, w[1].shape) for w in window if w is not None)
    keypoint = np.stack([w[0] if w is not None else np.zeros(shape_k, np.float32)
                         for w in window])[None]
    score = np.stack([w[1] if w is not None else np.zeros(shape_s, np.float32)
                      for w in window])[None]
    anno = dict(keypoint=keypoint, keypoint_score=score, total_frames=len(window),
                img_shape=img_shape, original_shape=img_shape, label=-1, frame_dir='window')
    result = sliding_window_inference(model, anno, clip_len=len(window), stride=len(window))
    return result.pred_score.numpy()


def draw(frame: np.ndarray, pixels: np.ndarray, scores: np.ndarray, links: Sequence, color,
         text: str) -> None:
    """Draw one person's skeleton and ``text`` above it (in place)."""
    ok = scores > 0.3
    for a, b in links:
        if a < len(ok) and b < len(ok) and ok[a] and ok[b]:
            cv2.line(frame, tuple(int(v) for v in pixels[a]), tuple(int(v) for v in pixels[b]),
                     color, 2, cv2.LINE_AA)
    for (x, y), good in zip(pixels, ok):
        if good:
            cv2.circle(frame, (int(x), int(y)), 2, color, -1, cv2.LINE_AA)
    pts = pixels[ok] if ok.any() else pixels
    x, y = int(pts[:, 0].min()), int(max(pts[:, 1].min() - 6, 12))
    cv2.putText(frame, text, (x, y), cv2.FONT_HERSHEY_SIMPLEX, 0.45, color, 1, cv2.LINE_AA)


def run(args: argparse.Namespace) -> List[dict]:
    """Process the video; returns one record per classified window."""
    model = init_model(args.config, args.checkpoint, device=args.device)
    clip_len, stride = window_settings(model.cfg)
    stride = args.stride or stride
    classes = args.classes or list(model.cfg.get('classes', []))
    source = PoseSource(args)
    tracker = PoseTracker(metric='iou', max_lost=args.max_lost)
    name = source_name(args)
    cap = cv2.VideoCapture(args.video if args.camera is None else args.camera)
    if not cap.isOpened():
        raise ValueError(f'{name}: OpenCV cannot open the video')
    fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
    writer = None
    buffers: Dict[int, Deque] = {}
    labels: Dict[int, str] = {}
    records: List[dict] = []
    t = frames_with_people = 0
    while not args.max_frames or t < args.max_frames:
        ok, frame = cap.read()
        if not ok:
            break
        if writer is None:
            h, w = frame.shape[:2]
            writer = cv2.VideoWriter(args.out_file, cv2.VideoWriter_fourcc(*'mp4v'), fps, (w, h))
        kpts, scores, pixels = source(frame)
        frames_with_people += int(len(kpts) > 0)
        ids = tracker.update(pixels, scores)
        seen = dict(zip(ids, range(len(ids))))
        for track_id in set(buffers) | set(ids):
            buf = buffers.setdefault(track_id, deque(maxlen=clip_len))
            i = seen.get(track_id)
            buf.append(None if i is None else (kpts[i], scores[i]))
        for track_id in [k for k, b in buffers.items() if all(x is None for x in b)]:
            del buffers[track_id]  # gone for a whole window
        if (t + 1) >= clip_len and (t + 1 - clip_len) % stride == 0:
            for track_id, buf in buffers.items():
                if len(buf) == clip_len and sum(x is not None for x in buf) >= clip_len // 2:
                    prob = classify(model, list(buf), source.img_shape)
                    k = int(prob.argmax())
                    name = classes[k] if k < len(classes) else str(k)
                    labels[track_id] = f'{name} {prob[k]:.2f}'
                    records.append(dict(track=int(track_id), start=t + 1 - clip_len, end=t,
                                        label=name, score=float(prob[k])))
        for track_id, i in seen.items():
            text = f'#{track_id} ' + labels.get(track_id, '...')
            draw(frame, pixels[i], scores[i], source.links, COLORS[track_id % len(COLORS)], text)
        writer.write(frame)
        t += 1
    cap.release()
    if writer is None:
        raise ValueError(f'{name}: no frames')
    writer.release()
    print(f'{name}: {t} frames ({frames_with_people} with people), {len(records)} '
          f'windows classified (clip_len {clip_len}, stride {stride}); video written to '
          f'{args.out_file}')
    for r in records:
        print(f'  track {r["track"]} frames {r["start"]}-{r["end"]}: {r["label"]} '
              f'{r["score"]:.2f}')
    if args.out_json:
        with open(args.out_json, 'w', encoding='utf-8') as f:
            json.dump(dict(frames=t, frames_with_people=frames_with_people, clip_len=clip_len,
                           stride=stride, windows=records), f, indent=1)
    return records


def main(argv: Optional[Sequence[str]] = None) -> None:
    run(parse_args(argv))


if __name__ == '__main__':
    main()
