# ResNet-18 hand-gesture classifier on LeapGestRecog (seed 001): 10 gestures, near-infrared
# 640x240 frames read as 1-channel images and resized to 224x84 (aspect ratio kept), trained
# from scratch. Split by subject: train on subjects 00-07, validate/test on the unseen 08-09.
_base_ = [
    'mmpretrain::_base_/models/resnet18.py',
    'mmpretrain::_base_/schedules/imagenet_bs256.py',
    'mmpretrain::_base_/default_runtime.py',
]
custom_imports = dict(imports=['posezoo.cls'], allow_failed_imports=False)

model = dict(backbone=dict(in_channels=1), head=dict(num_classes=10, topk=(1, )))
data_preprocessor = dict(num_classes=10, mean=[127.5], std=[127.5], to_rgb=False)

dataset_type = 'LeapGestRecog'
data_root = 'data/leapGestRecog/'
# no flips: mirrored hands are not part of the data (the subjects use one hand)
train_pipeline = [
    dict(type='LoadImageFromFile', color_type='grayscale'),
    dict(type='Resize', scale=(240, 90), keep_ratio=False),
    dict(type='RandomCrop', crop_size=(84, 224)),
    dict(type='PackInputs'),
]
# ToGrayscale lets `inference` and the demo pass colour frames or arrays
test_pipeline = [
    dict(type='LoadImageFromFile', color_type='grayscale'),
    dict(type='ToGrayscale'),
    dict(type='Resize', scale=(224, 84), keep_ratio=False),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    batch_size=64,
    num_workers=2,
    dataset=dict(type=dataset_type, data_root=data_root, split='train', pipeline=train_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=True),
)
val_dataloader = dict(
    batch_size=64,
    num_workers=2,
    dataset=dict(type=dataset_type, data_root=data_root, split='test', pipeline=test_pipeline, test_mode=True),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
val_evaluator = dict(type='Accuracy', topk=(1, ))
test_dataloader = val_dataloader
test_evaluator = [
    dict(type='Accuracy', topk=(1, )),
    dict(type='SingleLabelMetric', items=('recall', ), average=None),
]

# schedule: ImageNet's SGD recipe scaled to batch 64 and 30 epochs
optim_wrapper = dict(optimizer=dict(lr=0.025))
param_scheduler = dict(milestones=[15, 25])
train_cfg = dict(max_epochs=30)
auto_scale_lr = dict(base_batch_size=64)
