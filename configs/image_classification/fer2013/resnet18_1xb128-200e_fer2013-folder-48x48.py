# ResNet-18 on FER2013 as image folders (the variant seed 001 used: train/ and test/ folders of
# 48x48 JPEGs, one folder per expression), with the classes in FER2013's order 0-6 whatever the
# folder order. val = a stratified, seeded 10% of train/ (the seed splits the train folder into
# training and validation sets; it gives no ratio), test = test/. Model and schedule: the CSV
# config's. The test evaluation adds the confusion matrix (PNG and JSON in the work dir) beside
# the per-class recall.
_base_ = ['./resnet18_1xb128-200e_fer2013-48x48.py']

custom_imports = dict(imports=['posezoo.cls'], allow_failed_imports=False)

data_root = 'data/fer2013-images/'
load = dict(type='LoadImageFromFile', color_type='grayscale')
train_pipeline = [
    load,
    dict(type='RandomCrop', crop_size=48, padding=4),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [
    load,
    dict(type='Resize', scale=(48, 48), keep_ratio=False),
    dict(type='PackInputs'),
]
folders = dict(type='FER2013Folder', data_root=data_root, val_ratio=0.1, seed=0)
train_dataloader = dict(
    dataset=dict(
        type='ClassBalancedDataset', oversample_thr=0.1,
        dataset=dict(folders, split='train', pipeline=train_pipeline, _delete_=True)))
val_dataloader = dict(
    dataset=dict(folders, split='val', pipeline=test_pipeline, test_mode=True, _delete_=True))
test_dataloader = dict(
    dataset=dict(folders, split='test', pipeline=test_pipeline, test_mode=True, _delete_=True))
test_evaluator = [
    dict(type='Accuracy', topk=(1, )),
    dict(type='SingleLabelMetric', items=('recall', ), average=None),
    # written next to tools/test.py's default work dir of this config
    dict(type='ConfusionMatrixReport', out_dir='work_dirs/resnet18_1xb128-200e_fer2013-folder-48x48'),
]
