"""Prepare a trained checkpoint for publishing, as MMPose's ``tools/misc/publish_model.py``.

Usage::

    python tools/misc/publish_model.py work_dirs/x/best_coco_AP_epoch_40.pth x_coco-512x512.pth

drops what only resuming needs (``optimizer``, ``message_hub``, ``param_schedulers``), keeps
``meta`` and ``state_dict``, saves, and renames the file to ``<name>-<sha256[:8]>.pth`` (torch
hub's convention: posezoo's downloads verify that prefix). Put the printed URL in the metafile's
``Weights:``.
"""
import argparse
import hashlib
import os
from pathlib import Path
from typing import Optional, Sequence

import torch

import posezoo  # noqa: F401  (allow-lists MMEngine's checkpoint types for torch.load)

#: Keys of an MMEngine checkpoint needed only to resume training.
RESUME_ONLY = ('optimizer', 'message_hub', 'param_schedulers', 'ema_state_dict')


def publish(src: str, dst: str) -> Path:
    """Write the published checkpoint; return its final path (with the sha256 prefix)."""
    checkpoint = torch.load(src, map_location='cpu', weights_only=True)
    if not isinstance(checkpoint, dict) or 'state_dict' not in checkpoint:
        raise ValueError(f'{src}: not an MMEngine checkpoint (no state_dict)')
    kept = {k: v for k, v in checkpoint.items() if k not in RESUME_ONLY}
    tmp = Path(dst).with_suffix('.tmp')
    tmp.parent.mkdir(parents=True, exist_ok=True)
    torch.save(kept, tmp)
    digest = hashlib.sha256(tmp.read_bytes()).hexdigest()
    stem = Path(dst).name[:-len('.pth')] if dst.endswith('.pth') else Path(dst).name
    final = tmp.with_name(f'{stem}-{digest[:8]}.pth')
    os.replace(tmp, final)
    return final


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('in_file', help='checkpoint written by tools/train.py')
    parser.add_argument('out_file', help='published file name (the sha256 prefix is appended)')
    args = parser.parse_args(argv)
    final = publish(args.in_file, args.out_file)
    print(f'{args.in_file} -> {final}')


if __name__ == '__main__':
    main()
