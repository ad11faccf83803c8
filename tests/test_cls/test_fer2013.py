"""FER2013 read from a CSV in the original Kaggle format, built from real coco-mini faces."""
import math
from collections import Counter

import numpy as np
import pytest
from mmengine.dataset import ClassBalancedDataset
from mmpretrain.registry import DATASETS

from posezoo.cls import FER2013, FER2013_CLASSES

from cls_testdata import FER_TRAIN_PER_CLASS, write_fer2013_csv


def test_splits_labels_and_pixels(fer_csv, fer_rows):
    expected = {'Training': [], 'PublicTest': [], 'PrivateTest': []}
    for emotion, face, usage in fer_rows:
        expected[usage].append((emotion, face))
    for split, usage in (('train', 'Training'), ('val', 'PublicTest'), ('test', 'PrivateTest'),
                         ('PrivateTest', 'PrivateTest')):
        dataset = FER2013(ann_file=str(fer_csv), split=split)
        assert len(dataset) == len(expected[usage])
        for i, (emotion, face) in enumerate(expected[usage]):
            info = dataset.get_data_info(i)
            assert info['gt_label'] == emotion
            assert info['img'].dtype == np.uint8 and info['img'].shape == (48, 48)
            np.testing.assert_array_equal(info['img'], face)
    assert dataset.metainfo['classes'] == FER2013_CLASSES
    assert FER2013_CLASSES[1] == 'disgust' and len(FER2013_CLASSES) == 7


def test_registered_with_data_root(fer_csv):
    dataset = DATASETS.build(dict(type='FER2013', data_root=str(fer_csv.parent), ann_file='fer2013.csv',
                                  split='train', pipeline=[dict(type='PackInputs')]))
    sample = dataset[0]
    assert tuple(sample['inputs'].shape) == (1, 48, 48)
    assert int(sample['data_samples'].gt_label) == 0
    assert Counter(dataset.get_gt_labels().tolist()) == dict(enumerate(FER_TRAIN_PER_CLASS))


def test_class_balanced_oversampling_of_disgust(fer_csv):
    dataset = FER2013(ann_file=str(fer_csv), split='train')
    balanced = ClassBalancedDataset(dataset, oversample_thr=0.1)
    n = sum(FER_TRAIN_PER_CLASS)  # 19 faces, 1 disgust: frequency 1/19 < 0.1
    disgust_repeats = math.ceil(math.sqrt(0.1 / (1 / n)))  # = 2; other classes: 3/19 > 0.1 -> 1
    assert disgust_repeats == 2
    labels = Counter(int(balanced.get_data_info(i)['gt_label']) for i in range(len(balanced)))
    assert len(balanced) == n - 1 + disgust_repeats
    assert labels[1] == disgust_repeats
    assert all(labels[c] == FER_TRAIN_PER_CLASS[c] for c in range(7) if c != 1)


def test_unknown_split(fer_csv):
    with pytest.raises(ValueError, match='unknown split'):
        FER2013(ann_file=str(fer_csv), split='validation')


def _corrupt(tmp_path, fer_csv, line_no: int, new_line: str):
    lines = fer_csv.read_text().splitlines()
    lines[line_no - 1] = new_line
    path = tmp_path / 'bad.csv'
    path.write_text('\n'.join(lines) + '\n')
    return path


@pytest.mark.parametrize('make_row, message', [
    (lambda px: f'3,{px}', r'line 5: malformed row with 2 field\(s\), expected 3'),
    (lambda px: f'3,{px},Training,extra', r'line 5: malformed row with 4 field\(s\)'),
    (lambda px: f'3,{px.rsplit(" ", 1)[0]},Training', r'line 5: 2303 pixel values, expected 2304'),
    (lambda px: f'3,{px} 7,Training', r'line 5: 2305 pixel values, expected 2304'),
    (lambda px: f'3,{px.replace(" ", " x", 1)},Training', r'line 5: pixel values must be integers'),
    (lambda px: f'3,256 {px.split(" ", 1)[1]},Training', r'line 5: pixel values must lie in \[0, 255\]'),
    (lambda px: f'7,{px},Training', r"line 5: emotion '7' is not an integer in \[0, 6\]"),
    (lambda px: f'happy,{px},Training', r"line 5: emotion 'happy'"),
    (lambda px: f'3,{px},Train', r"line 5: Usage 'Train' is not one of"),
])
def test_malformed_rows_name_the_line(tmp_path, fer_csv, make_row, message):
    pixels = fer_csv.read_text().splitlines()[4].split(',')[1]
    bad = _corrupt(tmp_path, fer_csv, 5, make_row(pixels))
    with pytest.raises(ValueError, match=message) as info:
        FER2013(ann_file=str(bad), split='train')
    assert str(bad) in str(info.value)
    print(info.value.args[0][:160])


def test_bad_pixels_of_another_split_only_fail_that_split(tmp_path, fer_csv):
    lines = fer_csv.read_text().splitlines()
    last = len(lines)  # a PrivateTest row
    bad = _corrupt(tmp_path, fer_csv, last, '6,1 2 3,PrivateTest')
    assert len(FER2013(ann_file=str(bad), split='train')) == sum(FER_TRAIN_PER_CLASS)
    with pytest.raises(ValueError, match=f'line {last}: 3 pixel values, expected 2304'):
        FER2013(ann_file=str(bad), split='test')


def test_bad_header_and_empty_file(tmp_path, coco_faces):
    path = tmp_path / 'no_usage.csv'
    path.write_text('emotion,pixels\n0,' + ' '.join(['0'] * 2304) + '\n')
    with pytest.raises(ValueError, match=r"line 1: header .* lacks the column\(s\) \['Usage'\]"):
        FER2013(ann_file=str(path))
    empty = tmp_path / 'empty.csv'
    empty.write_text('')
    with pytest.raises(ValueError, match='empty file'):
        FER2013(ann_file=str(empty))


def test_header_blanks_and_blank_lines(tmp_path, coco_faces):
    """Kaggle's icml_face_data.csv writes ' Usage', ' pixels'; a trailing blank line is allowed."""
    path = write_fer2013_csv(tmp_path / 'icml.csv', [(3, coco_faces[0], 'Training')])
    text = path.read_text().replace('emotion,pixels,Usage', 'emotion, Usage, pixels')
    lines = text.splitlines()
    fields = lines[1].split(',')
    lines[1] = ','.join([fields[0], fields[2], fields[1]])
    path.write_text('\n'.join(lines) + '\n\n')
    dataset = FER2013(ann_file=str(path))
    assert len(dataset) == 1
    np.testing.assert_array_equal(dataset.get_data_info(0)['img'], coco_faces[0])
