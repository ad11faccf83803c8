"""Bad input to ``posezoo.apis.inference``: clear errors that name the input, and bounded work.

Every pose config of the zoo is built (random weights) and given an empty image file, a file
that is not an image, and an image of extreme aspect ratio (4000x30, which a bottom-up
``expand`` resize would turn into a network input of about 68,000 pixels on its long side).
"""
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from posezoo.apis import inference, init_model
from posezoo.apis.inference import MAX_INPUT_SIZE

from .conftest import QUICK_POSE_CONFIG, REPO_ROOT

POSE_CONFIGS = sorted((REPO_ROOT / 'configs' / 'body_2d_keypoint').rglob('*.py'))
CLS_CONFIG = REPO_ROOT / 'configs/image_classification/fer2013/resnet18_1xb128-200e_fer2013-48x48.py'


@pytest.fixture(scope='module', params=POSE_CONFIGS, ids=lambda p: p.stem)
def pose_model(request):
    return init_model(str(request.param))


def test_every_pose_config_is_covered():
    names = {p.parent.parent.name for p in POSE_CONFIGS}
    assert {'bkpose', 'higherhrnet'} <= names, names


@pytest.mark.parametrize('config', [QUICK_POSE_CONFIG, CLS_CONFIG], ids=['pose', 'cls'])
def test_empty_and_undecodable_image_files_are_named(config, tmp_path: Path):
    model = init_model(str(config))
    empty = tmp_path / 'empty.jpg'
    empty.write_bytes(b'')
    with pytest.raises(ValueError, match=rf'cannot decode image file {empty}: the file is empty'):
        inference(model, str(empty))
    text = tmp_path / 'notes.png'
    text.write_text('not an image')
    with pytest.raises(ValueError, match=rf'cannot decode image file {text}'):
        inference(model, str(text))
    # the bad file in a list is named too; nothing is returned for the good one
    good = REPO_ROOT / 'data/coco_sample/val2017/000000229358.jpg'
    with pytest.raises(ValueError, match=str(empty)):
        inference(model, [str(good), str(empty)])


def test_extreme_aspect_ratio_is_refused_at_once(pose_model, tmp_path: Path):
    strip = np.full((30, 4000, 3), 128, np.uint8)
    start = time.perf_counter()
    with pytest.raises(ValueError, match=rf'image of 4000x30 would become a network input of about '
                                         rf'\d+x\d+ pixels.*max_input_size={MAX_INPUT_SIZE}'):
        inference(pose_model, strip)
    assert time.perf_counter() - start < 5  # refused before the resize, not after minutes
    path = tmp_path / 'strip.png'
    cv2.imwrite(str(path), strip)
    with pytest.raises(ValueError, match=rf'^{path}: image of 4000x30'):
        inference(pose_model, str(path))


def test_the_limit_is_configurable(pose_model):
    """The limit is an argument: a square image, whose input is the model's input size, is refused
    under a limit below that size (and runs under the default, see test_apis.py)."""
    square = np.full((100, 100, 3), 128, np.uint8)
    with pytest.raises(ValueError, match='more than max_input_size=128 on its long side'):
        inference(pose_model, square, max_input_size=128)
