"""Export BK-Pose for the edge runtime: the ONNX network and its JSON sidecar.

    python tools/deployment/export_edge.py CONFIG CHECKPOINT [--output-file work_dirs/edge/bkpose.onnx]
        [--image IMG] [--opset 17]

The graph is the network from the normalised image to the last, full-resolution heatmaps
(1, K + B, h/4, w/4) (the only output that inference decodes), with dynamic batch, height and
width (bottom-up inputs keep the image's aspect ratio); it is exported with
``posezoo.deployment.export_onnx``. The sidecar ``<stem>.json`` beside it holds the input
geometry and normalisation, keypoint names, skeleton links and the codec's decoding settings
(:mod:`posezoo.edge.sidecar`). With ``--image`` (default: COCO val 000000350679, 9 people, when
the shared data is there) the script checks ONNX Runtime's heatmaps against PyTorch's on that
image and exits with status 1 above ``--tolerance``.
"""
import argparse
import os.path as osp
import sys
from typing import Optional, Sequence

import cv2
import numpy as np
import torch
from torch import Tensor, nn

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO_ROOT)

from posezoo.apis import init_model  # noqa: E402
from posezoo.deployment.bkpose_graph import onnx_friendly  # noqa: E402
from posezoo.deployment.onnx_export import INPUT_NAME, export_onnx, ort_session  # noqa: E402
from posezoo.edge.preprocess import bottomup_resize, normalize  # noqa: E402
from posezoo.edge.sidecar import sidecar_from_model, sidecar_path, write_sidecar  # noqa: E402
from posezoo.utils.paths import coco_mini_image  # noqa: E402

DEFAULT_IMAGE = str(coco_mini_image())


class FinalHeatmaps(nn.Module):
    """A BK-Pose estimator's network up to its last (full-resolution) heatmaps.

    Input (B, 3, h, w) normalised image; output (B, K + B_links, h/4, w/4).
    """

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, x: Tensor) -> Tensor:
        return self.model(x, None, mode='tensor')[-1]


def export_edge(config: str, checkpoint: Optional[str], output_file: str,
                image: Optional[str] = None, opset: int = 17, plain_graph: bool = False) -> dict:
    """Export the network and write the sidecar; returns the sidecar and, with an image, the
    max abs heatmap difference ONNX Runtime vs PyTorch on it (``error``). The graph's
    spatial-attention gates pool the channels with ONNX Runtime-friendly operators
    (:mod:`posezoo.deployment.bkpose_graph`) unless ``plain_graph``."""
    model = init_model(config, checkpoint, device='cpu')
    network = FinalHeatmaps(model).eval()
    exported = network if plain_graph else onnx_friendly(network)
    sidecar = sidecar_from_model(model, output_file, 'output_0', INPUT_NAME)
    if image is not None:
        frame = cv2.imread(image)
        if frame is None:
            raise FileNotFoundError(f'cannot read image {image}')
        pre = sidecar['preprocess']  # = the test pipeline (tests/test_edge checks it)
        resized, _ = bottomup_resize(frame, tuple(pre['input_size']), pre['size_factor'],
                                     pre['resize_mode'], pre['use_udp'], pre['pad_val'])
        x = torch.from_numpy(normalize(resized, pre['mean'], pre['std'], pre['bgr_to_rgb']))
    else:
        w, h = model.head.decoder.input_size
        x = torch.zeros(1, 3, h, w)
    names = export_onnx(exported, x, output_file, opset=opset)
    sidecar['output_name'] = names[0]
    write_sidecar(sidecar, sidecar_path(output_file))
    result = dict(sidecar=sidecar, error=None)
    if image is not None:
        with torch.no_grad():
            reference = network(x).numpy()
        out = ort_session(output_file).run(None, {INPUT_NAME: x.numpy()})[0]
        result['error'] = float(np.abs(reference - out).max())
    return result


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Export BK-Pose to ONNX + JSON sidecar for '
                                     'posezoo.edge')
    parser.add_argument('config')
    parser.add_argument('checkpoint', nargs='?', help='weights (default: initial weights)')
    parser.add_argument('--output-file', default=osp.join('work_dirs', 'edge', 'bkpose.onnx'))
    parser.add_argument('--image', help='real image for the ONNX Runtime check (default: COCO '
                        'val 000000350679 when ../shared is there)')
    parser.add_argument('--opset', type=int, default=17)
    parser.add_argument('--tolerance', type=float, default=1e-4)
    parser.add_argument('--plain-graph', action='store_true', help='export the spatial-attention '
                        'gates as ReduceMean / ReduceMax (slower on ONNX Runtime)')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    image = args.image or (DEFAULT_IMAGE if osp.isfile(DEFAULT_IMAGE) else None)
    result = export_edge(args.config, args.checkpoint, args.output_file, image, args.opset,
                         args.plain_graph)
    print(f'exported {args.output_file} and {sidecar_path(args.output_file)} '
          f'(output {result["sidecar"]["output_name"]}, opset {args.opset})')
    if result['error'] is not None:
        print(f'max abs heatmap error ONNX Runtime vs PyTorch on {image}: {result["error"]:.3e}')
        if result['error'] > args.tolerance:
            print(f'FAILED: above the tolerance {args.tolerance:g}')
            return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
