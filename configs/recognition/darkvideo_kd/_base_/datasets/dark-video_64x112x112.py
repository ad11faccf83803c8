# Common video pipelines of the seed's recipe: 64 consecutive frames, 112 x 112, batch 2,
# decoded with OpenCV (no decord). `on_error='skip'` drops unreadable training videos with a
# warning; validation/test raise a clear error naming the file.
dataset_type = 'VideoDataset'
file_client_args = dict(io_backend='disk')

train_pipeline = [
    dict(type='CheckedOpenCVInit', on_error='skip'),
    dict(type='SampleFrames', clip_len=64, frame_interval=1, num_clips=1),
    dict(type='CheckedOpenCVDecode', on_error='skip'),
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
    dict(type='Resize', scale=(-1, 128)),
    dict(type='CenterCrop', crop_size=112),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
test_pipeline = val_pipeline

train_dataloader = dict(
    batch_size=2,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type=dataset_type, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=2,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, pipeline=val_pipeline, test_mode=True))
test_dataloader = val_dataloader

val_evaluator = dict(type='AccMetric')
test_evaluator = val_evaluator
