"""BK-Pose: the PyTorch pipeline vs the edge runtime (ONNX Runtime fp32 / INT8), in one run.

    python tools/analysis/edge_benchmark.py [--checkpoint CKPT] [--threads 2] [--repeats 7]

Everything is measured in one process, interleaved (one repetition of every variant after the
other, so that a load spike on the shared machine hits all of them), at batch 1:

* **network** at 512x512 (a real image resized to the square input): BK-Pose in PyTorch, in
  ONNX Runtime fp32 with each graph-optimisation level (``disable`` / ``basic`` / ``all``) and
  1 / N threads, and INT8; HigherHRNet-W32 in PyTorch (and ONNX Runtime with
  ``--baseline-onnx``). GFLOPs (MMEngine's ``FlopAnalyzer``, multiply-accumulates) divided by
  the median latency gives GFLOP/s, the efficiency of each runtime on this CPU;
* **end to end** on the coco-mini val2017 images with the most people (file -> keypoints in
  image coordinates): ``posezoo.apis.inference`` (mmpose test pipeline, PyTorch network, torch
  codec) vs ``posezoo.edge.EdgePoseEstimator`` fp32 and INT8 (``cv2.imread`` + preprocessing +
  ONNX Runtime + numpy decoding), with images/s = images / median time of one pass over them;
  PyTorch runs with 1 and N threads (``torch.set_num_threads`` before each pass: on a loaded
  machine its N OpenMP threads can wait for each other far longer than one thread computes), and
  the edge runtime's speed-up is over the faster of the two;
* **equal output**: on the same images, the largest keypoint / score difference of the edge
  fp32 runtime from the PyTorch pipeline, and the share of INT8 keypoints within 2 px of fp32.

The models are exported to ``--out-dir`` with ``tools/deployment/export_edge.py`` and
``tools/deployment/quantize_edge.py`` (calibration: ``--calibration``, coco-mini val2017, with
the quantiser's defaults).
Results: ``edge_benchmark.json`` and ``edge_benchmark.md`` in ``--out-dir``.
"""
import argparse
import importlib.util
import json
import os
import os.path as osp
import platform
import statistics
import sys
import time
from typing import Any, Callable, Dict, List, Optional, Sequence

import cv2
import numpy as np
import torch

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO_ROOT)

from posezoo.apis import inference, init_model  # noqa: E402
from posezoo.edge import EdgePoseEstimator  # noqa: E402
from posezoo.edge.preprocess import normalize  # noqa: E402
from posezoo.edge.runtime import session_options  # noqa: E402
from posezoo.utils.paths import shared_dir  # noqa: E402

BKPOSE = 'configs/body_2d_keypoint/bkpose/coco/bkpose_1xb8-60e_coco-512x512.py'
HIGHERHRNET = 'configs/body_2d_keypoint/higherhrnet/coco/higherhrnet_hrnet-w32_8xb24-300e_coco-512x512.py'
SHARED = str(shared_dir() / 'data' / 'coco-mini')
#: coco-mini val2017 images with the most people (13, 9, 4, 4, 3).
CROWD = ('000000217285.jpg', '000000350679.jpg', '000000151938.jpg', '000000183709.jpg',
         '000000311002.jpg')


def _tool(relative: str) -> Any:
    spec = importlib.util.spec_from_file_location(osp.splitext(osp.basename(relative))[0],
                                                  osp.join(REPO_ROOT, relative))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def gflops(network: torch.nn.Module, x: torch.Tensor) -> float:
    """Multiply-accumulates of one forward, 1e9 (fvcore convention, as docs/benchmark.md)."""
    from mmengine.analysis import FlopAnalyzer
    analyzer = FlopAnalyzer(network, (x, ))
    analyzer.unsupported_ops_warnings(False)
    analyzer.uncalled_modules_warnings(False)
    return analyzer.total() / 1e9


def interleaved(variants: Dict[str, Callable[[], Any]], warmup: int, repeats: int
                ) -> Dict[str, List[float]]:
    """Seconds of each call of each variant; every repetition runs all variants in turn."""
    for fn in variants.values():
        for _ in range(warmup):
            fn()
    samples: Dict[str, List[float]] = {name: [] for name in variants}
    for _ in range(repeats):
        for name, fn in variants.items():
            start = time.perf_counter()
            fn()
            samples[name].append(time.perf_counter() - start)
    return samples


def _threads(threads: int, fn: Callable[[], Any]) -> Callable[[], Any]:
    """``fn`` run with ``threads`` PyTorch intra-op threads."""

    def run() -> Any:
        torch.set_num_threads(threads)
        return fn()
    return run


