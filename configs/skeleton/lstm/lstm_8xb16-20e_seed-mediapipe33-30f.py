# The seed's LSTM (seed 004): MediaPipe Pose landmarks, 33 x (x, y, z, visibility) per frame, one
# text file per action in data/skeleton/seed/<ACTION>.txt, 30-frame windows, Adam, 20 epochs.
# As in the seed, each recording is split in time: the first 80% of its frames for training, the
# last 20% for validation.
_base_ = '../_base_/lstm_adam_runtime.py'

custom_imports = dict(imports=['posezoo.action'], allow_failed_imports=False)

classes = ('HANDSWING', 'ARMRAISE', 'SQUAT', 'WALK')
clip_len = 30
model = dict(
    type='RecognizerGCN',
    backbone=dict(
        type='LSTMSkeleton',
        in_channels=4,  # x, y, z, visibility
        num_joints=33,
        hidden_size=64,
        num_layers=2,
        dropout=0.2,
        norm_cfg=dict(layout='mediapipe', num_coords=3)),
    cls_head=dict(
        type='SkeletonClsHead', num_classes=len(classes), in_channels=64, dropout=0.2,
        topk=(1, )))

dataset_type = 'SeedSkeletonDataset'
data_root = 'data/skeleton/seed'
# FormatGCNInput appends the visibility (keypoint_score) to x, y, z: 4 channels per landmark.
pipeline = [
    dict(type='UniformSampleFrames', clip_len=clip_len, num_clips=1, test_mode=True),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', num_person=1),
    dict(type='PackActionInputs')
]
test_pipeline = pipeline
# posezoo.apis.inference on a whole recording: windows of the training length, half-window stride,
# per-window scores and their mean (posezoo/action/skeleton/sliding_window.py)
sliding_window = dict(clip_len=clip_len, stride=clip_len // 2)

# training: the first 80% of every recording, a window every 5 frames
train_dataloader = dict(dataset=dict(type=dataset_type, ann_file=data_root, classes=classes, clip_len=clip_len,
                                     stride=5, frame_range=(0.0, 0.8), pipeline=pipeline))
# validation: the last 20% of every recording, a window every 10 frames, in order
val_dataloader = dict(dataset=dict(train_dataloader['dataset'], stride=10, frame_range=(0.8, 1.0), test_mode=True))
test_dataloader = val_dataloader

train_cfg = dict(max_epochs=20, val_interval=1)
param_scheduler = []
