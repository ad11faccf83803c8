"""Train the ResNet-18 configs for a few iterations with tools/train.py and evaluate with MMPretrain's Accuracy.

The data are the small original-format sets of ``cls_testdata`` (real coco-mini faces and people).
Each test fits the training split (the learning signal must get through the datasets, the
pipelines, the class balancing and the model) and reports the held-out accuracy.
"""
import subprocess
import sys
from pathlib import Path

from mmengine.config import Config
from mmengine.runner import Runner

REPO = Path(__file__).resolve().parents[2]
CONFIGS = REPO / 'configs' / 'image_classification'


def train(config: Path, work_dir: Path, overrides: str) -> Path:
    """Write a config inheriting ``config`` with ``overrides``, train it with tools/train.py."""
    work_dir.mkdir(parents=True, exist_ok=True)
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
train_cfg = dict(max_epochs={epochs}, val_interval={epochs})
default_hooks = dict(checkpoint=dict(interval={epochs}), logger=dict(interval=5))
optim_wrapper = dict(optimizer=dict(lr={lr}))
'''


def test_fer2013_resnet18_learns(tmp_path, fer_csv):
    epochs = 40
    overrides = COMMON.format(epochs=epochs, lr=0.05) + f'''
data_root = {str(fer_csv.parent) + "/"!r}
train_dataloader = dict(batch_size=20, num_workers=0, dataset=dict(dataset=dict(data_root=data_root)))
val_dataloader = dict(batch_size=7, num_workers=0, dataset=dict(data_root=data_root))
test_dataloader = dict(batch_size=20, num_workers=0, dataset=dict(data_root=data_root))
'''
    config = CONFIGS / 'fer2013' / 'resnet18_1xb128-200e_fer2013-48x48.py'
    test_config = train(config, tmp_path, overrides)
    checkpoint = tmp_path / f'epoch_{epochs}.pth'
    train_acc = evaluate(test_config, checkpoint, tmp_path / 'eval_train', split='train')['accuracy/top1']
    held_out = evaluate(test_config, checkpoint, tmp_path / 'eval_test')['accuracy/top1']
    print(f'FER2013 ResNet-18, {epochs} iterations: Training top-1 {train_acc:.1f}%, '
          f'PrivateTest top-1 {held_out:.1f}% (7 faces, chance 14.3%)')
    assert train_acc >= 80.0


def test_leapgestrecog_resnet18_learns(tmp_path, leap_root):
    epochs = 30
    overrides = COMMON.format(epochs=epochs, lr=0.05) + f'''
data_root = {str(leap_root)!r}
train_dataloader = dict(batch_size=20, num_workers=0, dataset=dict(data_root=data_root, subjects=['00', '01']))
val_dataloader = dict(batch_size=20, num_workers=0, dataset=dict(data_root=data_root, subjects=['02']))
test_dataloader = val_dataloader
'''
    config = CONFIGS / 'leapgestrecog' / 'resnet18_1xb64-30e_leapgestrecog-224x84.py'
    test_config = train(config, tmp_path, overrides)
    checkpoint = tmp_path / f'epoch_{epochs}.pth'
    train_acc = evaluate(test_config, checkpoint, tmp_path / 'eval_train', subjects=['00', '01'])['accuracy/top1']
    held_out = evaluate(test_config, checkpoint, tmp_path / 'eval_test')['accuracy/top1']
    print(f'LeapGestRecog ResNet-18, {epochs * 2} iterations: train subjects top-1 {train_acc:.1f}%, '
          f'unseen subject top-1 {held_out:.1f}% (chance 10%)')
    assert train_acc >= 80.0
