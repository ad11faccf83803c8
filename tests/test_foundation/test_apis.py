"""posezoo.apis.init_model / inference for every task type, and their errors on bad input."""
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

from posezoo.apis import CheckpointMismatchError, config_input_shape, config_task, inference, init_model, preprocess

from .conftest import QUICK_POSE_CONFIG, REPO_ROOT

CONFIGS = REPO_ROOT / 'configs'
HRNET_CONFIG = CONFIGS / 'body_2d_keypoint/higherhrnet/coco/higherhrnet_hrnet-w32_8xb24-300e_coco-512x512.py'
VIDEO_CONFIG = CONFIGS / 'recognition/darkvideo_kd/darkclips/r2plus1d-tiny-bert_1xb16-10e_darkclips-8x32x32.py'
SKELETON_CONFIG = CONFIGS / 'skeleton/lstm/lstm_1xb16-20e_synthetic-mediapipe33-30f.py'
CLS_CONFIG = CONFIGS / 'image_classification/fer2013/resnet18_1xb128-200e_fer2013-48x48.py'
PEOPLE_IMAGE = REPO_ROOT / 'data/coco_sample/val2017/000000229358.jpg'


@pytest.mark.parametrize('config,task', [
    (QUICK_POSE_CONFIG, 'pose'), (HRNET_CONFIG, 'pose'), (VIDEO_CONFIG, 'video_action'),
    (SKELETON_CONFIG, 'skeleton_action'), (CLS_CONFIG, 'image_classification')])
def test_task_is_read_from_explicit_data(config, task):
    """Scope for mmpose / mmpretrain; the metafile entry's Task for mmaction configs."""
    from mmengine.config import Config
    assert config_task(Config.fromfile(str(config))) == task


@pytest.mark.parametrize('spec,task', [
    ('mmaction::skeleton/stgcn/stgcn_8xb16-joint-u100-80e_ntu60-xsub-keypoint-2d.py', 'skeleton_action'),
    ('mmaction::recognition/tsn/tsn_imagenet-pretrained-r50_8xb32-1x1x3-100e_kinetics400-rgb.py', 'video_action')])
def test_mmaction_config_task_from_its_model_index(spec, task):
    """MMAction2's own configs: the task of their entry in MMAction2's metafiles."""
    from mmengine.config import Config

    from posezoo.utils.setup_env import resolve_config
    assert config_task(Config.fromfile(resolve_config(spec))) == task


def test_action_config_without_metafile_entry_is_named(tmp_path):
    """Neither task nor input shape is guessed: the error names the file and the field."""
    from mmengine.config import Config
    config = tmp_path / 'my_recognizer.py'
    config.write_text("default_scope = 'mmaction'\nmodel = dict(type='RecognizerGCN')\n")
    cfg = Config.fromfile(str(config))
    with pytest.raises(ValueError, match=f"{config}: cannot tell a video from a skeleton.*Task"):
        config_task(cfg)
    with pytest.raises(ValueError, match=f"{config}: no input shape.*Input Shape"):
        config_input_shape(cfg)


@pytest.mark.slow  # uses the trained_pose training run
def test_pose_inference_on_a_trained_checkpoint(trained_pose):
    model = init_model(str(QUICK_POSE_CONFIG), str(trained_pose / 'epoch_1.pth'))
    assert not model.training
    assert model.dataset_meta['dataset_name'] == 'coco'
    result = inference(model, str(PEOPLE_IMAGE))
    keypoints = result.pred_instances.keypoints
    assert keypoints.ndim == 3 and keypoints.shape[1:] == (17, 2)
    assert result.pred_instances.keypoint_scores.shape == keypoints.shape[:2]
    height, width = cv2.imread(str(PEOPLE_IMAGE)).shape[:2]
    assert result.ori_shape == (height, width)
    if len(keypoints):  # image coordinates, not heatmap or input coordinates
        assert keypoints[..., 0].max() <= width * 1.05 and keypoints[..., 1].max() <= height * 1.05
    # a list in, a list out; an array gives what its file gives
    image = cv2.imread(str(PEOPLE_IMAGE))
    by_path, by_array = inference(model, [str(PEOPLE_IMAGE), image])
    np.testing.assert_allclose(by_array.pred_instances.keypoints, by_path.pred_instances.keypoints)


def _write_video(path: Path, frames: int = 16, size: int = 32) -> Path:
    source = cv2.imread(str(PEOPLE_IMAGE))
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*'MJPG'), 8, (size, size))
    for t in range(frames):  # a real image panning left
        crop = source[100:100 + 4 * size, 10 * t:10 * t + 4 * size]
        writer.write(cv2.resize(crop, (size, size)))
    writer.release()
    return path


