"""Time the edge runtime's backends on one model and image, interleaved, and check they agree.

    python tools/deployment/compare_backends.py MODEL.onnx IMAGE [--backends onnxruntime openvino]
        [--threads 2] [--rounds 5] [--iters 10] [--save-heatmaps OUT.npz] [--compare REF.npz]

Each round runs every backend ``--iters`` times on the network alone (the image's preprocessed
input) and end to end (preprocessing and numpy decoding included), in turn, so that the load of
a shared machine affects them alike; the medians over all rounds are printed with the backend's
version and the first backend's time over each. The max abs difference of each backend's
heatmaps and people from the first backend's is printed too. ``--save-heatmaps`` /
``--compare`` carry the heatmaps between two environments (e.g. two ONNX Runtime releases, each
in its own virtual environment). Needs numpy, OpenCV and the engines only (no torch).
"""
import argparse
import os.path as osp
import platform
import sys
import time
from typing import Dict, List, Optional, Sequence

import cv2
import numpy as np

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO_ROOT)

from posezoo.edge import EdgePoseEstimator  # noqa: E402
from posezoo.edge.backends import BACKENDS  # noqa: E402


def engine_version(backend: str) -> str:
    """The installed version of ``backend``'s package."""
    if backend == 'openvino':
        import openvino
        return openvino.__version__.split('-')[0]
    import onnxruntime
    return onnxruntime.__version__


def cpu_name() -> str:
    """The CPU's model name (/proc/cpuinfo) or the platform's processor string."""
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or 'unknown CPU'


def measure(estimators: Dict[str, EdgePoseEstimator], frame: np.ndarray, rounds: int,
            iters: int) -> Dict[str, Dict[str, List[float]]]:
    """Per backend, the seconds of each network-alone and end-to-end call, interleaved."""
    x, _ = next(iter(estimators.values())).preprocess(frame)
    times = {name: dict(network=[], e2e=[]) for name in estimators}
    for estimator in estimators.values():  # warm-up (shape-specific compilation, allocations)
        estimator.forward(x)
        estimator(frame)
    for _ in range(rounds):
        for name, estimator in estimators.items():
            for _ in range(iters):
                start = time.perf_counter()
                estimator.forward(x)
                times[name]['network'].append(time.perf_counter() - start)
            for _ in range(iters):
                start = time.perf_counter()
                estimator(frame)
                times[name]['e2e'].append(time.perf_counter() - start)
    return times


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Time and compare the edge backends')
    parser.add_argument('model', help='the exported .onnx (sidecar beside it)')
    parser.add_argument('image')
    parser.add_argument('--backends', nargs='+', default=list(BACKENDS), choices=BACKENDS)
    parser.add_argument('--threads', type=int, default=None)
    parser.add_argument('--hint', default='latency', help='OpenVINO performance hint')
    parser.add_argument('--rounds', type=int, default=5)
    parser.add_argument('--iters', type=int, default=10)
    parser.add_argument('--save-heatmaps', help='write the first backend\'s heatmaps (npz)')
    parser.add_argument('--compare', help='heatmaps saved by another run: print the difference')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    frame = cv2.imread(args.image)
    if frame is None:
        raise SystemExit(f'cannot read image {args.image}')
    estimators = {}
    for backend in args.backends:
        options = dict(hint=args.hint) if backend == 'openvino' else {}
        estimators[f'{backend} {engine_version(backend)}'] = EdgePoseEstimator(
            args.model, threads=args.threads, backend=backend, **options)
    first_name, first = next(iter(estimators.items()))
    x, _ = first.preprocess(frame)
    heatmaps = {name: e.forward(x) for name, e in estimators.items()}
    people = {name: e(frame) for name, e in estimators.items()}
    print(f'{cpu_name()}, threads {args.threads or "physical cores"}, input {x.shape[3]}x'
          f'{x.shape[2]}, {args.rounds} rounds x {args.iters} calls, interleaved')
    for name in estimators:
        a, b = people[first_name], people[name]
        same = a.keypoints.shape == b.keypoints.shape
        kp = np.abs(a.keypoints - b.keypoints).max(initial=0) if same else np.inf
        score = np.abs(a.keypoint_scores - b.keypoint_scores).max(initial=0) if same else np.inf
        print(f'{name}: heatmaps max abs diff {np.abs(heatmaps[name] - heatmaps[first_name]).max():.2e}'
              f' vs {first_name}; {len(b)} people, keypoints {kp:.2e} px, scores {score:.2e}')
    if args.compare:
        ref = np.load(args.compare)['heatmaps']
        print(f'{first_name} vs {args.compare}: heatmaps max abs diff '
              f'{np.abs(heatmaps[first_name] - ref).max():.2e}')
    if args.save_heatmaps:
        np.savez(args.save_heatmaps, heatmaps=heatmaps[first_name])
    times = measure(estimators, frame, args.rounds, args.iters)
    base = {k: np.median(v) for k, v in times[first_name].items()}
    for name, runs in times.items():
        net, e2e = np.median(runs['network']), np.median(runs['e2e'])
        print(f'{name}: network {net * 1e3:.1f} ms (x{base["network"] / net:.2f}), end to end '
              f'{e2e * 1e3:.1f} ms = {1 / e2e:.1f} images/s (x{base["e2e"] / e2e:.2f})')
    return 0


if __name__ == '__main__':
    sys.exit(main())
