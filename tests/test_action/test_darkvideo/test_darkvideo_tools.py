"""The split converter and the dark-clip generator."""
import importlib.util
import subprocess
import sys

import mmcv
import numpy as np
import pytest

from darkvideo_helpers import REPO_ROOT

_spec = importlib.util.spec_from_file_location(
    'dark_video_splits', REPO_ROOT / 'tools' / 'dataset_converters' / 'dark_video_splits.py')
splits = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(splits)


def test_arid_style_lists(tmp_path):
    src = tmp_path / 'split1_train.txt'
    src.write_text('0\t3\tDrink/Drink_10_1.mp4\n1\t0\tJump/Jump_2_3.mp4\n\n')
    out = tmp_path / 'train.txt'
    splits.main([str(src), '--out', str(out), '--label-column', '1'])
    assert out.read_text().splitlines() == ['Drink/Drink_10_1.mp4 3', 'Jump/Jump_2_3.mp4 0']


def test_folder_labels_and_checks(tmp_path):
    (tmp_path / 'videos' / 'Run').mkdir(parents=True)
    (tmp_path / 'videos' / 'Run' / 'a.avi').write_bytes(b'x')
    (tmp_path / 'videos' / 'Walk').mkdir()
    (tmp_path / 'videos' / 'Walk' / 'b.avi').write_bytes(b'x')
    train = tmp_path / 'train.csv'
    train.write_text('Walk/b.avi,1\nRun/a.avi,7\n')
    test = tmp_path / 'test.csv'
    test.write_text('Run/a.avi\nWalk/missing.avi\n')
    out = [str(tmp_path / 'train_list.txt'), str(tmp_path / 'test_list.txt')]
    with pytest.raises(FileNotFoundError, match='test.csv:2'):
        splits.main([str(train), str(test), '--out', *out, '--video-root',
                     str(tmp_path / 'videos')])
    splits.main([str(train), str(test), '--out', *out, '--video-root', str(tmp_path / 'videos'),
                 '--skip-missing'])
    assert (tmp_path / 'train_list.txt').read_text().splitlines() == ['Walk/b.avi 1', 'Run/a.avi 0']
    assert (tmp_path / 'test_list.txt').read_text().splitlines() == ['Run/a.avi 0']
    assert (tmp_path / 'classes.txt').read_text().split() == ['Run', 'Walk']
    bad = tmp_path / 'bad.txt'
    bad.write_text('0 x Run/a.avi\n')
    with pytest.raises(ValueError, match='bad.txt:1'):
        splits.main([str(bad), '--out', str(tmp_path / 'o.txt'), '--label-column', '1'])


def test_make_dark_clips(tmp_path, coco_mini):
    subprocess.run([sys.executable, str(REPO_ROOT / 'tools' / 'misc' / 'make_dark_clips.py'),
                    str(coco_mini), str(tmp_path), '--train-per-class', '2',
                    '--val-per-class', '1'], check=True)
    lines = (tmp_path / 'train.txt').read_text().split('\n')
    assert len([x for x in lines if x]) == 8
    assert (tmp_path / 'classes.txt').read_text().split() == [
        'static', 'pan_right', 'pan_down', 'flicker']
    clip = np.stack(list(mmcv.VideoReader(str(tmp_path / 'train' / 'pan_down_0000.avi'))))
    print(f'dark clip: {clip.shape}, mean intensity {clip.mean():.1f}/255')
    assert clip.shape == (8, 32, 32, 3)
    assert clip.mean() < 50  # dark
    assert np.abs(np.diff(clip.astype(float), axis=0)).mean() > 1  # moving / noisy