def ort_network(model_file: str, threads: int, level: str) -> Callable[[np.ndarray], Any]:
    import onnxruntime as ort
    session = ort.InferenceSession(model_file, sess_options=session_options(threads, level),
                                   providers=['CPUExecutionProvider'])
    name = session.get_inputs()[0].name
    return lambda x: session.run(None, {name: x})


def square_input(image: str, size: int) -> np.ndarray:
    """A real image resized to (size, size), normalised like BK-Pose ((x / 255), RGB)."""
    return normalize(cv2.resize(cv2.imread(image), (size, size)), [0, 0, 0], [255, 255, 255])


def compare(edge: Any, reference: Any) -> Dict[str, float]:
    """Largest differences of one image's edge predictions from the PyTorch pipeline's."""
    instances = reference.pred_instances
    ref_kpts = np.asarray(instances.keypoints)
    if edge.keypoints.shape != ref_kpts.shape:
        return dict(same_people=False, keypoint_error=float('inf'), score_error=float('inf'))
    return dict(
        same_people=True,
        keypoint_error=float(np.abs(edge.keypoints - ref_kpts).max(initial=0)),
        score_error=float(max(
            np.abs(edge.keypoint_scores - np.asarray(instances.keypoint_scores)).max(initial=0),
            np.abs(edge.instance_scores - np.asarray(instances.bbox_scores)).max(initial=0))))


def int8_agreement(fp32: Any, int8: Any, thr: float = 0.3) -> tuple:
    """(keypoints within 2 px, keypoints compared, same number of people) of one image: people
    with a keypoint above ``thr``, paired greedily by mean keypoint distance."""
    a_people = fp32.keypoint_scores.max(1, initial=0) > thr
    b_people = int8.keypoint_scores.max(1, initial=0) > thr
    a, b = fp32.keypoints[a_people], int8.keypoints[b_people]
    sa, sb = fp32.keypoint_scores[a_people], int8.keypoint_scores[b_people]
    cost = np.linalg.norm(a[:, None] - b[None], axis=-1).mean(-1)
    close = total = 0
    while cost.size and np.isfinite(cost).any():
        i, j = np.unravel_index(np.argmin(cost), cost.shape)
        found = (sa[i] > thr) | (sb[j] > thr)
        dist = np.linalg.norm(a[i] - b[j], axis=-1)
        close += int(((dist <= 2) & (sa[i] > 0) & (sb[j] > 0) & found).sum())
        total += int(found.sum())
        cost[i, :] = np.inf
        cost[:, j] = np.inf
    return close, total, int(a_people.sum()) == int(b_people.sum())


