# Baseline (no KD): R(2+1)D-34 + BERT head on raw ARID v1.5 frames. Also the student architecture.
_base_ = [
    '../_base_/models/r2plus1d-r34_bert.py', '../_base_/datasets/arid-v1.5.py',
    '../_base_/schedules/adamw-1e-4_30e.py', '../_base_/default_runtime.py'
]
custom_imports = dict(imports=['posezoo.action'], allow_failed_imports=False)

# The seed starts from IG65M: the published 32-frame R(2+1)D-34 (ig65m-pytorch v1.0.0),
# downloaded when training starts (not when the config is built), verified against the hash
# in its name and converted at load (torchvision layout, `fc` dropped: posezoo.weights).
IG65M_R2PLUS1D_34 = ('https://github.com/moabitcoin/ig65m-pytorch/releases/download/v1.0.0/'
                     'r2plus1d_34_clip32_ig65m_from_scratch-449a7af9.pth')
model = dict(backbone=dict(pretrained=IG65M_R2PLUS1D_34), cls_head=dict(num_classes=11))
