"""INT8 static quantisation of an edge BK-Pose model, calibrated on real images (coco-mini).

    python tools/deployment/quantize_edge.py work_dirs/edge/bkpose.onnx \\
        --calibration ../shared/data/coco-mini/val2017 [--num-images 64] \\
        [--output-file work_dirs/edge/bkpose_int8.onnx]

The calibration images go through the edge runtime's own preprocessing (the sidecar's resize
and normalisation), so the activation ranges are those inference sees; each image is used with
its mirror image too (twice the calibration samples). Quantisation is
``onnxruntime.quantization.quantize_static`` in QDQ format (int8 weights per output channel,
in 7 bits by default (``reduce_range``: on x86 CPUs without VNNI, ONNX Runtime's u8 x s8 kernels
can overflow with full-range weights), uint8 activations, min-max calibration), after
``quant_pre_process`` (shape inference and graph optimisation); the first convolution (on the
image) and the heatmap layer stay in float. These defaults are the variant that kept the INT8
keypoints closest to fp32 on the overfit test model among those measured (docs/deployment.md).
The INT8 model gets its own sidecar (``<stem>.json``, same settings, plus a
``quantization`` entry), so ``EdgePoseEstimator('bkpose_int8.onnx')`` loads it like the fp32 one.
"""
import argparse
import copy
import glob
import itertools
import os
import os.path as osp
import sys
import tempfile
from typing import Dict, Iterator, List, Optional, Sequence, Union

import cv2
import numpy as np

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO_ROOT)

from posezoo.edge.preprocess import bottomup_resize, normalize  # noqa: E402
from posezoo.edge.sidecar import read_sidecar, sidecar_path, write_sidecar  # noqa: E402


def calibration_images(folders: Union[str, Sequence[str]], num_images: int) -> List[str]:
    """Up to ``num_images`` JPEG / PNG files of ``folders`` (a folder or several), in name order
    within each folder, taken from the folders in turn (round robin)."""
    folders = [folders] if isinstance(folders, str) else list(folders)
    lists = [sorted(f for f in glob.glob(osp.join(folder, '*'))
                    if f.lower().endswith(('.jpg', '.jpeg', '.png'))) for folder in folders]
    if not any(lists):
        raise FileNotFoundError(f'no calibration images (.jpg / .png) in {", ".join(folders)}')
    files = [f for group in itertools.zip_longest(*lists) for f in group if f is not None]
    return files[:num_images]


class EdgeCalibrationReader:
    """``onnxruntime.quantization.CalibrationDataReader`` over images preprocessed as the edge
    runtime does it (the sidecar's ``preprocess`` settings)."""

    def __init__(self, files: Sequence[str], sidecar: dict, flip: bool = False) -> None:
        self.files = list(files)
        self.sidecar = sidecar
        self.flip = flip
        self._iter: Optional[Iterator[Dict[str, np.ndarray]]] = None

    def _inputs(self) -> Iterator[Dict[str, np.ndarray]]:
        cfg = self.sidecar['preprocess']
        for path in self.files:
            image = cv2.imread(path)
            if image is None:
                raise ValueError(f'cannot decode calibration image {path}')
            for frame in (image, cv2.flip(image, 1)) if self.flip else (image, ):
                resized, _ = bottomup_resize(frame, tuple(cfg['input_size']), cfg['size_factor'],
                                             cfg['resize_mode'], cfg['use_udp'],
                                             cfg.get('pad_val', (0, 0, 0)))
                yield {self.sidecar['input_name']: normalize(resized, cfg['mean'], cfg['std'],
                                                             cfg['bgr_to_rgb'])}

    def get_next(self) -> Optional[Dict[str, np.ndarray]]:
        if self._iter is None:
            self._iter = self._inputs()
        return next(self._iter, None)

    def rewind(self) -> None:
        self._iter = None


def _first_conv(graph) -> List[str]:
    """The convolution that reads the network input (the stem)."""
    inputs = {i.name for i in graph.input}
    return [n.name for n in graph.node if n.op_type == 'Conv' and n.input[0] in inputs][:1]


