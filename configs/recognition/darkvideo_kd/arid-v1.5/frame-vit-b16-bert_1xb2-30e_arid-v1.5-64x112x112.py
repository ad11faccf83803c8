# Seed 002's student / no-KD baseline (its Fig. 2): ImageNet ViT-B/16 on every raw ARID v1.5 frame
# (7 x 7 patches at 112 px), per-frame CLS features through the BERT temporal head.
_base_ = [
    '../_base_/models/frame-vit-b16_bert.py', '../_base_/datasets/arid-v1.5.py',
    '../_base_/schedules/adamw-1e-4_30e.py', '../_base_/default_runtime.py'
]
custom_imports = dict(imports=['posezoo.action'], allow_failed_imports=False)

model = dict(cls_head=dict(num_classes=11))
