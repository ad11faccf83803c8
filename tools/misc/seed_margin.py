"""Run the learning tests under several seeds and show the margin of every threshold.

Each learning test (``@pytest.mark.learning``) takes its seed from ``$POSEZOO_TEST_SEED`` and
reports its figures through the ``figure`` fixture of ``tests/conftest.py``; this script runs them
once per seed and prints, per figure, the value at each seed, the worst one and its margin over
the threshold::

    python tools/misc/seed_margin.py                       # seeds 0-4, every learning test
    python tools/misc/seed_margin.py --seeds 0 1 -- tests/test_cls   # pytest arguments after --

A figure is higher-is-better; the margin is ``worst - threshold`` (absolute) and that over the
threshold (relative). The exit status is non-zero when a run failed or a seed fell below a
threshold.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from posezoo.utils.paths import REPO_ROOT


def run_seed(seed: int, pytest_args: list, figures: Path) -> int:
    """Run the learning tests with ``seed``; their figures are appended to ``figures``."""
    env = dict(os.environ, POSEZOO_TEST_SEED=str(seed), POSEZOO_FIGURES_FILE=str(figures),
               OMP_NUM_THREADS=os.environ.get('OMP_NUM_THREADS', '1'))
    cmd = [sys.executable, '-m', 'pytest', '-m', 'learning', '-q', '-p', 'no:cacheprovider',
           *pytest_args]
    print(f'[seed {seed}] {" ".join(cmd)}', flush=True)
    return subprocess.run(cmd, cwd=REPO_ROOT, env=env).returncode


def table(rows: list, seeds: list) -> str:
    """A Markdown table: one row per (test, figure), one column per seed, worst and margins."""
    values = defaultdict(dict)
    thresholds = {}
    for row in rows:
        key = (row['test'], row['name'])
        values[key][row['seed']] = row['value']
        thresholds[key] = row['threshold']
    head = (['test', 'figure', 'threshold'] + [f'seed {s}' for s in seeds]
            + ['worst', 'margin', 'margin / threshold'])
    lines = ['| ' + ' | '.join(head) + ' |', '|' + ' --- |' * len(head)]
    for (test, name), by_seed in sorted(values.items()):
        threshold = thresholds[(test, name)]
        worst = min(by_seed.values())
        cells = [f'{by_seed[s]:.4f}' if s in by_seed else 'failed' for s in seeds]
        rel = f'{(worst - threshold) / abs(threshold):+.1%}' if threshold else '-'
        lines.append('| ' + ' | '.join([test, name, f'{threshold:.4f}', *cells, f'{worst:.4f}',
                                        f'{worst - threshold:+.4f}', rel]) + ' |')
    return '\n'.join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2, 3, 4])
    parser.add_argument('--out', type=Path, help='also write the JSON lines of every figure here')
    parser.add_argument('pytest_args', nargs='*', help='after --: tests to run (default: all)')
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        figures = Path(tmp) / 'figures.jsonl'
        figures.touch()
        failed = [seed for seed in args.seeds if run_seed(seed, args.pytest_args, figures)]
        rows = [json.loads(line) for line in figures.read_text().splitlines()]
    if args.out:
        args.out.write_text(''.join(json.dumps(row) + '\n' for row in rows))
    print(table(rows, args.seeds))
    below = [r for r in rows if r['value'] < r['threshold']]
    for row in below:
        print(f'below threshold: {row}')
    if failed:
        print(f'pytest failed for seeds {failed}')
    return 1 if failed or below else 0


if __name__ == '__main__':
    sys.exit(main())
