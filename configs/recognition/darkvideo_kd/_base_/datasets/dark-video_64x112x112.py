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

# The seed's order for the teacher: Zero-DCE on the decoded frames at their native resolution,
# then resize and crop (EnhanceFrames runs the frozen enhancer inside the data pipeline; set
# `device='cuda'` in it to enhance on a GPU). Teacher configs use the `enhanced_*` pipelines;
# KD configs train on `kd_train_pipeline`: raw + enhanced frames cropped and flipped alike,
# packed as two views (student: view 0, teacher: view 1 = KDRecognizer(teacher_view=1)).
# The official Zero-DCE weights (Li-Chongyi/Zero-DCE, Zero-DCE_code/snapshots/Epoch99.pth), fetched
# once into $TORCH_HOME/hub/checkpoints and checked against this sha256; offline, put the file there.
zerodce = dict(
    type='ZeroDCE',
    checkpoint='https://raw.githubusercontent.com/Li-Chongyi/Zero-DCE/master/Zero-DCE_code/'
    'snapshots/Epoch99.pth'
    '#sha256=a4395acb874f320375d9704997cef874eaaaaa26a1777ceb29a92b70f74c3612')
enhanced_train_pipeline = [
    *train_pipeline[:3],
    dict(type='EnhanceFrames', enhancer=zerodce), *train_pipeline[3:]
]
enhanced_val_pipeline = [
    *val_pipeline[:3],
    dict(type='EnhanceFrames', enhancer=zerodce), *val_pipeline[3:]
]
kd_train_pipeline = [
    *train_pipeline[:3],
    dict(type='EnhanceFrames', enhancer=zerodce, keep_raw=True), *train_pipeline[3:]
]

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
