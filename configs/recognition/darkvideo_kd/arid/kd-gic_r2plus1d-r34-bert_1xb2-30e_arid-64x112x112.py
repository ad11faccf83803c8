# KD student (seed 002): R(2+1)D-34 + BERT head on raw ARID frames, as in
# kd-zerodce_r2plus1d-r34-bert_1xb2-30e_arid-64x112x112.py but distilled from the GIC teacher
# (gic-pipeline_...: GIC on the decoded frames before resizing). Its training view 1 is the same
# frames gamma-corrected before resizing. Train the teacher first; teacher_ckpt is its last epoch.
_base_ = ['./kd-zerodce_r2plus1d-r34-bert_1xb2-30e_arid-64x112x112.py']
custom_imports = dict(imports=['posezoo.action'], allow_failed_imports=False)

model = dict(
    teacher_config='{{fileDirname}}/gic-pipeline_r2plus1d-r34-bert_1xb2-30e_arid-64x112x112.py',
    teacher_ckpt='work_dirs/gic-pipeline_r2plus1d-r34-bert_1xb2-30e_arid-64x112x112/epoch_30.pth')
# the base's training pipeline with raw + gamma-corrected frames after decoding (steps 0-2)
kd_train_pipeline = [
    *_base_.train_pipeline[:3],
    dict(type='EnhanceFrames', enhancer=dict(type='GammaEnhancer', gamma=2.0), keep_raw=True),
    *_base_.train_pipeline[3:]
]
train_dataloader = dict(dataset=dict(pipeline=kd_train_pipeline))
