"""Export a zoo model's network to ONNX and check ONNX Runtime against PyTorch.

The graph is the network from the normalised image up to the raw head outputs (heatmaps, tags);
decoding stays in Python (the model's codec). Opset >= 17, dynamic batch (and, by default,
dynamic height / width, since bottom-up pose models keep the image's aspect ratio).

    python tools/deployment/pytorch2onnx.py configs/body_2d_keypoint/bkpose/coco/<config>.py \\
        [--checkpoint CKPT] [--output-file bkpose.onnx] [--image IMG] [--opset 17]

The check runs the real image (default: COCO val 000000350679, 9 people) through the config's
test pipeline, then PyTorch and ONNX Runtime at batch 1 and at batch 2 (the image and its mirror,
which exercises the dynamic batch axis), prints the max absolute error and the latency of both
runtimes, and exits with status 1 when the error exceeds ``--tolerance`` (default 1e-4).
"""
import argparse
import os.path as osp
import sys
from typing import Optional, Sequence

import torch
from torch.utils.benchmark import Timer

from posezoo.apis import config_input_shape, config_task, init_model, preprocess
from posezoo.deployment import InferenceNetwork, export_onnx, max_abs_error, ort_session, run_ort
from posezoo.utils.paths import coco_mini_image
from posezoo.utils.setup_env import resolve_config


def median_seconds(fn, repeats: int) -> float:
    """The median time of ``repeats`` calls of ``fn`` (``torch.utils.benchmark``)."""
    return Timer(stmt='fn()', globals=dict(fn=fn), num_threads=torch.get_num_threads()) \
        .timeit(repeats).median


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Export a model to ONNX and check it against '
                                     'PyTorch with ONNX Runtime')
    parser.add_argument('config', help='config file (or <package>::<config>)')
    parser.add_argument('--checkpoint', help='weights (default: initial weights)')
    parser.add_argument('--output-file',
                        help='the .onnx file (default: work_dirs/onnx/<name>.onnx)')
    parser.add_argument('--opset', type=int, default=17)
    parser.add_argument('--image', help='real image for the check (pose / classification)')
    parser.add_argument('--shape', help='input shape without batch, e.g. 3,512,512 (used when '
                        'there is no image; default: from the config)')
    parser.add_argument('--static-spatial', action='store_true',
                        help='fix height and width (only the batch axis is dynamic)')
    parser.add_argument('--tolerance', type=float, default=1e-4)
    parser.add_argument('--repeats', type=int, default=5, help='timed runs per runtime')
    parser.add_argument('--threads', type=int, help='CPU threads of both runtimes')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    path = resolve_config(args.config)
    model = init_model(path, checkpoint=args.checkpoint)
    network = InferenceNetwork(model, config_task(model.cfg)).eval()
    default_image = coco_mini_image()
    image = args.image or (str(default_image) if default_image.is_file() else None)
    if image is not None and network.task in ('pose', 'image_classification'):
        x1 = preprocess(model, image)['inputs']
        source = f'{image} via the test pipeline'
    else:
        shape = (tuple(int(v) for v in args.shape.split(',')) if args.shape
                 else config_input_shape(model.cfg))
        x1 = torch.randn((1, *shape), generator=torch.Generator().manual_seed(0))
        source = 'N(0, 1) input'
    stem = osp.splitext(osp.basename(path))[0]
    output = args.output_file or osp.join('work_dirs', 'onnx', f'{stem}.onnx')
    names = export_onnx(network, x1, output, opset=args.opset, dynamic_batch=True,
                        dynamic_spatial=not args.static_spatial)
    print(f'exported {output} (opset {args.opset}, outputs {", ".join(names)}, input '
          f'{tuple(x1.shape)} from {source})')

    session = ort_session(output)
    worst = 0.0
    x2 = torch.cat([x1, x1.flip(-1)]) if x1.dim() == 4 else torch.cat([x1, x1])
    for label, x in (('batch 1', x1), ('batch 2', x2)):
        with torch.no_grad():
            reference = network(x)
        error = max_abs_error(reference, run_ort(session, x))
        worst = max(worst, error)
        peak = max(float(r.abs().max()) for r in reference)
        print(f'{label}: max abs error ONNX Runtime vs PyTorch = {error:.3e} '
              f'(largest |output| {peak:.3g})')

    feed = {session.get_inputs()[0].name: x1.numpy()}
    ort_time = median_seconds(lambda: session.run(None, feed), args.repeats)
    with torch.no_grad():
        torch_time = median_seconds(lambda: network(x1), args.repeats)
    print(f'latency at batch 1 (mean of {args.repeats}): PyTorch {torch_time * 1e3:.1f} ms, '
          f'ONNX Runtime {ort_time * 1e3:.1f} ms ({torch_time / ort_time:.2f}x), '
          f'{torch.get_num_threads()} threads')
    if worst > args.tolerance:
        print(f'FAILED: max abs error {worst:.3e} > tolerance {args.tolerance:g}')
        return 1
    print(f'OK: max abs error {worst:.3e} <= {args.tolerance:g}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
