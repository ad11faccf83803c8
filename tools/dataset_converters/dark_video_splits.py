"""Convert the published split files of dark-video data sets to MMAction2 annotation lists.

MMAction2's ``VideoDataset`` reads ``<relative video path> <label>`` per line. The published
lists differ by data set, so each input line is split on tabs, commas or spaces and:

* the video path is the column ``--path-column`` (default: the one token ending with a video
  extension, e.g. ``Drink/Drink_10_1.mp4``);
* the label is the integer column ``--label-column`` when given (ARID's lists are
  ``VideoID<TAB>ClassID<TAB>Video``: ``--label-column 1``), otherwise the class folder (first
  component of the path) looked up in ``--classes`` (one name per line) or, without it, in the
  sorted set of folder names of the first split converted (written to ``classes.txt``).

Every output line is checked: a bad line, an unknown class or (with ``--video-root``) a missing
video raises an error naming the file and line, unless ``--skip-missing`` is given for missing
videos (then they are dropped with a warning).

Without published lists (Dark-48 as the seed used it), ``--stratified VIDEO_ROOT`` splits a
folder of class folders itself: per class, the videos (sorted, then shuffled with ``--seed``)
go ``--ratio`` (default 0.8, the seed's 8:2) to the first output and the rest to the second;
labels are the sorted class folder names (written to ``classes.txt``). Each class with at least
two videos gets at least one video in each output.

Example (Dark-48, 8:2)::

    python tools/dataset_converters/dark_video_splits.py --stratified data/dark48/videos \
        --out data/dark48/dark48_train_split_1_videos.txt data/dark48/dark48_val_split_1_videos.txt

Example (ARID, split 1)::

    python tools/dataset_converters/dark_video_splits.py \
        data/arid/list_cvt/split1_train.txt data/arid/list_cvt/split1_test.txt \
        --out data/arid/arid_train_split_1_videos.txt data/arid/arid_val_split_1_videos.txt \
        --label-column 1 --video-root data/arid/videos
"""
import argparse
import os
import os.path as osp
import random
import re
import sys
from typing import Dict, List, Optional, Sequence, Tuple

VIDEO_EXTENSIONS = ('.mp4', '.avi', '.mkv', '.webm', '.mov', '.mpg', '.mpeg')


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('splits', nargs='*', help='published split files')
    parser.add_argument('--stratified', metavar='VIDEO_ROOT', default=None,
                        help='split this folder of class folders instead (no split files)')
    parser.add_argument('--ratio', type=float, default=0.8, help='share of the first output')
    parser.add_argument('--seed', type=int, default=0, help='seed of the stratified split')
    parser.add_argument('--out', nargs='+', required=True, help='one output list per split file')
    parser.add_argument('--path-column', type=int, default=None)
    parser.add_argument('--label-column', type=int, default=None)
    parser.add_argument('--classes', default=None, help='class names, one per line, in label order')
    parser.add_argument('--video-root', default=None, help='check that every video exists here')
    parser.add_argument('--skip-missing', action='store_true', help='drop missing videos (warn)')
    return parser.parse_args(argv)


def read_rows(path: str) -> List[Tuple[int, List[str]]]:
    """Non-empty lines of a split file as ``(line number, tokens)``."""
    rows = []
    with open(path, encoding='utf-8') as f:
        for lineno, line in enumerate(f, 1):
            tokens = [t for t in re.split(r'[\t,]+|\s+', line.strip()) if t]
            if tokens:
                rows.append((lineno, tokens))
    return rows


def video_path(tokens: List[str], column: Optional[int], where: str) -> str:
    """The video path of one row."""
    if column is not None:
        if column >= len(tokens):
            raise ValueError(f'{where}: no column {column} in {tokens}')
        return tokens[column]
    videos = [t for t in tokens if t.lower().endswith(VIDEO_EXTENSIONS)]
    if len(videos) != 1:
        raise ValueError(f'{where}: expected one video path among {tokens}; use --path-column')
    return videos[0]


