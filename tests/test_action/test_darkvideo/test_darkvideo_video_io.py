"""OpenCV decoding without decord: exact frames, clear errors for corrupt videos, skipping."""
import cv2
import numpy as np
import pytest
from mmaction.registry import DATASETS, TRANSFORMS
from mmengine.registry import init_default_scope

import posezoo.action  # noqa: F401


def write_clip(path, n=6, size=(24, 16)):
    """Lossless FFV1 clip whose frame i has B, G, R = 10 * i, 100, 200; returns BGR frames."""
    w, h = size
    frames = []
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*'FFV1'), 10.0, (w, h))
    for i in range(n):
        frame = np.empty((h, w, 3), np.uint8)
        frame[..., 0], frame[..., 1], frame[..., 2] = 10 * i, 100, 200
        frame[0, 0] = (i, i, i)
        writer.write(frame)
        frames.append(frame)
    writer.release()
    return frames


def test_decodes_requested_frames_as_rgb(tmp_path):
    frames = write_clip(tmp_path / 'ok.avi')
    init = TRANSFORMS.build(dict(type='CheckedOpenCVInit'))
    decode = TRANSFORMS.build(dict(type='CheckedOpenCVDecode'))
    results = init(dict(filename=str(tmp_path / 'ok.avi')))
    assert results['total_frames'] == 6
    results['frame_inds'] = np.array([4, 1, 1, 5])
    results = decode(results)
    assert len(results['imgs']) == 4 and results['img_shape'] == (16, 24)
    for img, i in zip(results['imgs'], [4, 1, 1, 5]):
        np.testing.assert_array_equal(img, frames[i][:, :, ::-1])
    # indices past the real end reuse the last decodable frame
    results['frame_inds'] = np.array([5, 7])
    imgs = decode(results)['imgs']
    np.testing.assert_array_equal(imgs[1], frames[5][:, :, ::-1])


def test_corrupt_and_missing_videos_raise_naming_the_file(tmp_path):
    bad = tmp_path / 'corrupt.avi'
    bad.write_bytes(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    init = TRANSFORMS.build(dict(type='CheckedOpenCVInit'))
    with pytest.raises(IOError, match='corrupt.avi'):
        init(dict(filename=str(bad)))
    with pytest.raises(IOError, match='not found.*missing.avi'):
        init(dict(filename=str(tmp_path / 'missing.avi')))
    decode = TRANSFORMS.build(dict(type='CheckedOpenCVDecode'))
    with pytest.raises(IOError, match='corrupt.avi'):
        decode(dict(filename=str(bad), frame_inds=np.array([0, 1])))
    with pytest.raises(ValueError, match='on_error'):
        TRANSFORMS.build(dict(type='CheckedOpenCVDecode', on_error='ignore'))


def test_skip_mode_warns_and_dataset_draws_another_sample(tmp_path, caplog):
    write_clip(tmp_path / 'ok.avi')
    (tmp_path / 'corrupt.avi').write_bytes(b'not a video' * 100)
    (tmp_path / 'train.txt').write_text('corrupt.avi 1\nok.avi 0\n')
    init = TRANSFORMS.build(dict(type='CheckedOpenCVInit', on_error='skip'))
    assert init(dict(filename=str(tmp_path / 'corrupt.avi'))) is None
    init_default_scope('mmaction')
    pipeline = [
        dict(type='CheckedOpenCVInit', on_error='skip'),
        dict(type='SampleFrames', clip_len=4, frame_interval=1, num_clips=1),
        dict(type='CheckedOpenCVDecode', on_error='skip'),
        dict(type='FormatShape', input_format='NCTHW'),
        dict(type='PackActionInputs')
    ]
    dataset = DATASETS.build(dict(type='VideoDataset', ann_file=str(tmp_path / 'train.txt'),
                                  data_prefix=dict(video=str(tmp_path)), pipeline=pipeline))
    sample = dataset[0]  # the corrupt one: replaced by the readable video, never a silent stop
    assert sample['inputs'].shape == (1, 3, 4, 16, 24)
    assert sample['data_samples'].gt_label.item() == 0
    test_set = DATASETS.build(dict(type='VideoDataset', ann_file=str(tmp_path / 'train.txt'),
                                   data_prefix=dict(video=str(tmp_path)),
                                   pipeline=[dict(type='CheckedOpenCVInit')], test_mode=True))
    with pytest.raises(IOError, match='corrupt.avi'):
        test_set[0]