def median_ms(samples: Sequence[float]) -> float:
    return statistics.median(samples) * 1e3


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--config', default=BKPOSE)
    parser.add_argument('--checkpoint', help='BK-Pose weights (default: initial weights)')
    parser.add_argument('--baseline', default=HIGHERHRNET)
    parser.add_argument('--baseline-onnx', action='store_true',
                        help='also time the baseline in ONNX Runtime (exports it)')
    parser.add_argument('--images', nargs='+', help='end-to-end images (default: the coco-mini '
                        'val2017 crowd images)')
    parser.add_argument('--calibration', default=osp.join(SHARED, 'val2017'))
    parser.add_argument('--calibration-images', type=int, default=64)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--repeats', type=int, default=7)
    parser.add_argument('--baseline-repeats', type=int, default=3)
    parser.add_argument('--size', type=int, default=512, help='square network input')
    parser.add_argument('--out-dir', default=osp.join('work_dirs', 'edge_benchmark'))
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    os.makedirs(args.out_dir, exist_ok=True)
    images = args.images or [osp.join(SHARED, 'val2017', name) for name in CROWD]
    started = time.time()
    load_before = os.getloadavg()

    # export fp32 + INT8
    onnx_file = osp.join(args.out_dir, 'bkpose.onnx')
    int8_file = osp.join(args.out_dir, 'bkpose_int8.onnx')
    _tool('tools/deployment/export_edge.py').export_edge(args.config, args.checkpoint, onnx_file,
                                                         images[0])
    _tool('tools/deployment/quantize_edge.py').quantize_edge(
        onnx_file, args.calibration, int8_file, args.calibration_images)

    # network at size x size
    model = init_model(args.config, args.checkpoint, device='cpu')
    baseline = init_model(args.baseline, device='cpu')
    x = square_input(images[0], args.size)
    xt = torch.from_numpy(x)
    net = dict(bkpose=lambda: model(xt, None, mode='tensor'),
               baseline=lambda: baseline(xt, None, mode='tensor'))
    flops = {name: gflops(_Wrap(m), xt) for name, m in (('bkpose', model),
                                                        ('baseline', baseline))}
    ort_variants: Dict[str, Callable[[], Any]] = {}
    for level in ('disable', 'basic', 'all'):
        for threads in sorted({1, args.threads}):
            run = ort_network(onnx_file, threads, level)
            ort_variants[f'ort fp32 {level} {threads}t'] = lambda run=run: run(x)
    for threads in sorted({1, args.threads}):
        run = ort_network(int8_file, threads, 'all')
        ort_variants[f'ort int8 all {threads}t'] = lambda run=run: run(x)
    thread_counts = sorted({1, args.threads})
    torch_variants = {f'torch {t}t': _threads(t, net['bkpose']) for t in thread_counts}
    with torch.no_grad():
        network_samples = interleaved(dict(**torch_variants, **ort_variants), args.warmup,
                                      args.repeats)
        baseline_samples = interleaved(
            {f'torch {t}t': _threads(t, net['baseline']) for t in thread_counts}, 1,
            args.baseline_repeats)
    torch.set_num_threads(args.threads)
    if args.baseline_onnx:
        base_file = osp.join(args.out_dir, 'baseline.onnx')
        from posezoo.deployment.onnx_export import export_onnx
        export_onnx(_Wrap(baseline).eval(), xt, base_file)
        run_base = ort_network(base_file, args.threads, 'all')
        baseline_samples.update(interleaved(dict(ort=lambda: run_base(x)), 1,
                                            args.baseline_repeats))

    # end to end on real images
    fp32 = EdgePoseEstimator(onnx_file, threads=args.threads)
    int8 = EdgePoseEstimator(int8_file, threads=args.threads)
    edge_runs = {f'edge {kind} {t}t': EdgePoseEstimator(f, threads=t)
                 for kind, f in (('fp32', onnx_file), ('int8', int8_file)) for t in thread_counts}
    frames = [cv2.imread(p) for p in images]
    with torch.no_grad():
        reference = [inference(model, p) for p in images]
    edge_out = [fp32(f) for f in frames]
    int8_out = [int8(f) for f in frames]
    errors = [compare(e, r) for e, r in zip(edge_out, reference)]
    agreement = [int8_agreement(a, b) for a, b in zip(edge_out, int8_out)]
    splits: Dict[str, Dict[str, List[float]]] = {name: {} for name in edge_runs}

    def edge_pass(estimator: EdgePoseEstimator, key: str) -> None:
        parts = dict(preprocess=0.0, forward=0.0, decode=0.0)
        for path in images:
            frame = cv2.imread(path)
            for part, seconds in estimator(frame).timings.items():
                parts[part] += seconds
        for part, seconds in parts.items():
            splits[key].setdefault(part, []).append(seconds)

    def torch_pass() -> None:
        for path in images:
            inference(model, path)

    # PyTorch at 1 and N threads (on a loaded machine its OpenMP threads can collapse: the
    # edge runtime is compared with the faster of the two)
    with torch.no_grad():
        e2e = interleaved({**{f'pytorch pipeline {t}t': _threads(t, torch_pass)
                              for t in thread_counts},
                           **{name: (lambda e=e, name=name: edge_pass(e, name))
                              for name, e in edge_runs.items()}}, 1, args.repeats)
    torch.set_num_threads(args.threads)

    # results
    n = len(images)
    result: Dict[str, Any] = dict(
        date=time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(started)),
        machine=dict(cpu=platform.processor() or platform.machine(), cores=os.cpu_count(),
                     threads=args.threads, torch=torch.__version__,
                     onnxruntime=__import__('onnxruntime').__version__,
                     load_before=load_before, load_after=os.getloadavg()),
        config=args.config, checkpoint=args.checkpoint, baseline=args.baseline,
        images=[osp.basename(p) for p in images], size=args.size, repeats=args.repeats,
        gflops=flops, network={}, end_to_end={}, equal_output={})
    for name, samples in network_samples.items():
        ms = median_ms(samples)
        result['network'][f'bkpose {name}'] = dict(
            latency_ms=ms, fps=1e3 / ms, gflop_per_s=flops['bkpose'] / ms * 1e3)
    for name, samples in baseline_samples.items():
        ms = median_ms(samples)
        result['network'][f'baseline {name}'] = dict(
            latency_ms=ms, fps=1e3 / ms, gflop_per_s=flops['baseline'] / ms * 1e3)
    for name, samples in e2e.items():
        ms = median_ms(samples)
        row = dict(latency_ms=ms / n, images_per_s=n * 1e3 / ms)
        for part, part_samples in splits.get(name, {}).items():
            row[f'{part}_ms'] = median_ms(part_samples) / n
        result['end_to_end'][name] = row
    torch_ips = max(row['images_per_s'] for name, row in result['end_to_end'].items()
                    if name.startswith('pytorch'))
    for name, row in result['end_to_end'].items():
        if name.startswith('pytorch'):
            row['speedup'] = row['images_per_s'] / torch_ips
    for name in edge_runs:
        result['end_to_end'][name]['speedup'] = (
            result['end_to_end'][name]['images_per_s'] / torch_ips)
    close = sum(a[0] for a in agreement)
    total = sum(a[1] for a in agreement)
    result['equal_output'] = dict(
        people=[len(r.pred_instances) for r in reference],
        same_people=all(e['same_people'] for e in errors),
        max_keypoint_error_px=max(e['keypoint_error'] for e in errors),
        max_score_error=max(e['score_error'] for e in errors),
        int8_within_2px=close / total if total else None, int8_keypoints=total,
        int8_same_people=all(a[2] for a in agreement))
    with open(osp.join(args.out_dir, 'edge_benchmark.json'), 'w') as f:
        json.dump(result, f, indent=2)
    table = report(result)
    with open(osp.join(args.out_dir, 'edge_benchmark.md'), 'w') as f:
        f.write(table)
    print(table)
    return 0