def quantize_edge(model_file: str, calibration: Union[str, Sequence[str]], output_file: str,
                  num_images: int = 64, method: str = 'minmax', activation_type: str = 'uint8',
                  per_channel: bool = True, reduce_range: bool = True,
                  fp32_head: bool = True, fp32_stem: bool = True,
                  op_types: Optional[Sequence[str]] = None,
                  exclude: Sequence[str] = (), symmetric_activations: bool = False,
                  percentile: float = 99.999, flip: bool = True) -> dict:
    """Quantise ``model_file`` to ``output_file`` and write its sidecar; returns the sidecar.

    With ``fp32_head`` the layer that produces the heatmaps stays in float: its input is still
    quantised, but the heatmaps are not rounded to 256 levels, whose steps would move the
    sub-pixel peak refinement (a 0.005 step on a Gaussian peak is up to a quarter of a heatmap
    pixel, i.e. one input pixel). ``fp32_stem`` keeps the first convolution (on the normalised
    image) in float too; ``op_types`` (e.g. ``('Conv',)``) quantises those operator types only,
    leaving the element-wise operators (residual adds, attention gates, resizes) in float;
    ``flip`` calibrates on every image and its mirror image;
    ``exclude`` keeps every node whose name contains one of its strings in float (e.g.
    ``'/attentions.'``: the spatial-attention gates of the exported BK-Pose graph).
    """
    import onnx
    from onnxruntime.quantization import CalibrationMethod, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process
    sidecar = read_sidecar(sidecar_path(model_file))
    files = calibration_images(calibration, num_images)
    methods = dict(minmax=CalibrationMethod.MinMax, entropy=CalibrationMethod.Entropy,
                   percentile=CalibrationMethod.Percentile)
    activations = dict(uint8=QuantType.QUInt8, int8=QuantType.QInt8)
    os.makedirs(osp.dirname(osp.abspath(output_file)), exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        prepared = osp.join(tmp, 'prepared.onnx')
        # symbolic shape inference cannot follow the dynamic height / width through the
        # network's resizes; ONNX shape inference and the graph optimisation still run
        quant_pre_process(model_file, prepared, skip_symbolic_shape=True)
        graph = onnx.load(prepared).graph
        fp32_nodes = [n.name for n in graph.node if any(e in n.name for e in exclude)]
        if fp32_head:
            fp32_nodes += [n.name for n in graph.node if sidecar['output_name'] in n.output]
        if fp32_stem:
            fp32_nodes += _first_conv(graph)
        extra = dict(ActivationSymmetric=symmetric_activations)
        if method == 'percentile':
            extra['CalibPercentile'] = percentile
        quantize_static(prepared, output_file, EdgeCalibrationReader(files, sidecar, flip),
                        quant_format=QuantFormat.QDQ, per_channel=per_channel,
                        activation_type=activations[activation_type],
                        weight_type=QuantType.QInt8, calibrate_method=methods[method],
                        reduce_range=reduce_range, nodes_to_exclude=fp32_nodes,
                        op_types_to_quantize=list(op_types) if op_types else None,
                        extra_options=extra)
    folders = [calibration] if isinstance(calibration, str) else list(calibration)
    int8 = copy.deepcopy(sidecar)
    int8['onnx'] = osp.basename(output_file)
    int8['quantization'] = dict(
        format='QDQ', weights='int8 per channel' if per_channel else 'int8 per tensor',
        activations=activation_type + (' symmetric' if symmetric_activations else ''),
        reduce_range=reduce_range, op_types=list(op_types) if op_types else 'all',
        fp32_nodes=fp32_nodes, calibration=method + (f' {percentile}' if method == 'percentile'
                                                     else ''),
        calibration_images=len(files), calibration_flip=flip,
        calibration_folder=[osp.basename(osp.normpath(f)) for f in folders],
        fp32_model=sidecar['onnx'])
    write_sidecar(int8, sidecar_path(output_file))
    return int8


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='INT8 static quantisation of an edge model')
    parser.add_argument('model', help='the fp32 .onnx file (with its sidecar beside it)')
    parser.add_argument('--calibration', required=True, nargs='+',
                        help='folder(s) of calibration images')
    parser.add_argument('--num-images', type=int, default=64)
    parser.add_argument('--no-flip', action='store_true',
                        help='calibrate without the mirror images (default: each image and its '
                        'mirror)')
    parser.add_argument('--method', choices=('minmax', 'entropy', 'percentile'),
                        default='minmax')
    parser.add_argument('--percentile', type=float, default=99.999)
    parser.add_argument('--activation-type', choices=('uint8', 'int8'), default='uint8')
    parser.add_argument('--symmetric-activations', action='store_true')
    parser.add_argument('--per-tensor', action='store_true', help='per-tensor weight scales')
    parser.add_argument('--full-range', action='store_true',
                        help='8-bit weights (default: 7-bit, which avoids the overflow of u8 x s8 '
                        'products on x86 CPUs without VNNI, e.g. AVX2 only)')
    parser.add_argument('--int8-head', action='store_true',
                        help='quantise the heatmap layer too (default: it stays fp32)')
    parser.add_argument('--int8-stem', action='store_true',
                        help='quantise the first convolution too (default: it stays fp32)')
    parser.add_argument('--op-types', nargs='+', help='quantise these operator types only '
                        '(e.g. Conv; default: all that ONNX Runtime can quantise)')
    parser.add_argument('--exclude', nargs='+', default=[],
                        help='keep nodes whose name contains one of these strings in fp32')
    parser.add_argument('--output-file', help='default: <model stem>_int8.onnx')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    output = args.output_file or osp.splitext(args.model)[0] + '_int8.onnx'
    quantize_edge(args.model, args.calibration, output, args.num_images, args.method,
                  args.activation_type, not args.per_tensor, not args.full_range,
                  not args.int8_head, not args.int8_stem, args.op_types, args.exclude,
                  args.symmetric_activations, args.percentile, not args.no_flip)
    print(f'quantised {args.model} -> {output} and {sidecar_path(output)} '
          f'({args.num_images} calibration images from {args.calibration}, {args.method})')
    return 0


if __name__ == '__main__':
    sys.exit(main())
