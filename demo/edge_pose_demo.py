"""Real-time multi-person pose on the edge runtime: a camera or a video in, skeletons out.

Needs only onnxruntime, numpy and OpenCV (``pip install --no-deps posezoo``, then those three:
docs/deployment.md)::

    python demo/edge_pose_demo.py work_dirs/edge/bkpose.onnx 0 --show          # webcam 0
    python demo/edge_pose_demo.py work_dirs/edge/bkpose_int8.onnx street.mp4 --out-file out.mp4

Every frame gets the people's skeletons (keypoints above ``--kpt-thr``) and the frame rate
(of the whole image-to-keypoints step, averaged over the last 10 frames) drawn on it. The last
line printed is a summary: frames, people drawn per frame, the mean FPS and where the video went.
"""
import argparse
import collections
import os
import os.path as osp
import sys
import time
from typing import Optional, Sequence

import cv2

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from posezoo.edge import EdgePoseEstimator, draw_poses  # noqa: E402


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='BK-Pose edge runtime video / webcam demo')
    parser.add_argument('model', help='the .onnx model (its JSON sidecar beside it)')
    parser.add_argument('source', help='camera index (e.g. 0) or video file')
    parser.add_argument('--out-file', help='video to write (.mp4 / .avi)')
    parser.add_argument('--show', action='store_true', help='display the frames in a window')
    parser.add_argument('--kpt-thr', type=float, default=0.3)
    parser.add_argument('--threads', type=int, help='inference threads (default: physical cores)')
    parser.add_argument('--backend', default='onnxruntime', choices=('onnxruntime', 'openvino'),
                        help='inference engine (the same ONNX file; docs/deployment.md)')
    parser.add_argument('--max-frames', type=int, help='stop after this many frames')
    return parser.parse_args(argv)


def open_source(source: str) -> cv2.VideoCapture:
    """A capture of camera ``source`` (digits) or of the video file ``source``."""
    if source.isdigit():
        capture = cv2.VideoCapture(int(source))
        what = f'camera {source}'
    else:
        if not osp.isfile(source):
            raise FileNotFoundError(f'video file not found: {source}')
        capture = cv2.VideoCapture(source)
        what = f'video file {source}'
    if not capture.isOpened():
        raise RuntimeError(f'cannot open {what}')
    return capture


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    if not args.out_file and not args.show:
        raise SystemExit('give --out-file and/or --show')
    estimator = EdgePoseEstimator(args.model, threads=args.threads, backend=args.backend)
    capture = open_source(args.source)
    fps_in = capture.get(cv2.CAP_PROP_FPS) or 25.0
    writer = None
    recent = collections.deque(maxlen=10)
    frames = people = 0
    total = 0.0
    try:
        while args.max_frames is None or frames < args.max_frames:
            ok, frame = capture.read()
            if not ok:
                break
            start = time.perf_counter()
            poses = estimator(frame)
            elapsed = time.perf_counter() - start
            recent.append(elapsed)
            total += elapsed
            frames += 1
            people += draw_poses(frame, poses.keypoints, poses.keypoint_scores,
                                 estimator.skeleton_links, args.kpt_thr)
            fps = len(recent) / sum(recent)
            cv2.putText(frame, f'{fps:.1f} FPS', (10, 30), cv2.FONT_HERSHEY_SIMPLEX, 1.0,
                        (0, 0, 0), 4, cv2.LINE_AA)
            cv2.putText(frame, f'{fps:.1f} FPS', (10, 30), cv2.FONT_HERSHEY_SIMPLEX, 1.0,
                        (255, 255, 255), 2, cv2.LINE_AA)
            if args.out_file:
                if writer is None:
                    os.makedirs(osp.dirname(osp.abspath(args.out_file)), exist_ok=True)
                    fourcc = cv2.VideoWriter_fourcc(*('XVID' if args.out_file.endswith('.avi')
                                                      else 'mp4v'))
                    writer = cv2.VideoWriter(args.out_file, fourcc, fps_in,
                                             (frame.shape[1], frame.shape[0]))
                    if not writer.isOpened():
                        raise RuntimeError(f'cannot write video {args.out_file}')
                writer.write(frame)
            if args.show:
                cv2.imshow('posezoo edge pose', frame)
                if cv2.waitKey(1) & 0xFF in (27, ord('q')):
                    break
    finally:
        capture.release()
        if writer is not None:
            writer.release()
        if args.show:
            cv2.destroyAllWindows()
    if not frames:
        raise SystemExit(f'no frame could be read from {args.source}')
    saved = f'video saved to {args.out_file}' if args.out_file else 'no video saved'
    print(f'{frames} frames, {people / frames:.1f} people drawn per frame, '
          f'{frames / total:.1f} FPS (image to keypoints); {saved}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
