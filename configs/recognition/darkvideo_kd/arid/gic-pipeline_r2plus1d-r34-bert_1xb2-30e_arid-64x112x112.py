# R(2+1)D-34 + BERT head on GIC-enhanced ARID frames, DarkLight-style: Gamma Intensity Correction
# as a pipeline transform on the decoded uint8 frames (a lookup table, before resizing), in
# training, validation and test alike: the seed's enhance-then-resize order. The teacher of
# kd-gic_r2plus1d-r34-bert_1xb2-30e_arid-64x112x112.py. gamma = 2 is posezoo's choice.
_base_ = ['./r2plus1d-r34-bert_1xb2-30e_arid-64x112x112.py']
custom_imports = dict(imports=['posezoo.action'], allow_failed_imports=False)

gic = dict(type='GammaIntensityCorrection', gamma=2.0)
train_pipeline = [
    dict(type='CheckedOpenCVInit', on_error='skip'),
    dict(type='SampleFrames', clip_len=64, frame_interval=1, num_clips=1),
    dict(type='CheckedOpenCVDecode', on_error='skip'),
    gic,
    dict(type='Resize', scale=(-1, 128)),
    dict(type='RandomCrop', size=112),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
val_pipeline = [
    dict(type='CheckedOpenCVInit'),
    dict(type='SampleFrames', clip_len=64, frame_interval=1, num_clips=1, test_mode=True),
    dict(type='CheckedOpenCVDecode'),
    gic,
    dict(type='Resize', scale=(-1, 128)),
    dict(type='CenterCrop', crop_size=112),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = val_dataloader
