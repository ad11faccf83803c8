"""Hook that trains BK-Pose with plain L2 first and switches to the focal L2 loss at an epoch."""
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmpose.registry import HOOKS


@HOOKS.register_module()
class FocalL2SwitchHook(Hook):
    """Set ``model.head.loss_module.focal`` from the epoch: L2 before ``switch_epoch``, focal
    L2 from it on (0-based, i.e. ``switch_epoch=24`` trains epochs 1-24 with L2).

    The paper trains with L2 until the loss drops (around epoch 24 of 60) and then fine-tunes with
    the focal L2 loss; the flag is set at the start of every epoch, so resuming works.

    Args:
        switch_epoch (int): first (0-based) epoch trained with the focal L2 loss.
    """

    priority = 'NORMAL'

    def __init__(self, switch_epoch: int) -> None:
        self.switch_epoch = switch_epoch

    def before_train_epoch(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        loss_module = model.head.loss_module
        if not hasattr(loss_module, 'focal'):
            raise TypeError(f'FocalL2SwitchHook: the head loss {type(loss_module).__name__} '
                            'has no `focal` switch (use FocalL2Loss)')
        focal = runner.epoch >= self.switch_epoch
        if focal != loss_module.focal:
            runner.logger.info(f'FocalL2SwitchHook: epoch {runner.epoch + 1} trains with '
                               f'{"focal L2" if focal else "plain L2"}')
        loss_module.focal = focal
