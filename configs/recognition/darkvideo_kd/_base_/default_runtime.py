# MMAction2's runtime, keeping the last 3 epoch checkpoints and the best one.
_base_ = ['mmaction::_base_/default_runtime.py']

default_hooks = dict(checkpoint=dict(interval=1, max_keep_ckpts=3, save_best='auto'))
