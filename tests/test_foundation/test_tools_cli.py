"""tools/train.py and tools/test.py: clear errors for bad input, --cfg-options, work dirs."""
import sys

import pytest

from .conftest import QUICK_POSE_CONFIG, run_tool


def test_train_missing_config_names_the_file(tmp_path):
    proc = run_tool([sys.executable, 'tools/train.py', 'configs/no_such_config.py',
                     '--work-dir', str(tmp_path)], check=False)
    assert proc.returncode != 0
    assert 'config file not found: configs/no_such_config.py' in proc.stderr


@pytest.mark.slow  # tools/train.py, tools/test.py or the demo in a subprocess
def test_train_config_typo_in_module_type_is_reported(tmp_path):
    proc = run_tool([sys.executable, 'tools/train.py', str(QUICK_POSE_CONFIG), '--work-dir',
                     str(tmp_path), '--cfg-options', 'model.backbone.type=BKPoseNetTypo'],
                    check=False)
    assert proc.returncode != 0
    assert 'BKPoseNetTypo is not in the' in proc.stderr


@pytest.mark.slow  # tools/train.py, tools/test.py or the demo in a subprocess
def test_train_resume_missing_checkpoint(tmp_path):
    proc = run_tool([sys.executable, 'tools/train.py', str(QUICK_POSE_CONFIG), '--work-dir',
                     str(tmp_path), '--resume', str(tmp_path / 'missing.pth')], check=False)
    assert proc.returncode != 0
    assert f'checkpoint to resume from not found: {tmp_path / "missing.pth"}' in proc.stderr


@pytest.mark.slow  # over 4 s; the fast loop (-m "not slow") stays under 3 minutes
def test_test_missing_checkpoint(tmp_path):
    proc = run_tool([sys.executable, 'tools/test.py', str(QUICK_POSE_CONFIG),
                     str(tmp_path / 'nope.pth')], check=False)
    assert proc.returncode != 0
    assert f'checkpoint file not found: {tmp_path / "nope.pth"}' in proc.stderr


@pytest.mark.slow  # tools/train.py, tools/test.py or the demo in a subprocess
def test_test_evaluates_a_trained_checkpoint_and_dumps_predictions(trained_pose, tmp_path):
    out = tmp_path / 'preds.pkl'
    proc = run_tool([sys.executable, 'tools/test.py', str(QUICK_POSE_CONFIG),
                     str(trained_pose / 'epoch_1.pth'), '--work-dir', str(tmp_path / 'w'),
                     '--out', str(out)])
    assert 'coco/AP:' in proc.stdout + proc.stderr
    assert out.is_file() and out.stat().st_size > 0


@pytest.mark.slow  # tools/train.py, tools/test.py or the demo in a subprocess
def test_pose_demo_missing_image_is_reported(trained_pose, tmp_path):
    proc = run_tool([sys.executable, 'demo/pose_demo.py', str(QUICK_POSE_CONFIG),
                     str(trained_pose / 'epoch_1.pth'), str(tmp_path / 'missing.jpg')], check=False)
    assert proc.returncode != 0
    assert str(tmp_path / 'missing.jpg') in proc.stderr
    assert 'not found' in proc.stderr
