# BK-Pose with the focal L2 loss on COCO, the paper's recipe (seed 003, section 4):
# input 512x512, heatmaps 128x128, pixels / 255, Adam lr 1e-3, batch 8, 60 epochs,
# rotation +-40 deg, scale 0.7-1.3, translation 40 px, horizontal flip; plain L2 first,
# focal L2 from epoch 25 on (the paper switched "around epoch 24").
# The paper trained with batch 8 on one device (1xb8): `tools/train.py <this config>` reproduces
# it, with BatchNorm (a multi-GPU variant would set norm_cfg=dict(type='SyncBN') as MMPose does).
_base_ = ['mmpose::_base_/default_runtime.py']

custom_imports = dict(imports=['posezoo.pose'], allow_failed_imports=False)

# runtime
max_epochs = 60
train_cfg = dict(max_epochs=max_epochs, val_interval=10)
optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-3))
param_scheduler = []  # constant learning rate (the paper names no schedule)
auto_scale_lr = dict(base_batch_size=8)
default_hooks = dict(checkpoint=dict(save_best='coco/AP', rule='greater'))
# plain L2 for epochs 1-24, focal L2 from epoch 25 (0-based 24)
custom_hooks = [dict(type='FocalL2SwitchHook', switch_epoch=24)]

# codec: K keypoints + the B skeleton links of the dataset metainfo (COCO-17: 17 + 19 = 36)
# sigma_k / sigma_b are in input pixels (9 and 7 at 512 -> 2.25 and 1.75 heatmap pixels);
# r0 / d0 default to 3 sigma. Grouping (the codec's docstring): every peak above score_thr is a
# candidate, at most max_instances people (evaluate with >= 100 detections per image),
# fragments under min_keypoints keypoints kept only with a mean score >= min_fragment_score.
codec = dict(
    type='BKPoseHeatmap',
    input_size=(512, 512),
    heatmap_size=(128, 128),
    metainfo=dict(from_file='mmpose::_base_/datasets/coco.py'),
    sigma_k=9.0,
    sigma_b=7.0,
    score_thr=0.2,
    nms_kernel=5,
    max_candidates=None,
    num_samples=10,
    limb_thr=0.1,
    min_on_limb=0.8,
    length_tolerance=8.0,
    length_prior=0.05,
    merge_ratio=1.0,
    merge_max_hops=4,
    merge_max_scale_ratio=4.0,
    min_keypoints=3,
    min_fragment_score=0.6,
    min_mean_score=0.4,
    max_instances=100)

# model
model = dict(
    type='BottomupPoseEstimator',
    data_preprocessor=dict(
        type='PoseDataPreprocessor',
        mean=[0.0, 0.0, 0.0],
        std=[255.0, 255.0, 255.0],
        bgr_to_rgb=True),
    backbone=dict(
        type='BKPoseNet',
        base_channels=64,  # C
        channel_step=32,  # N: 64 -> 96 -> 128 -> 160 -> 192
        num_scales=5,
        num_stacks=2,
        num_blocks=(1, 2, 3, 5, 8),  # BlazeBlocks per scale, finest first (2.5M params)
        spatial_attention=True,  # CBAM-style spatial gates on the decoder outputs
        norm_cfg=dict(type='BN')),  # one GPU, batch 8
    head=dict(
        type='BKPoseHead',
        in_channels=(192, 160, 128, 96, 64),
        num_stacks=2,
        decoder=codec,
        loss=dict(
            type='FocalL2Loss',
            alpha=0.1,
            beta=0.02,
            gamma=2.0,  # not given by the paper; 2 as in the focal loss
            thre=0.01,
            eta=2.0,
            scale_weights=(0.1, 0.2, 0.4, 1.6, 6.4),  # coarsest -> full resolution
            focal=False)),  # FocalL2SwitchHook turns it on at switch_epoch
    test_cfg=dict(flip_test=False))

# base dataset settings
dataset_type = 'CocoDataset'
data_mode = 'bottomup'
data_root = 'data/coco/'

# pipelines
train_pipeline = [
    dict(type='LoadImage'),
    dict(
        type='BottomupRandomAffine',
        input_size=codec['input_size'],
        shift_factor=40 / 512,  # +-40 px of the 512 px crop
        scale_factor=(0.7, 1.3),
        rotate_factor=40.0),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='GenerateTarget', encoder=codec),
    dict(type='BottomupGetHeatmapMask'),
    dict(type='PackPoseInputs'),
]
val_pipeline = [
    dict(type='LoadImage'),
    dict(
        type='BottomupResize',
        input_size=codec['input_size'],
        size_factor=64,  # 5 scales at stride 4 need multiples of 64
        resize_mode='expand'),
    dict(
        type='PackPoseInputs',
        meta_keys=('id', 'img_id', 'img_path', 'crowd_index', 'ori_shape', 'img_shape',
                   'input_size', 'input_center', 'input_scale', 'flip', 'flip_direction',
                   'flip_indices', 'raw_ann_info', 'skeleton_links'))
]

# data loaders
train_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_mode=data_mode,
        ann_file='annotations/person_keypoints_train2017.json',
        data_prefix=dict(img='train2017/'),
        pipeline=train_pipeline,
    ))
val_dataloader = dict(
    batch_size=1,
    num_workers=1,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_mode=data_mode,
        ann_file='annotations/person_keypoints_val2017.json',
        data_prefix=dict(img='val2017/'),
        test_mode=True,
        pipeline=val_pipeline,
    ))
test_dataloader = val_dataloader

# evaluators: the decoder's instance score (mean keypoint score x 1 - exp(-n / 3)) ranks the people
val_evaluator = dict(
    type='CocoMetric',
    ann_file=data_root + 'annotations/person_keypoints_val2017.json',
    score_mode='bbox',
    nms_mode='none')
test_evaluator = val_evaluator
