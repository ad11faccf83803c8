"""Convert an IG65M R(2+1)D-34 checkpoint (ig65m-pytorch) into a posezoo backbone checkpoint.

The IG65M weights published for PyTorch (``r2plus1d_34_clip8_ig65m_from_scratch-9bae36ae.pth``,
``r2plus1d_34_clip32_ig65m_from_scratch-449a7af9.pth`` and their Kinetics fine-tunes) are plain
state dicts in the key layout of torchvision's video models (``stem.0.weight``,
``layer1.0.conv1.0.0.weight``, ..., ``fc.weight``). This tool drops the classifier (``fc.*``),
prefixes ``backbone.`` and writes an MMEngine checkpoint that loads into
``TorchvisionR2Plus1d(depth=34, caffe2_midplanes=True)`` with no missing or unexpected keys::

    python tools/model_converters/ig65m2posezoo.py \
        r2plus1d_34_clip32_ig65m_from_scratch-449a7af9.pth data/ig65m/r2plus1d_34_ig65m.pth

Then set ``model.backbone.pretrained='data/ig65m/r2plus1d_34_ig65m.pth'`` (the backbone strips
``backbone.``) or ``load_from`` (whole recognizer, the head stays random). posezoo's checkpoint
loader does the same conversion at load time, so the published file or its URL can be given
directly; this tool is for an offline copy.
"""
import argparse
from collections import OrderedDict
from typing import Dict, Optional, Sequence

import torch

from posezoo.weights.layouts import convert_torchvision_video


def convert_state_dict(state_dict: Dict[str, torch.Tensor],
                       src: str = 'checkpoint') -> 'OrderedDict[str, torch.Tensor]':
    """``backbone.``-prefixed backbone tensors (``fc.*`` dropped); the conversion that
    posezoo's checkpoint loader applies at load (:mod:`posezoo.weights.layouts`).

    Raises:
        KeyError: A key outside ``stem``, ``layer1-4`` and ``fc`` (not torchvision's layout).
    """
    return convert_torchvision_video(state_dict, src)


def convert(src: str, dst: str) -> int:
    """Write the converted checkpoint; returns the number of tensors written."""
    checkpoint = torch.load(src, map_location='cpu', weights_only=True)
    out = convert_state_dict(checkpoint, src)
    torch.save(dict(state_dict=out, meta=dict(source=src, converter='ig65m2posezoo')), dst)
    return len(out)


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('src', help='IG65M R(2+1)D checkpoint (torchvision key layout)')
    parser.add_argument('dst', help='posezoo checkpoint to write')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> None:
    args = parse_args(argv)
    n = convert(args.src, args.dst)
    print(f'{args.src} -> {args.dst}: {n} backbone tensors')


if __name__ == '__main__':
    main()
