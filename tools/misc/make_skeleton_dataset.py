"""Generate the synthetic skeleton action data set (4 actions: HANDSWING, ARMRAISE, SQUAT, WALK).

A kinematic body performs each action with random speed, amplitude, body proportions, size,
position, view angle, landmark noise and missing keypoints
(:mod:`posezoo.action.skeleton.synthetic`). Two formats are written under ``OUT``:

- ``seed/{train,val}/<ACTION>.txt``: the seed's text format (MediaPipe-33 x (x, y, z,
  visibility)), one continuous recording per action and split, one person;
- ``synthetic_coco17.pkl``: an MMAction2 ``PoseDataset`` pickle of COCO-17 skeletons in pixels
  (640 x 480 frames), one clip per sample, one or two people, split ``train`` / ``val``
  (different people; missing keypoints have zero coordinates and score).

    python tools/misc/make_skeleton_dataset.py data/skeleton/synthetic \
        [--num-train 60] [--num-val 20] [--seed-clips 12] [--seed 0]
"""
import argparse
import pickle
from pathlib import Path

from posezoo.action.skeleton import write_seed_file
from posezoo.action.skeleton.synthetic import make_pose_dataset, make_seed_sequences


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Generate the synthetic skeleton data set')
    parser.add_argument('out', help='output folder')
    parser.add_argument('--num-train', type=int, default=60, help='pickle clips per class (train)')
    parser.add_argument('--num-val', type=int, default=20, help='pickle clips per class (val)')
    parser.add_argument('--seed-clips', type=int, default=12,
                        help='performances per action in each seed-format train recording '
                        '(val recordings get a third as many, at least 2)')
    parser.add_argument('--min-frames', type=int, default=40)
    parser.add_argument('--max-frames', type=int, default=80)
    parser.add_argument('--two-person-ratio', type=float, default=0.3,
                        help='fraction of pickle clips with two people')
    parser.add_argument('--seed', type=int, default=0, help='random seed')
    return parser.parse_args()


def make_dataset(out: str, num_train: int = 60, num_val: int = 20, seed_clips: int = 12,
                 frames: tuple = (40, 80), two_person_ratio: float = 0.3, seed: int = 0) -> None:
    """Write both formats of the synthetic data set under ``out`` (see the module docstring)."""
    out_dir = Path(out)
    for split, clips, split_seed in (('train', seed_clips, seed),
                                     ('val', max(2, seed_clips // 3), seed + 1)):
        split_dir = out_dir / 'seed' / split
        split_dir.mkdir(parents=True, exist_ok=True)
        for action, landmarks in make_seed_sequences(clips, frames, seed=split_seed).items():
            write_seed_file(split_dir / f'{action}.txt', landmarks)
    data = make_pose_dataset(dict(train=num_train, val=num_val), frames, two_person_ratio,
                             seed=seed + 2)
    with open(out_dir / 'synthetic_coco17.pkl', 'wb') as f:
        pickle.dump(data, f)


def main() -> None:
    args = parse_args()
    make_dataset(args.out, args.num_train, args.num_val, args.seed_clips,
                 (args.min_frames, args.max_frames), args.two_person_ratio, args.seed)
    print(f'wrote {args.out}/seed/{{train,val}}/*.txt and {args.out}/synthetic_coco17.pkl')


if __name__ == '__main__':
    main()
