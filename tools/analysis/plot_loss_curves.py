"""Plot the training loss of two MMEngine work dirs with the same smoothing, and their time per
iteration, into one PNG (SE-HigherHRNet's Fig. 4: "smoother, lower loss at the same training time",
TensorBoard smoothing 0.8).

Each run is read from ``<work_dir>/<timestamp>/vis_data/scalars.json`` (the newest timestamp, or a
``scalars.json`` / ``vis_data`` path given directly): one JSON record per logged iteration with
``iter``, the loss and ``time`` (seconds per iteration; MMEngine's LogProcessor averages it over
its ``window_size``, 10 iterations by default, so a stall shows as a 10-iteration step). Smoothing is
TensorBoard's: an exponential moving average with weight ``w`` on the past, debiased
(``s_t = (w m_{t-1} + (1 - w) x_t) / (1 - w^t)``, ``m`` the undebiased average).

The figure has three panels: the loss against the iteration and against the training time (the
sum of the logged time per iteration over the iterations between records), raw faint and smoothed
solid, and the time per iteration of each run.

    python tools/analysis/plot_loss_curves.py WORK_DIR_A WORK_DIR_B \
        --labels HigherHRNet SE-HigherHRNet --smoothing 0.8 --out loss_curves.png
"""
import argparse
import json
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np


def find_scalars(path: str) -> Path:
    """The ``scalars.json`` of a work dir (its newest run), a ``vis_data`` dir or the file."""
    path = Path(path)
    if path.is_file():
        return path
    for candidate in (path / 'scalars.json', path / 'vis_data' / 'scalars.json'):
        if candidate.is_file():
            return candidate
    runs = sorted(path.glob('*/vis_data/scalars.json'))
    if not runs:
        raise FileNotFoundError(f'{path}: no vis_data/scalars.json (an MMEngine work dir?)')
    return runs[-1]  # timestamps sort in time order


def read_scalars(path: str, key: str = 'loss') -> Dict[str, np.ndarray]:
    """``iter``, ``loss`` (the ``key`` values) and ``time`` (s / iteration) of the training records."""
    records = [json.loads(line) for line in find_scalars(path).read_text().splitlines() if line]
    train = [r for r in records if key in r and 'iter' in r]
    if not train:
        raise ValueError(f'{path}: no training record with {key!r}')
    return dict(iter=np.array([r['iter'] for r in train], dtype=float),
                loss=np.array([r[key] for r in train], dtype=float),
                time=np.array([r.get('time', np.nan) for r in train], dtype=float))


def smooth(values: Sequence[float], weight: float = 0.8) -> np.ndarray:
    """TensorBoard's debiased exponential moving average of ``values`` (N,), returns (N,)."""
    if not 0 <= weight < 1:
        raise ValueError(f'smoothing weight must be in [0, 1), got {weight}')
    out, last = [], 0.0
    for i, value in enumerate(values):
        last = weight * last + (1 - weight) * value
        out.append(last / (1 - weight ** (i + 1)))
    return np.asarray(out)


def elapsed(run: Dict[str, np.ndarray]) -> np.ndarray:
    """Training seconds at each record (N,): time per iteration x iterations since the last one."""
    steps = np.diff(np.concatenate([[0.0], run['iter']]))
    return np.cumsum(np.nan_to_num(run['time']) * steps)


def plot(work_dirs: Sequence[str], labels: Optional[Sequence[str]] = None, out: str = 'loss.png',
         smoothing: float = 0.8, key: str = 'loss') -> List[dict]:
    """Write the PNG; returns per run: label, records, last smoothed loss, mean s / iteration."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    labels = list(labels) if labels else [Path(d).name for d in work_dirs]
    if len(labels) != len(work_dirs):
        raise ValueError('one label per work dir')
    fig, (ax_iter, ax_time, ax_speed) = plt.subplots(1, 3, figsize=(15, 4.2))
    summary = []
    for i, (work_dir, label) in enumerate(zip(work_dirs, labels)):
        run = read_scalars(work_dir, key)
        smoothed, seconds = smooth(run['loss'], smoothing), elapsed(run)
        color = f'C{i}'
        for ax, x in ((ax_iter, run['iter']), (ax_time, seconds)):
            ax.plot(x, run['loss'], color=color, alpha=0.25, linewidth=1)
            ax.plot(x, smoothed, color=color, linewidth=2, label=label)
        mean_time = float(np.nanmean(run['time']))
        ax_speed.plot(run['iter'], run['time'], color=color, label=f'{label}: {mean_time:.3f} s/iter')
        summary.append(dict(label=label, records=len(run['iter']), last_smoothed=float(smoothed[-1]),
                            mean_time=mean_time, seconds=float(seconds[-1])))
    ax_iter.set(xlabel='iteration', ylabel=f'{key} (smoothing {smoothing})', title=f'{key} per iteration')
    ax_time.set(xlabel='training time (s)', ylabel=key, title=f'{key} over training time')
    ax_speed.set(xlabel='iteration', ylabel='s / iteration', title='time per iteration')
    for ax in (ax_iter, ax_time, ax_speed):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return summary


def main(argv: Optional[Sequence[str]] = None) -> List[dict]:
    parser = argparse.ArgumentParser(description='loss curves of two MMEngine work dirs')
    parser.add_argument('work_dirs', nargs=2, help='two work dirs (or their scalars.json)')
    parser.add_argument('--labels', nargs=2, help='legend names (default: the folder names)')
    parser.add_argument('--smoothing', type=float, default=0.8, help="TensorBoard's weight, 0.8")
    parser.add_argument('--key', default='loss', help='the scalar to plot (default: loss)')
    parser.add_argument('--out', default='loss_curves.png', help='PNG to write')
    args = parser.parse_args(argv)
    summary = plot(args.work_dirs, args.labels, args.out, args.smoothing, args.key)
    for s in summary:
        print(f"{s['label']}: {s['records']} records, last smoothed {args.key} {s['last_smoothed']:.4f}, "
              f"{s['mean_time']:.4f} s/iter ({s['seconds']:.1f} s of training)")
    print(f'written to {args.out}')
    return summary


if __name__ == '__main__':
    main()