def test_video_action_inference(tmp_path):
    model = init_model(str(VIDEO_CONFIG))
    result = inference(model, str(_write_video(tmp_path / 'clip.avi')))
    scores = result.pred_score
    assert scores.shape == (4, )
    assert float(scores.sum()) == pytest.approx(1.0, abs=1e-4)
    with pytest.raises(FileNotFoundError, match='video file not found'):
        inference(model, str(tmp_path / 'missing.avi'))


def _write_seed_file(path: Path, frames: int = 40) -> Path:
    """A swinging-arm sequence in the seed's text format (33 MediaPipe landmarks x 4)."""
    from posezoo.action.skeleton import write_seed_file
    rng = np.random.default_rng(0)
    landmarks = np.repeat(rng.uniform(0.3, 0.7, size=(1, 33, 4)), frames, axis=0)
    landmarks[:, 15:17, 0] += 0.1 * np.sin(np.arange(frames) / 3.0)[:, None]  # the wrists swing
    landmarks[..., 3] = 0.9
    write_seed_file(path, landmarks)
    return path


def test_skeleton_action_inference_on_a_sequence_file(tmp_path):
    model = init_model(str(SKELETON_CONFIG))
    result = inference(model, str(_write_seed_file(tmp_path / 'HANDSWING.txt')))
    assert result.pred_score.shape == (4, )
    assert float(result.pred_score.sum()) == pytest.approx(1.0, abs=1e-4)


def test_image_classification_inference():
    from posezoo.cls import FER2013_CLASSES
    model = init_model(str(CLS_CONFIG))
    assert tuple(model.dataset_meta['classes']) == tuple(FER2013_CLASSES)  # from the config
    by_path = inference(model, str(PEOPLE_IMAGE))
    assert by_path.pred_score.shape == (7, )
    assert 0 <= int(by_path.pred_label) < 7
    by_array = inference(model, cv2.imread(str(PEOPLE_IMAGE)))
    torch.testing.assert_close(by_array.pred_score, by_path.pred_score)


def test_missing_files_are_named(tmp_path):
    with pytest.raises(FileNotFoundError, match='config file not found: .*nope.py'):
        init_model(str(tmp_path / 'nope.py'))
    with pytest.raises(FileNotFoundError, match='checkpoint file not found: .*nope.pth'):
        init_model(str(CLS_CONFIG), str(tmp_path / 'nope.pth'))
    model = init_model(str(CLS_CONFIG))
    with pytest.raises(FileNotFoundError, match='image file not found: .*nope.jpg'):
        inference(model, str(tmp_path / 'nope.jpg'))


def test_corrupt_image_is_named(tmp_path):
    corrupt = tmp_path / 'corrupt.jpg'
    corrupt.write_bytes(PEOPLE_IMAGE.read_bytes()[:200])  # a truncated JPEG header
    model = init_model(str(CLS_CONFIG))
    with pytest.raises(ValueError, match=f'cannot decode image file {corrupt}'):
        inference(model, str(corrupt))


def test_unknown_task(tmp_path):
    config = tmp_path / 'detector.py'
    config.write_text("default_scope = 'mmdet'\nmodel = dict(type='RetinaNet')\n")
    with pytest.raises(ValueError, match="unknown task: the config has default_scope='mmdet'"):
        init_model(str(config))


def test_checkpoint_of_another_width_is_refused(shared_dir):
    """An official-layout file is converted at load; a W8 file still does not fit W32, and the
    error names the layout it was converted from."""
    official = shared_dir / 'fixtures/higherhrnet-official/weights.pth'
    with pytest.raises(CheckpointMismatchError,
                       match=r'converted from the higherhrnet-official layout(.|\n)*size mismatch'):
        init_model(str(HRNET_CONFIG), str(official))


@pytest.mark.slow  # uses the trained_pose training run
def test_checkpoint_of_another_model_is_refused(trained_pose):
    with pytest.raises(CheckpointMismatchError, match='does not match the model'):
        init_model(str(HRNET_CONFIG), str(trained_pose / 'epoch_1.pth'))


def test_corrupt_checkpoint_is_refused(tmp_path):
    corrupt = tmp_path / 'corrupt.pth'
    corrupt.write_bytes(b'not a checkpoint at all')
    with pytest.raises(CheckpointMismatchError, match=f'cannot read checkpoint {corrupt}'):
        init_model(str(CLS_CONFIG), str(corrupt))


@pytest.mark.parametrize('config', [QUICK_POSE_CONFIG, CLS_CONFIG])
def test_preprocess_path_and_array_agree(config):
    """One preprocess for images: a file and its decoded array give the same network input."""
    model = init_model(str(config))
    by_path = preprocess(model, str(PEOPLE_IMAGE))
    by_array = preprocess(model, cv2.imread(str(PEOPLE_IMAGE)))
    assert by_path['inputs'].shape[0] == 1 and by_path['inputs'].shape[1] in (1, 3)
    torch.testing.assert_close(by_array['inputs'], by_path['inputs'])
