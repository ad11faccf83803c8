# BK-Pose + plain L2 loss: the paper's baseline ("BK-Pose + L2", COCO test-dev AP 57.3 reported).
# The same model and recipe as bkpose_1xb8-60e_coco-512x512.py, without the switch to the
# focal L2 loss (FocalL2Loss(focal=False) is the masked, eta-weighted, multi-scale L2 loss).
_base_ = ['./bkpose_1xb8-60e_coco-512x512.py']

custom_imports = dict(imports=['posezoo.pose'], allow_failed_imports=False)

custom_hooks = []  # no FocalL2SwitchHook: plain L2 for all 60 epochs
