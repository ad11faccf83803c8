# KD student (seed 002): R(2+1)D-34 + BERT head on raw ARID frames, as in
# kd-zerodce_r2plus1d-r34-bert_1xb2-30e_arid-64x112x112.py but distilled from the GIC teacher
# (gic-pipeline_...: GIC on the decoded frames before resizing). Its training view 1 is the same
# frames gamma-corrected before resizing. Train the teacher first; teacher_ckpt is its last epoch.
_base_ = ['./kd-zerodce_r2plus1d-r34-bert_1xb2-30e_arid-64x112x112.py']
custom_imports = dict(imports=['posezoo.action'], allow_failed_imports=False)

model = dict(
    teacher_config='{{fileDirname}}/gic-pipeline_r2plus1d-r34-bert_1xb2-30e_arid-64x112x112.py',
    teacher_ckpt='work_dirs/gic-pipeline_r2plus1d-r34-bert_1xb2-30e_arid-64x112x112/epoch_30.pth')
kd_train_pipeline = [
    dict(type='CheckedOpenCVInit', on_error='skip'),
    dict(type='SampleFrames', clip_len=64, frame_interval=1, num_clips=1),
    dict(type='CheckedOpenCVDecode', on_error='skip'),
    dict(type='EnhanceFrames', enhancer=dict(type='GammaEnhancer', gamma=2.0), keep_raw=True),
    dict(type='Resize', scale=(-1, 128)),
    dict(type='RandomCrop', size=112),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
train_dataloader = dict(dataset=dict(pipeline=kd_train_pipeline))
