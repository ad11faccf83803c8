"""Train the ResNet-18 configs for a few iterations with tools/train.py and evaluate with MMPretrain's Accuracy.

The data are the small original-format sets of ``cls_testdata`` (real coco-mini faces and people).
Each test fits the training split (the learning signal must get through the datasets, the
pipelines, the class balancing and the model) and reports the held-out accuracy. Training uses
the configs' model, loss, optimizer and data preprocessor; the training augmentations are
turned off so that a few iterations suffice (the pipelines are tested in test_cls_configs.py).
"""
import subprocess
import sys
from pathlib import Path

import pytest
from mmengine.config import Config
from mmengine.runner import Runner

from cls_testdata import write_fer2013_csv

REPO = Path(__file__).resolve().parents[2]
CONFIGS = REPO / 'configs' / 'image_classification'


def train(config: Path, work_dir: Path, overrides: str) -> Path:
    """Write a config inheriting ``config`` with ``overrides``, train it with tools/train.py."""
    work_dir.mkdir(parents=True)
    test_config = work_dir / 'test_config.py'
    test_config.write_text(f'_base_ = [{str(config)!r}]\n{overrides}')
    subprocess.run([sys.executable, 'tools/train.py', str(test_config), '--work-dir', str(work_dir)],
                   cwd=REPO, check=True, timeout=600)
    return test_config


def evaluate(test_config: Path, checkpoint: Path, work_dir: Path, **dataset) -> dict:
    """Test ``checkpoint`` on the config's test split (overridden by ``dataset``) with its evaluator."""
    cfg = Config.fromfile(str(test_config))
    cfg.work_dir = str(work_dir)
    cfg.load_from = str(checkpoint)
    cfg.test_dataloader.dataset.update(dataset)
    cfg.test_evaluator = dict(type='Accuracy', topk=(1, ))
    return Runner.from_cfg(cfg).test()


COMMON = '''
randomness = dict(seed={seed}, deterministic=True)
train_cfg = dict(max_epochs={epochs}, val_interval={epochs})
default_hooks = dict(checkpoint=dict(interval={epochs}), logger=dict(interval=1))
optim_wrapper = dict(optimizer=dict(lr=0.05))
# BN statistics of the final weights (the running averages lag behind a fast-changing network)
custom_hooks = [dict(type='PreciseBNHook', num_samples={batch}, interval={epochs}, priority='ABOVE_NORMAL')]
'''


@pytest.fixture
def fer_small_csv(tmp_path, coco_faces) -> Path:
    """One face per expression in Training and in PublicTest."""
    rows = [(e, coco_faces[e], 'Training') for e in range(7)]
    rows += [(e, coco_faces[7 + e], usage) for e in range(7) for usage in ('PublicTest', 'PrivateTest')]
    return write_fer2013_csv(tmp_path / 'fer2013.csv', rows)


@pytest.mark.learning
def test_fer2013_resnet18_learns(tmp_path, fer_small_csv, learning_seed, figure):
    epochs, batch = 8, 7
    overrides = COMMON.format(epochs=epochs, batch=batch, seed=learning_seed) + f'''
data_root = {str(fer_small_csv.parent) + "/"!r}
train_dataloader = dict(batch_size={batch}, num_workers=0, dataset=dict(dataset=dict(
    data_root=data_root, pipeline=[dict(type='PackInputs')])))
val_dataloader = dict(batch_size=7, num_workers=0, dataset=dict(data_root=data_root))
test_dataloader = dict(batch_size=7, num_workers=0, dataset=dict(data_root=data_root))
'''
    config = CONFIGS / 'fer2013' / 'resnet18_1xb128-200e_fer2013-48x48.py'
    test_config = train(config, tmp_path / 'work', overrides)
    checkpoint = tmp_path / 'work' / f'epoch_{epochs}.pth'
    train_acc = evaluate(test_config, checkpoint, tmp_path / 'eval_train', split='train')['accuracy/top1']
    held_out = evaluate(test_config, checkpoint, tmp_path / 'eval_test')['accuracy/top1']
    print(f'FER2013 ResNet-18, {epochs} iterations: Training top-1 {train_acc:.1f}%, '
          f'PrivateTest top-1 {held_out:.1f}% (7 faces, chance 14.3%)')
    figure('Training top-1 (%)', train_acc, 85.0)
    assert train_acc >= 85.0


@pytest.mark.learning
def test_leapgestrecog_resnet18_learns(tmp_path, leap_root, learning_seed, figure):
    epochs, batch = 8, 20
    overrides = COMMON.format(epochs=epochs, batch=batch, seed=learning_seed) + f'''
data_root = {str(leap_root)!r}
train_dataloader = dict(batch_size={batch}, num_workers=0, dataset=dict(
    data_root=data_root, subjects=['00'], pipeline=[
        dict(type='LoadImageFromFile', color_type='grayscale'),
        dict(type='Resize', scale=(224, 84), keep_ratio=False),
        dict(type='PackInputs'),
    ]))
val_dataloader = dict(batch_size=20, num_workers=0, dataset=dict(data_root=data_root, subjects=['01']))
test_dataloader = val_dataloader
'''
    config = CONFIGS / 'leapgestrecog' / 'resnet18_1xb64-30e_leapgestrecog-224x84.py'
    test_config = train(config, tmp_path / 'work', overrides)
    checkpoint = tmp_path / 'work' / f'epoch_{epochs}.pth'
    train_acc = evaluate(test_config, checkpoint, tmp_path / 'eval_train', subjects=['00'])['accuracy/top1']
    held_out = evaluate(test_config, checkpoint, tmp_path / 'eval_test')['accuracy/top1']
    print(f'LeapGestRecog ResNet-18, {epochs} iterations: train subject top-1 {train_acc:.1f}%, '
          f'unseen subject top-1 {held_out:.1f}% (chance 10%)')
    figure('train subject top-1 (%)', train_acc, 85.0)
    figure('unseen subject top-1 (%)', held_out, 50.0)
    assert train_acc >= 85.0
    assert held_out >= 50.0  # subject 01: other shifts and brightness of the same hands
