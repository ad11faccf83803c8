# LSTM skeleton action classifier on COCO-17 skeletons extracted by a pose model (the BK-SAD
# setting of seed 003: doze / hand-raising / normal). Make the annotation file with
#   python tools/misc/extract_poses.py videos/*/*.mp4 --pose-config <bottom-up config> \
#       --pose-checkpoint <ckpt> --classes doze hand-raising normal --val-ratio 0.2 \
#       --max-persons 2 --out data/skeleton/bksad_coco17.pkl
_base_ = '../_base_/lstm_adam_runtime.py'

custom_imports = dict(imports=['posezoo.action'], allow_failed_imports=False)

num_classes = 3
clip_len = 48
model = dict(
    type='RecognizerGCN',
    backbone=dict(
        type='LSTMSkeleton',
        in_channels=3,  # x, y, score
        num_joints=17,
        hidden_size=128,
        num_layers=2,
        bidirectional=False,
        dropout=0.2,
        temporal_pool='last',
        norm_cfg=dict(layout='coco', num_coords=2)),
    cls_head=dict(
        type='SkeletonClsHead', num_classes=num_classes, in_channels=128, dropout=0.2,
        topk=(1, )))

dataset_type = 'PoseDataset'
ann_file = 'data/skeleton/bksad_coco17.pkl'
# the three pipelines differ only in how clip_len frames are sampled: one random clip per sample
# in training, the evenly spaced clip in validation, five clips whose scores are averaged in test
features = [dict(type='GenSkeFeat', dataset='coco', feats=['j'])]
to_inputs = [dict(type='PoseDecode'), dict(type='FormatGCNInput', num_person=2), dict(type='PackActionInputs')]
train_pipeline = [*features, dict(type='UniformSampleFrames', clip_len=clip_len), *to_inputs]
val_pipeline = [*features, dict(type='UniformSampleFrames', clip_len=clip_len, num_clips=1, test_mode=True), *to_inputs]
test_pipeline = [*features, dict(type='UniformSampleFrames', clip_len=clip_len, num_clips=5, test_mode=True), *to_inputs]
# posezoo.apis.inference on a whole recording: windows of clip_len frames, half-window stride,
# per-window scores and their mean (posezoo/action/skeleton/sliding_window.py)
sliding_window = dict(clip_len=clip_len, stride=clip_len // 2)

train_dataloader = dict(dataset=dict(type=dataset_type, ann_file=ann_file, split='train', pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(train_dataloader['dataset'], split='val', pipeline=val_pipeline, test_mode=True))
# the validation split, one sample (five clips) per batch
test_dataloader = dict(batch_size=1, dataset=dict(val_dataloader['dataset'], pipeline=test_pipeline))

train_cfg = dict(max_epochs=80, val_interval=5)
param_scheduler = [
    # T_max in epochs = max_epochs (without it MMEngine anneals over 1e9 epochs: a constant lr)
    dict(type='CosineAnnealingLR', T_max=80, eta_min=1e-5, by_epoch=True, convert_to_iter_based=True)
]
