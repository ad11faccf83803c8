# MMAction2's ST-GCN on COCO-17 skeletons extracted by a pose model (the BK-SAD setting of seed 003,
# Table 8: doze / hand-raising / normal). Annotation file: see
# configs/skeleton/lstm/lstm_8xb16-80e_bksad-coco17-48f.py.
_base_ = 'mmaction::skeleton/stgcn/stgcn_8xb16-joint-u100-80e_ntu60-xsub-keypoint-2d.py'

custom_imports = dict(imports=['posezoo.action'], allow_failed_imports=False)

num_classes = 3
clip_len = 48
ann_file = 'data/skeleton/bksad_coco17.pkl'
model = dict(cls_head=dict(num_classes=num_classes, topk=(1, )))

# the three pipelines differ only in how clip_len frames are sampled (train: one random clip;
# val: the evenly spaced clip; test: five clips)
features = [dict(type='PreNormalize2D'), dict(type='GenSkeFeat', dataset='coco', feats=['j'])]
to_inputs = [dict(type='PoseDecode'), dict(type='FormatGCNInput', num_person=2), dict(type='PackActionInputs')]
train_pipeline = [*features, dict(type='UniformSampleFrames', clip_len=clip_len), *to_inputs]
val_pipeline = [*features, dict(type='UniformSampleFrames', clip_len=clip_len, num_clips=1, test_mode=True), *to_inputs]
test_pipeline = [*features, dict(type='UniformSampleFrames', clip_len=clip_len, num_clips=5, test_mode=True), *to_inputs]
# posezoo.apis.inference on a whole recording: windows of clip_len frames, half-window stride,
# per-window scores and their mean (posezoo/action/skeleton/sliding_window.py)
sliding_window = dict(clip_len=clip_len, stride=clip_len // 2)
train_dataloader = dict(
    dataset=dict(
        type='RepeatDataset',
        times=1,
        dataset=dict(ann_file=ann_file, split='train', pipeline=train_pipeline)))
val_dataloader = dict(dataset=dict(ann_file=ann_file, split='val', pipeline=val_pipeline))
test_dataloader = dict(dataset=dict(ann_file=ann_file, split='val', pipeline=test_pipeline))

val_evaluator = [dict(type='AccMetric', metric_list=('top_k_accuracy', 'mean_class_accuracy'),
                      metric_options=dict(top_k_accuracy=dict(topk=(1, ))))]
test_evaluator = val_evaluator
