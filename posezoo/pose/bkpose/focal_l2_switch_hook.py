"""Hook that trains BK-Pose with plain L2 first and switches to the focal L2 loss at an epoch or
when a validation metric stops improving."""
from typing import Dict, Optional

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmpose.registry import HOOKS

from .plateau import Plateau


@HOOKS.register_module()
class FocalL2SwitchHook(Hook):
    """Set ``model.head.loss_module.focal``: plain L2 first, focal L2 after the switch.

    The switch comes at a fixed (0-based) epoch, ``switch_epoch=24`` training epochs 1-24 with L2,
    or, with ``monitor``, on the first plateau of that validation metric (``patience``
    validations in a row that do not beat the best value by more than ``min_delta``): the
    paper "fine-tuned with focal L2 until there was no further improvement". With both, whichever
    comes first. After the switch the metric's history starts afresh, and with
    ``stop_on_second_plateau`` a second plateau (in the focal L2 phase) stops training.

    A plateau is checked at every validation, so ``train_cfg.val_interval`` sets its time scale.
    The flag is set at the start of every epoch and the switch state is saved in checkpoints
    (``meta['focal_l2_switch']``), so resuming works.

    Args:
        switch_epoch (int, optional): first (0-based) epoch trained with the focal L2 loss.
        monitor (str, optional): validation metric key, e.g. ``'coco/AP'``.
        rule (str): ``'greater'`` or ``'less'``: the direction in which ``monitor`` improves.
        patience (int): validations without improvement that make a plateau. Default 3.
        min_delta (float): the smallest improvement that counts. Default 0.
        stop_on_second_plateau (bool): stop training on a plateau of the focal L2 phase
            (needs ``monitor``). Default False.
    """

    priority = 'NORMAL'

    def __init__(self, switch_epoch: Optional[int] = None, monitor: Optional[str] = None,
                 rule: str = 'greater', patience: int = 3, min_delta: float = 0.0,
                 stop_on_second_plateau: bool = False) -> None:
        if switch_epoch is None and monitor is None:
            raise ValueError('FocalL2SwitchHook: give switch_epoch, monitor or both')
        if stop_on_second_plateau and monitor is None:
            raise ValueError('FocalL2SwitchHook: stop_on_second_plateau needs a monitor')
        self.switch_epoch = switch_epoch
        self.monitor = monitor
        self.stop_on_second_plateau = stop_on_second_plateau
        self.plateau = Plateau(rule=rule, patience=patience, min_delta=min_delta)
        self.switched_at: Optional[int] = None  # the first focal epoch, once decided
        self._training = False  # validations outside runner.train() leave the state alone

    def focal_at(self, epoch: int) -> bool:
        """Whether the (0-based) ``epoch`` trains with the focal L2 loss."""
        by_epoch = self.switch_epoch is not None and epoch >= self.switch_epoch
        by_plateau = self.switched_at is not None and epoch >= self.switched_at
        return by_epoch or by_plateau

    def before_train(self, runner) -> None:
        self._training = True

    def after_train(self, runner) -> None:
        self._training = False

    def before_train_epoch(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        loss_module = model.head.loss_module
        if not hasattr(loss_module, 'focal'):
            raise TypeError(f'FocalL2SwitchHook: the head loss {type(loss_module).__name__} '
                            'has no `focal` switch (use FocalL2Loss)')
        focal = self.focal_at(runner.epoch)
        if focal and self.switched_at is None:
            self.switched_at = runner.epoch
            self.plateau.reset()
        if focal != loss_module.focal:
            runner.logger.info(f'FocalL2SwitchHook: epoch {runner.epoch + 1} trains with '
                               f'{"focal L2" if focal else "plain L2"}')
        loss_module.focal = focal

    def after_val_epoch(self, runner, metrics: Optional[Dict[str, float]] = None) -> None:
        if self.monitor is None or not self._training:
            return
        if not metrics or self.monitor not in metrics:
            raise KeyError(f'FocalL2SwitchHook: metric {self.monitor!r} is not among the '
                           f'validation results {sorted(metrics or {})}')
        if not self.plateau.update(float(metrics[self.monitor])):
            return
        # runner.epoch counts the finished epochs: it is the 0-based index of the next one
        if self.switched_at is None:
            runner.logger.info(f'FocalL2SwitchHook: {self.monitor} on a plateau (best '
                               f'{self.plateau.best:.4f}); focal L2 from epoch {runner.epoch + 1}')
            self.switched_at = runner.epoch
            self.plateau.reset()
        elif self.stop_on_second_plateau:
            runner.logger.info(f'FocalL2SwitchHook: {self.monitor} on a plateau with focal L2 '
                               f'(best {self.plateau.best:.4f}); training stops')
            runner.train_loop.stop_training = True

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint.setdefault('meta', {})['focal_l2_switch'] = dict(
            switched_at=self.switched_at, plateau=self.plateau.state_dict())

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        state = checkpoint.get('meta', {}).get('focal_l2_switch')
        if state is not None:
            self.switched_at = state['switched_at']
            self.plateau.load_state_dict(state['plateau'])
