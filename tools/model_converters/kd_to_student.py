"""Export the student of a ``KDRecognizer`` checkpoint as a plain recognizer checkpoint.

Keeps the ``student.`` entries of the state dict without the prefix (the teacher and the KD
wrapper are dropped), so the result loads with ``strict=True`` into the student's own config,
like MMRazor's ``convert_kd_ckpt_to_student``. ``meta`` is kept, optimizer state is not.

Example::

    python tools/model_converters/kd_to_student.py \
        work_dirs/kd-zerodce_r2plus1d-r34-bert_1xb2-30e_arid-64x112x112/epoch_30.pth \
        r2plus1d-r34-bert_arid_student.pth
"""
import argparse
from collections import OrderedDict
from typing import Dict, Optional, Sequence

import torch

import posezoo  # noqa: F401  (registers the safe globals of mmengine checkpoints)

PREFIX = 'student.'


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('checkpoint', help='KDRecognizer checkpoint')
    parser.add_argument('out', help='student checkpoint to write')
    return parser.parse_args(argv)


def student_state_dict(state_dict: Dict[str, torch.Tensor]) -> 'OrderedDict[str, torch.Tensor]':
    """The ``student.*`` entries without their prefix; raises if there are none."""
    student = OrderedDict((k[len(PREFIX):], v) for k, v in state_dict.items()
                          if k.startswith(PREFIX))
    if not student:
        raise KeyError('no "student." keys: not a KDRecognizer checkpoint '
                       f'(first keys: {list(state_dict)[:5]})')
    return student


def convert(src: str, dst: str) -> int:
    """Write the student checkpoint; returns the number of tensors exported."""
    checkpoint = torch.load(src, map_location='cpu', weights_only=True)
    state_dict = checkpoint.get('state_dict', checkpoint)
    student = student_state_dict(state_dict)
    out = dict(state_dict=student)
    if 'meta' in checkpoint:
        out['meta'] = checkpoint['meta']
    torch.save(out, dst)
    return len(student)


def main(argv: Optional[Sequence[str]] = None) -> None:
    args = parse_args(argv)
    n = convert(args.checkpoint, args.out)
    print(f'{args.checkpoint} -> {args.out}: {n} student tensors')


if __name__ == '__main__':
    main()
