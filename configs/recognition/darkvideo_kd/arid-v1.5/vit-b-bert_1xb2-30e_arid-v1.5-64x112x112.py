# Baseline (no KD): ViT-B + BERT head on raw ARID v1.5 frames. Also the student architecture.
_base_ = [
    '../_base_/models/vit-b_bert.py', '../_base_/datasets/arid-v1.5.py',
    '../_base_/schedules/adamw-1e-4_30e.py', '../_base_/default_runtime.py'
]
custom_imports = dict(imports=['posezoo.action'], allow_failed_imports=False)

model = dict(cls_head=dict(num_classes=11))
