# ResNet-18 facial-expression classifier on FER2013 (seed 001), 48x48 grayscale faces.
# The 48x48 faces are too small for the ImageNet stem (7x7/2 conv + max-pool would leave a 2x2
# map at stage 4), so the model uses MMPretrain's CIFAR variant (3x3/1 stem, no max-pool: a
# 6x6 map at stage 4) with a single input channel, trained from scratch.
_base_ = [
    'mmpretrain::_base_/models/resnet18_cifar.py',
    'mmpretrain::_base_/schedules/cifar10_bs128.py',
    'mmpretrain::_base_/default_runtime.py',
]
custom_imports = dict(imports=['posezoo.cls'], allow_failed_imports=False)

# model: 1-channel input, 7 expressions
model = dict(backbone=dict(in_channels=1), head=dict(num_classes=7))
data_preprocessor = dict(num_classes=7, mean=[127.5], std=[127.5], to_rgb=False)

# data: the original fer2013.csv; val = PublicTest, test = PrivateTest
dataset_type = 'FER2013'
data_root = 'data/fer2013/'
train_pipeline = [
    dict(type='RandomCrop', crop_size=48, padding=4),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
# ToGrayscale + Resize are no-ops on FER2013 itself; they let the demo and `inference` feed
# face crops of any size, in colour or gray.
test_pipeline = [
    dict(type='ToGrayscale'),
    dict(type='Resize', scale=(48, 48), keep_ratio=False),
    dict(type='PackInputs'),
]
fer2013 = dict(type=dataset_type, data_root=data_root, ann_file='fer2013.csv')  # + split, pipeline
train_dataloader = dict(
    batch_size=128,
    num_workers=2,
    # "disgust" has ~1.5% of the training faces: repeat rare classes (mmengine's
    # ClassBalancedDataset, repeat factor max(1, sqrt(oversample_thr / class frequency)))
    dataset=dict(type='ClassBalancedDataset', oversample_thr=0.1,
                 dataset=dict(fer2013, split='train', pipeline=train_pipeline)),
    sampler=dict(type='DefaultSampler', shuffle=True),
)
val_dataloader = dict(
    batch_size=128,
    num_workers=2,
    dataset=dict(fer2013, split='val', pipeline=test_pipeline, test_mode=True),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
val_evaluator = dict(type='Accuracy', topk=(1, ))
# the validation loader on the PrivateTest split
test_dataloader = dict(val_dataloader, dataset=dict(val_dataloader['dataset'], split='test'))
# top-1 accuracy and per-expression recall (the seed discusses per-class accuracy)
test_evaluator = [
    dict(type='Accuracy', topk=(1, )),
    dict(type='SingleLabelMetric', items=('recall', ), average=None),
]
