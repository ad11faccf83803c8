"""Bad input to ``posezoo.apis.inference``: clear errors that name the input, and bounded work.

Every pose config of the zoo is built (random weights) and given an empty image file, a file
that is not an image, and an image of extreme aspect ratio (4000x30, which a bottom-up
``expand`` resize would turn into a network input of about 68,000 pixels on its long side).
"""
import importlib
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from posezoo.apis import inference, init_model
from posezoo.apis.inference import MAX_INPUT_SIZE

from .conftest import QUICK_POSE_CONFIG, REPO_ROOT

POSE_CONFIGS = sorted(p for p in (REPO_ROOT / 'configs' / 'body_2d_keypoint').rglob('*.py')
                      if '_base_' not in p.parts)
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


@pytest.fixture(scope='module')
def quick_model():
    return init_model(str(QUICK_POSE_CONFIG))


def test_float_and_16_bit_arrays_are_refused_with_the_conversion(quick_model):
    image = cv2.imread(str(REPO_ROOT / 'data/coco_sample/val2017/000000229358.jpg'))
    with pytest.raises(ValueError, match=r'got float32 with values in \[0, 1\]; convert it: '
                                         r'\(image \* 255\)\.round\(\)\.astype\(np\.uint8\)'):
        inference(quick_model, image.astype(np.float32) / 255)
    with pytest.raises(ValueError, match=r'got uint16 .*\(image // 257\)\.astype\(np\.uint8\)'):
        inference(quick_model, image.astype(np.uint16) * 257)
    with pytest.raises(ValueError, match=r'HxWx3 \(BGR\).*shape \(.*, 4\); drop the alpha'):
        inference(quick_model, np.dstack([image, image[..., :1]]))


def test_grey_array_runs_as_the_same_image_in_colour(quick_model):
    """A 2-D grey array is the grey image in three channels (it failed with IndexError)."""
    grey = cv2.cvtColor(cv2.imread(str(REPO_ROOT / 'data/coco_sample/val2017/000000229358.jpg')),
                        cv2.COLOR_BGR2GRAY)
    as_2d = inference(quick_model, grey).pred_instances.keypoints
    as_bgr = inference(quick_model, cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR)).pred_instances.keypoints
    np.testing.assert_array_equal(as_2d, as_bgr)


def test_a_list_is_checked_whole_before_any_work(quick_model, tmp_path: Path, monkeypatch):
    module = importlib.import_module('posezoo.apis.inference')  # (the package exports the function)
    calls = []
    monkeypatch.setitem(module._RUNNERS, module.POSE,
                        (module._prepare_pose, lambda model, image: calls.append(image)))
    good = str(REPO_ROOT / 'data/coco_sample/val2017/000000229358.jpg')
    missing = str(tmp_path / 'missing.jpg')
    with pytest.raises(ValueError) as info:
        inference(quick_model, [good, missing, good, np.zeros((8, 8, 3), np.float64)])
    message = str(info.value)
    assert message.startswith('2 of 4 inputs are bad, nothing was run'), message
    assert f'item 1 ({missing}): image file not found: {missing}' in message, message
    assert 'item 3 (array of shape (8, 8, 3)): an image array must be uint8' in message, message
    assert calls == []  # no model run for the good items
    inference(quick_model, [good, good])
    assert len(calls) == 2


def test_config_errors_name_the_file_and_where_configs_are(tmp_path: Path):
    from posezoo.utils.paths import CONFIGS
    with pytest.raises(FileNotFoundError, match=rf'nosuch_model .*configs of the installed posezoo '
                                                rf'are in {CONFIGS}; list the models with `mim '
                                                'search posezoo`'):
        init_model('nosuch_model')
    with pytest.raises(FileNotFoundError, match=r'posezoo::body_2d_keypoint/nope\.py: no such '
                                                'config in the installed posezoo'):
        init_model('posezoo::body_2d_keypoint/nope.py')
    base = tmp_path / 'base.py'
    base.write_text('x = 1\ny = dict(a=1\nz = 3\n')
    child = tmp_path / 'child.py'
    child.write_text("_base_ = ['./base.py']\nq = 2\n")
    for config in (base, child):  # MMEngine said: File "<unknown>", line 3
        with pytest.raises(SyntaxError, match=rf'config {base} is not valid Python: .* '
                                              r'\(line [23]: .*\); fix the file'):
            init_model(str(config))
