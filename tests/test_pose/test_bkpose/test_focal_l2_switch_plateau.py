"""FocalL2SwitchHook on a plateau of a validation metric: a scripted metric history, with a fake
runner and with MMEngine's real epoch loop (switch epoch, early stop, resume state)."""
from types import SimpleNamespace

import pytest
import torch
from mmengine.evaluator import BaseMetric, Evaluator
from mmengine.logging import MMLogger
from mmengine.model import BaseModel
from mmengine.runner import Runner
from torch import nn

from posezoo.pose.bkpose import FocalL2Loss, FocalL2SwitchHook
from posezoo.pose.bkpose.plateau import Plateau


def test_plateau_patience_and_min_delta():
    plateau = Plateau(rule='greater', patience=2, min_delta=0.01)
    # 0.5 best; 0.505 is not better by more than 0.01 (wait 1); 0.52 is (reset); then 2 waits
    flags = [plateau.update(v) for v in [0.5, 0.505, 0.52, 0.525, 0.51]]
    assert flags == [False, False, False, False, True]
    assert plateau.best == 0.52
    plateau.reset()
    assert not plateau.update(0.1)  # a fresh history: any value is the new best
    less = Plateau(rule='less', patience=1)
    assert [less.update(v) for v in [3.0, 2.0, 2.0]] == [False, False, True]
    with pytest.raises(ValueError):
        Plateau(rule='max')


def _fake_runner(model, epoch):
    return SimpleNamespace(model=model, epoch=epoch, logger=MMLogger.get_instance('plateau'),
                           train_loop=SimpleNamespace(stop_training=False))


def _play(hook, history):
    """Train epoch e, then validate with history[e]; the focal flag of each epoch and the epoch
    after which the loop was told to stop (None: never)."""
    model = SimpleNamespace(head=SimpleNamespace(loss_module=FocalL2Loss(1, focal=False)))
    hook.before_train(None)
    focal = []
    for epoch, value in enumerate(history):
        runner = _fake_runner(model, epoch)
        hook.before_train_epoch(runner)
        focal.append(model.head.loss_module.focal)
        runner.epoch = epoch + 1  # MMEngine counts the epoch as done before validating
        hook.after_val_epoch(runner, {'coco/AP': value})
        if runner.train_loop.stop_training:
            return focal, epoch
    return focal, None


# AP rises, stalls for 2 validations (plateau after epoch 3), rises with focal L2, stalls again
HISTORY = [0.30, 0.40, 0.40, 0.405, 0.45, 0.50, 0.50, 0.49, 0.60]


def test_switch_on_plateau_then_stop():
    hook = FocalL2SwitchHook(monitor='coco/AP', patience=2, min_delta=0.01,
                             stop_on_second_plateau=True)
    focal, stopped = _play(hook, HISTORY)
    # epochs 0-3 plain L2, focal from epoch 4; the second plateau follows epoch 7's validation
    assert focal == [False] * 4 + [True] * 4
    assert stopped == 7
    assert hook.switched_at == 4


def test_switch_on_plateau_without_stop():
    hook = FocalL2SwitchHook(monitor='coco/AP', patience=2, min_delta=0.01)
    focal, stopped = _play(hook, HISTORY)
    assert focal == [False] * 4 + [True] * 5 and stopped is None


def test_fixed_epoch_comes_first():
    hook = FocalL2SwitchHook(switch_epoch=2, monitor='coco/AP', patience=2, min_delta=0.01,
                             stop_on_second_plateau=True)
    focal, stopped = _play(hook, HISTORY)
    # focal from epoch 2; the plateau history restarts there: 0.40 (best), 0.405, 0.45 (best),
    # 0.50 (best), 0.50, 0.49: stop after epoch 7
    assert focal == [False] * 2 + [True] * 6 and stopped == 7


def test_monitor_missing_or_no_mode():
    with pytest.raises(ValueError):
        FocalL2SwitchHook()
    with pytest.raises(ValueError):
        FocalL2SwitchHook(switch_epoch=3, stop_on_second_plateau=True)
    hook = FocalL2SwitchHook(monitor='coco/AP')
    hook.before_train(None)
    with pytest.raises(KeyError):
        hook.after_val_epoch(_fake_runner(None, 1), {'coco/AR': 0.1})


class _Head(nn.Module):

    def __init__(self) -> None:
        super().__init__()
        self.loss_module = FocalL2Loss(1, focal=False)


class _Toy(BaseModel):
    """One parameter; its loss records whether each training step ran with focal L2."""

    def __init__(self) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(1))
        self.head = _Head()
        self.steps = []

    def forward(self, inputs, data_samples=None, mode='tensor'):
        if mode == 'loss':
            self.steps.append(self.head.loss_module.focal)
            return {'loss': (self.weight - 1).pow(2).sum()}
        return [dict(value=0.0)]


class _Scripted(BaseMetric):
    """Returns ``coco/AP`` from a script, one value per validation."""

    def __init__(self, history) -> None:
        super().__init__()
        self.history = list(history)

    def process(self, data_batch, data_samples) -> None:
        self.results.append(0)

    def compute_metrics(self, results) -> dict:
        return {'AP': self.history.pop(0)}


def _runner(tmp_path, history, hook, max_epochs):
    loader = dict(dataset=[dict(inputs=torch.zeros(1))] * 2, batch_size=1, collate_fn=dict(type='default_collate'),
                  sampler=dict(type='DefaultSampler', shuffle=False))
    return Runner(
        model=_Toy(), work_dir=str(tmp_path), train_dataloader=loader, val_dataloader=loader,
        val_evaluator=Evaluator([_Scripted(history)]),
        train_cfg=dict(by_epoch=True, max_epochs=max_epochs, val_interval=1), val_cfg=dict(),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1)), custom_hooks=[hook],
        default_hooks=dict(checkpoint=dict(type='CheckpointHook', interval=1), logger=None),
        default_scope='mmengine', experiment_name='plateau', log_level='WARNING')


def test_real_loop_switches_and_stops(tmp_path):
    # the metric prefix is the evaluator's: _Scripted has none, so the key is 'AP'
    hook = FocalL2SwitchHook(monitor='AP', patience=2, min_delta=0.01,
                             stop_on_second_plateau=True)
    runner = _runner(tmp_path, HISTORY, hook, max_epochs=20)
    runner.train()
    # 2 steps per epoch: epochs 1-4 plain L2, 5-8 focal, then the loop stops (not 20 epochs)
    assert runner.model.steps == [False] * 8 + [True] * 8
    assert runner.epoch == 8
    meta = torch.load(tmp_path / 'epoch_8.pth', weights_only=False)['meta']['focal_l2_switch']
    assert meta['switched_at'] == 4
    # a resumed hook reads the switch back
    resumed = FocalL2SwitchHook(monitor='AP', patience=2)
    resumed.after_load_checkpoint(None, {'meta': {'focal_l2_switch': meta}})
    assert resumed.focal_at(4) and not resumed.focal_at(3)
