"""Real-time facial-expression recognition on a webcam or a video file.

Each frame: OpenCV's bundled Haar cascade finds the faces, a FER2013 classifier (e.g.
``configs/image_classification/fer2013/resnet18_1xb128-200e_fer2013-48x48.py``) labels every
face, and the box, the expression, its score and the FPS are drawn on the frame.

Examples::

    python demo/expression_demo.py CONFIG --checkpoint CKPT --input 0                # webcam 0
    python demo/expression_demo.py CONFIG --checkpoint CKPT --input in.mp4 --out out.mp4 --no-show

Without a display (no ``DISPLAY`` on Linux) the demo runs headless; ``--out`` writes the
annotated video. Needs OpenCV < 5: the OpenCV 5 wheels no longer bundle the Haar cascades
(or pass ``--cascade haarcascade_frontalface_default.xml``).
"""
import argparse
import os
import os.path as osp
import sys
import time
from dataclasses import dataclass, field
from typing import List, Optional, Sequence

import cv2
import numpy as np

from posezoo.apis import inference, init_model

BOX_COLOR = (0, 255, 0)
TEXT_COLOR = (0, 0, 0)


class HaarFaceDetector:
    """Frontal-face detector using OpenCV's bundled ``haarcascade_frontalface_default.xml``.

    Args:
        cascade: The cascade XML (default: the one bundled with OpenCV, ``cv2.data.haarcascades``).
        scale_factor: Image pyramid step of ``detectMultiScale``.
        min_neighbors: Overlapping detections needed to keep a face.
        min_size: Smallest face side in pixels.
    """

    def __init__(self,
                 cascade: Optional[str] = None,
                 scale_factor: float = 1.1,
                 min_neighbors: int = 5,
                 min_size: int = 24) -> None:
        if not hasattr(cv2, 'CascadeClassifier'):
            raise RuntimeError(f'OpenCV {cv2.__version__} has no CascadeClassifier (OpenCV 5 moved it to '
                               'opencv-contrib-python); install opencv-python < 5')
        path = cascade or osp.join(cv2.data.haarcascades, 'haarcascade_frontalface_default.xml')
        if not osp.isfile(path):
            raise FileNotFoundError(f'Haar cascade {path} not found (OpenCV {cv2.__version__}; the wheels of '
                                    'OpenCV 5 no longer bundle the cascades): install opencv-python < 5 '
                                    'or pass --cascade haarcascade_frontalface_default.xml')
        self.cascade = cv2.CascadeClassifier(path)
        if self.cascade.empty():
            raise RuntimeError(f'cannot load the Haar cascade {path}')
        self.scale_factor = scale_factor
        self.min_neighbors = min_neighbors
        self.min_size = min_size

    def __call__(self, gray: np.ndarray) -> np.ndarray:
        """Detect faces in a uint8 (H, W) image; returns int (N, 4) boxes ``x, y, w, h``."""
        faces = self.cascade.detectMultiScale(
            gray, scaleFactor=self.scale_factor, minNeighbors=self.min_neighbors,
            minSize=(self.min_size, self.min_size))
        return np.asarray(faces, dtype=np.int64).reshape(-1, 4)


@dataclass
class FrameResult:
    """Faces of one frame: int (N, 4) ``x, y, w, h`` boxes, class names and scores."""

    boxes: np.ndarray
    labels: List[str] = field(default_factory=list)
    scores: List[float] = field(default_factory=list)


def classify_faces(model, gray: np.ndarray, boxes: np.ndarray) -> FrameResult:
    """Label every face box of a uint8 (H, W) frame with the expression classifier."""
    result = FrameResult(boxes=boxes)
    if len(boxes) == 0:
        return result
    crops = [gray[y:y + h, x:x + w] for x, y, w, h in boxes]
    names = model.dataset_meta['classes']  # from the checkpoint, else the config's dataset
    for sample in inference(model, crops):
        label = int(sample.pred_label.item())
        result.labels.append(names[label])
        result.scores.append(float(sample.pred_score[label]))
    return result


def draw_label(img: np.ndarray, text: str, x: int, y: int, color: tuple) -> None:
    """Draw ``text`` on a filled box whose bottom-left corner is (x, y), in place."""
    (tw, th), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, 0.5, 1)
    y = max(y, th + base)
    cv2.rectangle(img, (x, y - th - base), (x + tw, y), color, -1)
    cv2.putText(img, text, (x, y - base), cv2.FONT_HERSHEY_SIMPLEX, 0.5, TEXT_COLOR, 1, cv2.LINE_AA)


