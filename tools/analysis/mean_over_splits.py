"""Mean and spread of ``tools/test.py`` results over data-set splits (ARID reports the mean of
its three official splits).

Each argument is the ``--work-dir`` of one ``tools/test.py`` run (its newest
``<timestamp>/<timestamp>.json``, the metrics MMEngine's ``LoggerHook`` writes after testing) or
such a JSON file. Every metric present in all runs is averaged; timings are left out.

Example::

    for s in 1 2 3; do
      python tools/test.py configs/recognition/darkvideo_kd/arid/<config with split $s> \
          work_dirs/<run $s>/epoch_30.pth --work-dir work_dirs/test_split_$s
    done
    python tools/analysis/mean_over_splits.py work_dirs/test_split_{1,2,3} --out arid_mean.json
"""
import argparse
import json
import os.path as osp
import statistics
from glob import glob
from typing import Dict, List, Optional, Sequence

NOT_METRICS = ('time', 'data_time', 'step', 'epoch', 'iter', 'lr', 'memory')


def result_file(path: str) -> str:
    """The metrics JSON of a ``tools/test.py`` work dir (newest run), or ``path`` itself."""
    if osp.isfile(path):
        return path
    runs = sorted(f for f in glob(osp.join(path, '*', '*.json'))
                  if osp.basename(f) == osp.basename(osp.dirname(f)) + '.json')
    if not runs:
        raise FileNotFoundError(f'{path}: no <timestamp>/<timestamp>.json of tools/test.py here')
    return runs[-1]


def read_metrics(path: str) -> Dict[str, float]:
    """Numeric metrics of one test run (timings left out)."""
    with open(path, encoding='utf-8') as f:
        record = json.load(f)
    metrics = {k: float(v) for k, v in record.items()
               if isinstance(v, (int, float)) and not isinstance(v, bool)
               and k.split('/')[-1] not in NOT_METRICS}
    if not metrics:
        raise ValueError(f'{path}: no metric in {sorted(record)}')
    return metrics


def mean_over_splits(paths: Sequence[str]) -> Dict[str, Dict[str, float]]:
    """``{metric: {'mean', 'std', 'min', 'max', 'n'}}`` over the runs (metrics all runs have)."""
    runs: List[Dict[str, float]] = [read_metrics(result_file(p)) for p in paths]
    common = sorted(set.intersection(*(set(r) for r in runs)))
    if not common:
        raise ValueError('the runs share no metric')
    out = {}
    for key in common:
        values = [r[key] for r in runs]
        out[key] = dict(mean=statistics.fmean(values),
                        std=statistics.pstdev(values), min=min(values), max=max(values),
                        n=len(values))
    return out


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('runs', nargs='+', help='tools/test.py work dirs or their JSON files')
    parser.add_argument('--out', help='write the table as JSON here')
    args = parser.parse_args(argv)
    table = mean_over_splits(args.runs)
    for key, row in table.items():
        print(f'{key}: mean {row["mean"]:.4f}  std {row["std"]:.4f}  '
              f'[{row["min"]:.4f}, {row["max"]:.4f}] over {row["n"]} splits')
    if args.out:
        with open(args.out, 'w', encoding='utf-8') as f:
            json.dump(dict(runs=[result_file(p) for p in args.runs], metrics=table), f, indent=2)


if __name__ == '__main__':
    main()
