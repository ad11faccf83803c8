"""Splits: the stratified, seeded 8:2 splitter of dark_video_splits.py on a synthetic folder
(counts per class, determinism, MMAction2 reads the lists) and mean_over_splits.py on three
tools/test.py result files."""
import importlib.util
import json
from collections import Counter

import pytest
from mmaction.datasets import VideoDataset

from darkvideo_helpers import REPO_ROOT


def _load(name, *parts):
    spec = importlib.util.spec_from_file_location(name, REPO_ROOT.joinpath(*parts))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


splits = _load('dark_video_splits', 'tools', 'dataset_converters', 'dark_video_splits.py')
mean_tool = _load('mean_over_splits', 'tools', 'analysis', 'mean_over_splits.py')

# class folder -> videos; 'notes.txt' is not a video
SIZES = {'walk': 10, 'run': 7, 'drink': 2, 'wave': 1}


@pytest.fixture()
def video_root(tmp_path):
    root = tmp_path / 'videos'
    for name, n in SIZES.items():
        (root / name).mkdir(parents=True)
        for i in range(n):
            (root / name / f'{name}_{i:02d}.mp4').write_bytes(b'')
    (root / 'walk' / 'notes.txt').write_text('x')
    return root


def _per_class(lines):
    return Counter(line.split('/')[0] for line in lines)


def test_stratified_split_counts_and_seed(video_root, tmp_path):
    train, val, classes = splits.stratified_split(str(video_root), ratio=0.8, seed=0)
    assert classes == ['drink', 'run', 'walk', 'wave']
    # round(0.8 n) per class; a class of 2 keeps one video on each side, a class of 1 trains
    assert _per_class(train) == {'walk': 8, 'run': 6, 'drink': 1, 'wave': 1}
    assert _per_class(val) == {'walk': 2, 'run': 1, 'drink': 1}
    everything = {f'{c}/{c}_{i:02d}.mp4' for c, n in SIZES.items() for i in range(n)}
    paths = [line.split()[0] for line in train + val]
    assert len(paths) == len(set(paths)) and set(paths) == everything
    assert all(int(line.split()[1]) == classes.index(line.split('/')[0]) for line in train + val)
    assert (train, val) == splits.stratified_split(str(video_root), ratio=0.8, seed=0)[:2]
    other = splits.stratified_split(str(video_root), ratio=0.8, seed=1)
    assert other[0] != train and _per_class(other[0]) == _per_class(train)
    with pytest.raises(ValueError, match='ratio'):
        splits.stratified_split(str(video_root), ratio=1.0)


def test_stratified_cli_writes_mmaction2_lists(video_root, tmp_path):
    out = [str(tmp_path / 'train.txt'), str(tmp_path / 'val.txt')]
    splits.main(['--stratified', str(video_root), '--out', *out, '--seed', '3'])
    assert (tmp_path / 'classes.txt').read_text().split() == ['drink', 'run', 'walk', 'wave']
    train = VideoDataset(out[0], pipeline=[], data_prefix=dict(video=str(video_root)))
    val = VideoDataset(out[1], pipeline=[], data_prefix=dict(video=str(video_root)))
    assert (len(train), len(val)) == (16, 4)
    assert train[0]['filename'].startswith(str(video_root))
    assert Counter(val.get_data_info(i)['label'] for i in range(len(val))) == {0: 1, 1: 1, 2: 2}
    with pytest.raises(ValueError, match='two --out'):
        splits.main(['--stratified', str(video_root), '--out', out[0]])


def _test_run(work_dir, timestamp, top1, top5):
    run = work_dir / timestamp
    run.mkdir(parents=True)
    # what MMEngine's LoggerHook.after_test_epoch writes for AccMetric
    (run / f'{timestamp}.json').write_text(json.dumps(
        {'acc/top1': top1, 'acc/top5': top5, 'acc/mean1': top1 - 0.01,
         'data_time': 0.5, 'time': 1.25}))


def test_mean_over_three_splits(tmp_path, capsys):
    dirs = []
    for split, (top1, top5) in enumerate([(0.90, 0.99), (0.84, 0.97), (0.87, 1.0)], 1):
        dirs.append(tmp_path / f'split_{split}')
        _test_run(dirs[-1], '20260101_000000', 0.1, 0.2)  # an older run: not the one read
        _test_run(dirs[-1], '20260102_000000', top1, top5)
    out = tmp_path / 'mean.json'
    mean_tool.main([str(d) for d in dirs] + ['--out', str(out)])
    table = json.loads(out.read_text())['metrics']
    assert set(table) == {'acc/top1', 'acc/top5', 'acc/mean1'}  # timings left out
    assert table['acc/top1']['mean'] == pytest.approx(0.87)
    assert table['acc/top5']['mean'] == pytest.approx((0.99 + 0.97 + 1.0) / 3)
    assert table['acc/top1']['std'] == pytest.approx((0.0018 / 3) ** 0.5)
    assert (table['acc/top1']['min'], table['acc/top1']['max'], table['acc/top1']['n']) == \
        (0.84, 0.90, 3)
    assert 'acc/top1: mean 0.8700' in capsys.readouterr().out
    with pytest.raises(FileNotFoundError, match='tools/test.py'):
        mean_tool.result_file(str(tmp_path))
