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
``backbone.``) or ``load_from`` (whole recognizer, the head stays random).
"""
import argparse
from collections import OrderedDict
from typing import Dict, Optional, Sequence

import torch

PREFIX = 'backbone.'
TOP_LEVEL = ('stem', 'layer1', 'layer2', 'layer3', 'layer4')


def convert_state_dict(state_dict: Dict[str, torch.Tensor],
                       src: str = 'checkpoint') -> 'OrderedDict[str, torch.Tensor]':
    """``backbone.``-prefixed backbone tensors of a torchvision-layout R(2+1)D state dict.

    Args:
        state_dict (dict[str, Tensor]): torchvision ``VideoResNet`` keys (``module.`` prefixes of
            DataParallel checkpoints are removed); ``fc.*`` is dropped.
        src (str): Name of the source, for error messages.

    Raises:
        KeyError: A key outside ``stem``, ``layer1-4`` and ``fc`` (not torchvision's layout).
    """
    out = OrderedDict()
    for key, value in state_dict.items():
        key = key[len('module.'):] if key.startswith('module.') else key
        top = key.split('.', 1)[0]
        if top == 'fc':
            continue
        if top not in TOP_LEVEL:
            raise KeyError(f'{src}: key {key!r} is not in the layout of torchvision\'s video '
                           f'models ({", ".join(TOP_LEVEL)}, fc)')
        out[PREFIX + key] = value
    if not out:
        raise KeyError(f'{src}: no backbone tensors found')
    return out


def convert(src: str, dst: str) -> int:
    """Write the converted checkpoint; returns the number of tensors written."""
    checkpoint = torch.load(src, map_location='cpu', weights_only=True)
    state_dict = checkpoint.get('state_dict', checkpoint.get('model', checkpoint))
    out = convert_state_dict(state_dict, src)
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