class _Wrap(torch.nn.Module):
    """A pose estimator's network as ``Tensor -> tuple of Tensors`` (for FlopAnalyzer / export)."""

    def __init__(self, model: torch.nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor) -> tuple:
        return tuple(self.model(x, None, mode='tensor'))


def report(result: Dict[str, Any]) -> str:
    """The markdown tables of one run."""
    m = result['machine']
    lines = [f'Measured {result["date"]}, {m["cores"]} CPU cores ({m["cpu"]}), {m["threads"]} '
             f'threads, torch {m["torch"]}, onnxruntime {m["onnxruntime"]}, load average '
             f'{m["load_before"][0]:.2f} before / {m["load_after"][0]:.2f} after; medians of '
             f'{result["repeats"]} interleaved repetitions.', '',
             f'Network, batch 1, {result["size"]}x{result["size"]}:', '',
             '| Model / runtime | GFLOPs | Latency (ms) | FPS | GFLOP/s |',
             '| --- | --- | --- | --- | --- |']
    for name, row in result['network'].items():
        model = 'baseline' if name.startswith('baseline') else 'bkpose'
        label = name.replace('baseline', 'HigherHRNet-W32').replace('bkpose', 'BK-Pose')
        lines.append(f'| {label} | {result["gflops"][model]:.2f} | {row["latency_ms"]:.1f} | '
                     f'{row["fps"]:.2f} | {row["gflop_per_s"]:.1f} |')
    lines += ['', f'End to end (file -> keypoints), {len(result["images"])} images '
              f'({", ".join(result["images"])}):', '',
              '| Runtime | Latency / image (ms) | Images/s | vs PyTorch (faster row) | Pre (ms) | Forward (ms) '
              '| Decode (ms) |', '| --- | --- | --- | --- | --- | --- | --- |']
    for name, row in result['end_to_end'].items():
        lines.append(f'| {name} | {row["latency_ms"]:.1f} | {row["images_per_s"]:.2f} | '
                     f'{row.get("speedup", 1.0):.2f}x | {row.get("preprocess_ms", float("nan")):.1f} '
                     f'| {row.get("forward_ms", float("nan")):.1f} | '
                     f'{row.get("decode_ms", float("nan")):.1f} |')
    eq = result['equal_output']
    lines += ['', f'Equal output: people per image {eq["people"]}, same people '
              f'{eq["same_people"]}, max keypoint difference edge fp32 vs PyTorch '
              f'{eq["max_keypoint_error_px"]:.2e} px, max score difference '
              f'{eq["max_score_error"]:.2e}; INT8 vs fp32: '
              + (f'{eq["int8_within_2px"]:.1%} of {eq["int8_keypoints"]} keypoints within 2 px, '
                 f'same people {eq["int8_same_people"]}' if eq['int8_keypoints'] else
                 'no keypoints above 0.3 to compare') + '.', '']
    return '\n'.join(lines)


if __name__ == '__main__':
    sys.exit(main())