def draw_frame(frame: np.ndarray, result: FrameResult, fps: Optional[float]) -> np.ndarray:
    """Draw the face boxes, ``<expression> <score>`` above each box and the FPS, in place."""
    for (x, y, w, h), label, score in zip(result.boxes, result.labels, result.scores):
        cv2.rectangle(frame, (int(x), int(y)), (int(x + w), int(y + h)), BOX_COLOR, 2)
        draw_label(frame, f'{label} {score:.2f}', int(x), int(y), BOX_COLOR)
    if fps is not None:
        draw_label(frame, f'FPS {fps:.1f}', 0, 0, (255, 255, 255))
    return frame


def has_display() -> bool:
    """Whether windows can be shown (on Linux: an X11 or Wayland display is set)."""
    if sys.platform.startswith('linux'):
        return bool(os.environ.get('DISPLAY') or os.environ.get('WAYLAND_DISPLAY'))
    return True


def open_capture(source: str) -> cv2.VideoCapture:
    """Open a webcam (``source`` is its index, e.g. ``'0'``) or a video file."""
    capture = cv2.VideoCapture(int(source) if source.isdigit() else source)
    if not capture.isOpened():
        raise FileNotFoundError(f'cannot open the video source {source!r}')
    return capture


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Facial-expression recognition on a webcam or video')
    parser.add_argument('config', help='FER2013 classifier config: path, posezoo::<path> or model name')
    parser.add_argument('--checkpoint', default=None, help='checkpoint (random weights if omitted)')
    parser.add_argument('--input', default='0', help='webcam index or video file (default: webcam 0)')
    parser.add_argument('--out', default=None, help='write the annotated video here (mp4)')
    parser.add_argument('--device', default='cpu', help='device, e.g. cpu or cuda:0')
    parser.add_argument('--no-show', action='store_true', help='never open a window')
    parser.add_argument('--max-frames', type=int, default=0, help='stop after this many frames (0: no limit)')
    parser.add_argument('--min-face', type=int, default=24, help='smallest face side in pixels')
    parser.add_argument('--cascade', default=None, help="Haar cascade XML (default: OpenCV's bundled frontal-face one)")
    parser.add_argument('--camera', type=int, default=None, help='webcam index (the same as --input INDEX)')
    args = parser.parse_args(argv)
    if args.camera is not None:
        args.input = str(args.camera)
    return args


def main(argv: Optional[Sequence[str]] = None) -> List[FrameResult]:
    """Run the demo; returns the faces found in every frame."""
    args = parse_args(argv)
    capture = open_capture(args.input)
    show = not args.no_show and has_display()
    writer = None
    results: List[FrameResult] = []
    fps = None
    try:
        detector = HaarFaceDetector(args.cascade, min_size=args.min_face)
        model = init_model(args.config, args.checkpoint, device=args.device)
        while not args.max_frames or len(results) < args.max_frames:
            ok, frame = capture.read()
            if not ok:
                break
            start = time.perf_counter()
            gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
            result = classify_faces(model, gray, detector(gray))
            elapsed = time.perf_counter() - start
            fps = 1.0 / elapsed if fps is None else 0.9 * fps + 0.1 / elapsed
            draw_frame(frame, result, fps)
            results.append(result)
            if args.out:
                if writer is None:
                    writer = cv2.VideoWriter(args.out, cv2.VideoWriter_fourcc(*'mp4v'),
                                             capture.get(cv2.CAP_PROP_FPS) or 25.0,
                                             (frame.shape[1], frame.shape[0]))
                    if not writer.isOpened():
                        raise OSError(f'cannot write the video {args.out}')
                writer.write(frame)
            if show:
                cv2.imshow('posezoo expression demo', frame)
                if cv2.waitKey(1) & 0xFF in (ord('q'), 27):
                    break
    finally:
        capture.release()
        if writer is not None:
            writer.release()
        if show:
            cv2.destroyAllWindows()
    faces = sum(len(r.boxes) for r in results)
    print(f'{len(results)} frames, {faces} faces' + (f', written to {args.out}' if args.out else ''))
    return results


if __name__ == '__main__':
    main()
