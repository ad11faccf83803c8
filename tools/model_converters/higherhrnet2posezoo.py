"""Convert a HigherHRNet checkpoint (official repo or MMPose 0.x layout) to posezoo.

Usage::

    python tools/model_converters/higherhrnet2posezoo.py SRC.pth DST.pth [--layout auto]

The layout is detected from the keys (``--layout`` forces one and fails if it does not match).
Keys that cannot be mapped are listed and left out; a file that is not a HigherHRNet checkpoint
is refused with an error naming it. The output loads into posezoo's HigherHRNet configs
(``load_from=DST.pth``); an SE-HigherHRNet model initialised from it misses only its SE weights.
"""
import argparse
import sys
from pathlib import Path

import torch

from posezoo.pose.higherhrnet.checkpoint import CheckpointLayoutError, convert_state_dict


def convert(src: str, dst: str, layout: str = 'auto') -> list:
    """Convert ``src`` into ``dst``; return the unmapped keys.

    Raises:
        CheckpointLayoutError: if ``src`` is not a HigherHRNet checkpoint of a known layout, or
            not of ``layout`` when one is forced.
    """
    try:
        checkpoint = torch.load(src, map_location='cpu', weights_only=True)
    except Exception as e:  # noqa: BLE001 - re-raised with the file name
        raise CheckpointLayoutError(f'{src}: cannot be read as a torch checkpoint ({e})') from e
    state_dict, detected, unmapped = convert_state_dict(checkpoint, source=src)
    if layout != 'auto' and detected != layout:
        raise CheckpointLayoutError(f'{src}: --layout {layout} given, but the keys are in '
                                    f'the {detected} layout')
    Path(dst).parent.mkdir(parents=True, exist_ok=True)
    torch.save(dict(state_dict=state_dict,
                    meta=dict(converted_from=str(src), source_layout=detected)), dst)
    print(f'{src}: {detected} layout, {len(state_dict)} tensors written to {dst}')
    for key in unmapped:
        print(f'unmapped key (left out): {key}')
    return unmapped


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('src', help='official or MMPose 0.x HigherHRNet checkpoint')
    parser.add_argument('dst', help='output posezoo checkpoint')
    parser.add_argument('--layout', choices=['auto', 'official', 'mmpose0x'], default='auto')
    args = parser.parse_args(argv)
    try:
        convert(args.src, args.dst, args.layout)
    except CheckpointLayoutError as e:
        print(f'error: {e}', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
