"""LeapGestRecog read from a folder in the original Kaggle layout, built from real coco-mini people."""
import shutil

import cv2
import numpy as np
import pytest
from mmpretrain.registry import DATASETS

from posezoo.cls import LEAPGESTRECOG_CLASSES, LEAPGESTRECOG_SUBJECTS, LeapGestRecog

from cls_testdata import LEAP_FRAMES, leap_labels

PIPELINE = [dict(type='LoadImageFromFile', color_type='grayscale'), dict(type='PackInputs')]


def test_subject_split_and_labels(leap_root):
    train = LeapGestRecog(data_root=str(leap_root), subjects=['00', '01'])
    test = LeapGestRecog(data_root=str(leap_root), subjects=['02'])
    assert len(train) == 2 * 10 * LEAP_FRAMES and len(test) == 10 * LEAP_FRAMES
    for dataset, subjects in ((train, ['00', '01']), (test, ['02'])):
        expected = leap_labels(leap_root, subjects)
        got = {dataset.get_data_info(i)['img_path']: dataset.get_data_info(i)['gt_label'] for i in range(len(dataset))}
        assert got == expected
        assert {dataset.get_data_info(i)['subject'] for i in range(len(dataset))} == set(subjects)
    assert train.metainfo['classes'] == LEAPGESTRECOG_CLASSES
    # the default split never shares a subject between train and test
    assert not set(LEAPGESTRECOG_SUBJECTS['train']) & set(LEAPGESTRECOG_SUBJECTS['test'])
    assert sorted(LEAPGESTRECOG_SUBJECTS['train'] + LEAPGESTRECOG_SUBJECTS['test']) == [f'{i:02d}' for i in range(10)]


def test_loads_real_pixels_through_the_pipeline(leap_root):
    dataset = DATASETS.build(dict(type='LeapGestRecog', data_root=str(leap_root), subjects=['01'], pipeline=PIPELINE))
    sample = dataset[3]
    info = dataset.get_data_info(3)
    expected = cv2.imread(info['img_path'], cv2.IMREAD_GRAYSCALE)
    assert tuple(sample['inputs'].shape) == (1, 240, 640)
    np.testing.assert_array_equal(sample['inputs'][0].numpy(), expected)
    assert int(sample['data_samples'].gt_label) == info['gt_label'] == 1  # 02_l


def test_default_split_needs_all_subjects(leap_root):
    with pytest.raises(FileNotFoundError, match=r'subject folder .*03 not found'):
        LeapGestRecog(data_root=str(leap_root), split='train')
    with pytest.raises(ValueError, match='unknown split'):
        LeapGestRecog(data_root=str(leap_root), split='val')


@pytest.mark.parametrize('folder, message', [
    ('11_other', r'unexpected gesture folder .*11_other'),
    ('03_palm', r'unexpected gesture folder .*03_palm'),
    ('palm', r'unexpected gesture folder .*palm; expected one of 01_palm, 02_l'),
])
def test_bad_gesture_folders(tmp_path, leap_root, folder, message):
    root = tmp_path / 'leap'
    shutil.copytree(leap_root / '00', root / '00')
    (root / '00' / folder).mkdir()
    cv2.imwrite(str(root / '00' / folder / 'frame_00_01_0001.png'), np.zeros((24, 64), np.uint8))
    with pytest.raises(ValueError, match=message):
        LeapGestRecog(data_root=str(root), subjects=['00'])


def test_empty_gesture_folder(tmp_path, leap_root):
    root = tmp_path / 'leap'
    shutil.copytree(leap_root / '00', root / '00')
    for frame in (root / '00' / '05_thumb').iterdir():
        frame.unlink()
    with pytest.raises(ValueError, match=r'05_thumb holds no frame_\*\.png'):
        LeapGestRecog(data_root=str(root), subjects=['00'])


@pytest.mark.parametrize('content', [b'', b'not a png at all', b'\x89PNG\r\n\x1a\n' + b'\x00' * 40])
def test_unreadable_image_names_the_file(tmp_path, leap_root, content):
    root = tmp_path / 'leap'
    shutil.copytree(leap_root / '00', root / '00')
    broken = root / '00' / '07_ok' / 'frame_00_07_0002.png'
    broken.write_bytes(content)
    dataset = LeapGestRecog(data_root=str(root), subjects=['00'], pipeline=PIPELINE, test_mode=True)
    index = [dataset.get_data_info(i)['img_path'] for i in range(len(dataset))].index(str(broken))
    dataset[index - 1]  # its neighbours load
    with pytest.raises(OSError, match=f'cannot load image {broken}') as info:
        dataset[index]
    print(info.value)