def convert(split: str, args: argparse.Namespace, classes: Dict[str, int]) -> List[str]:
    """Annotation lines for one split file (``classes`` is filled when empty)."""
    rows = read_rows(split)
    if not rows:
        raise ValueError(f'{split}: empty split file')
    parsed = [(f'{split}:{n}', video_path(t, args.path_column, f'{split}:{n}'), t) for n, t in rows]
    if args.label_column is None and not classes:
        names = sorted({p.replace('\\', '/').split('/')[0] for _, p, _ in parsed})
        classes.update({name: i for i, name in enumerate(names)})
    lines = []
    for where, path, tokens in parsed:
        path = path.replace('\\', '/')
        if args.label_column is not None:
            try:
                label = int(tokens[args.label_column])
            except (IndexError, ValueError):
                raise ValueError(f'{where}: column {args.label_column} of {tokens} is not an '
                                 'integer label') from None
        else:
            folder = path.split('/')[0]
            if folder not in classes:
                raise ValueError(f'{where}: class folder {folder!r} not in the class list')
            label = classes[folder]
        if args.video_root is not None and not osp.isfile(osp.join(args.video_root, path)):
            if not args.skip_missing:
                raise FileNotFoundError(f'{where}: video {osp.join(args.video_root, path)} '
                                        'not found (use --skip-missing to drop it)')
            print(f'warning: {where}: missing video {path} dropped', file=sys.stderr)
            continue
        lines.append(f'{path} {label}')
    return lines


def stratified_split(video_root: str, ratio: float = 0.8, seed: int = 0
                     ) -> Tuple[List[str], List[str], List[str]]:
    """Split the videos of each class folder of ``video_root`` ``ratio : 1 - ratio``.

    Args:
        video_root (str): Folder with one sub-folder of videos per class.
        ratio (float): Share of each class in the first list, in (0, 1).
        seed (int): Seed of the per-class shuffle (the same seed gives the same lists).

    Returns:
        tuple: First and second annotation lines (``<class>/<video> <label>``) and the class
        names in label order.
    """
    if not 0.0 < ratio < 1.0:
        raise ValueError(f'--ratio must be in (0, 1), got {ratio}')
    classes = sorted(d for d in os.listdir(video_root) if osp.isdir(osp.join(video_root, d)))
    if not classes:
        raise ValueError(f'{video_root}: no class folders')
    rng = random.Random(seed)
    first, second = [], []
    for label, name in enumerate(classes):
        videos = sorted(f for f in os.listdir(osp.join(video_root, name))
                        if f.lower().endswith(VIDEO_EXTENSIONS))
        if not videos:
            raise ValueError(f'{osp.join(video_root, name)}: no videos')
        rng.shuffle(videos)
        n_first = round(len(videos) * ratio)
        if len(videos) >= 2:
            n_first = min(max(n_first, 1), len(videos) - 1)
        first += [f'{name}/{v} {label}' for v in sorted(videos[:n_first])]
        second += [f'{name}/{v} {label}' for v in sorted(videos[n_first:])]
    return first, second, classes


def write_lines(path: str, lines: List[str]) -> None:
    with open(path, 'w', encoding='utf-8') as f:
        f.write('\n'.join(lines) + '\n')


def main(argv: Optional[Sequence[str]] = None) -> None:
    args = parse_args(argv)
    if args.stratified is not None:
        if args.splits or len(args.out) != 2:
            raise ValueError('--stratified takes no split files and two --out lists')
        first, second, names = stratified_split(args.stratified, args.ratio, args.seed)
        for out, lines in zip(args.out, (first, second)):
            write_lines(out, lines)
            print(f'{args.stratified} -> {out}: {len(lines)} videos')
        classes_file = osp.join(osp.dirname(osp.abspath(args.out[0])), 'classes.txt')
        write_lines(classes_file, names)
        print(f'class names -> {classes_file}')
        return
    if not args.splits:
        raise ValueError('give published split files or --stratified VIDEO_ROOT')
    if len(args.out) != len(args.splits):
        raise ValueError(f'{len(args.splits)} split files but {len(args.out)} outputs')
    classes: Dict[str, int] = {}
    if args.classes is not None:
        with open(args.classes, encoding='utf-8') as f:
            names = [line.strip() for line in f if line.strip()]
        classes = {name: i for i, name in enumerate(names)}
    derived = args.label_column is None and args.classes is None
    for split, out in zip(args.splits, args.out):
        lines = convert(split, args, classes)
        with open(out, 'w', encoding='utf-8') as f:
            f.write('\n'.join(lines) + '\n')
        print(f'{split} -> {out}: {len(lines)} videos')
    if derived:
        classes_file = osp.join(osp.dirname(osp.abspath(args.out[0])), 'classes.txt')
        with open(classes_file, 'w', encoding='utf-8') as f:
            f.write('\n'.join(sorted(classes, key=classes.get)) + '\n')
        print(f'class names -> {classes_file}')


if __name__ == '__main__':
    main()
