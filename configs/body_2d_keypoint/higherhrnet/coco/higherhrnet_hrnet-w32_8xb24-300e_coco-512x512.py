# HigherHRNet-W32, 512x512, 300 epochs on COCO with MMPose 0.x's schedule
# (higher_hrnet32_coco_512x512.py: Adam 1.5e-3 for 8x24 images, 500-iteration linear warm-up,
# x0.1 at epochs 200 and 260; the official release trains with Adam 1e-3 and 12 images per GPU).
# Data and targets as the official code (Cheng et al., CVPR 2020): rotation +-30 deg, scale
# [0.75, 1.5] of the short side, translation +-40 x scale px, flip 0.5 (all uniform); Gaussian
# targets (sigma 2) on the integer grid at 1/4 and 1/2, crowd / unannotated-people masks, masked
# MSE [1, 1], AE pull/push factors 0.001. Test: the official resize, flip test, official parser.
_base_ = ['mmpose::_base_/default_runtime.py']
custom_imports = dict(imports=['posezoo.pose'], allow_failed_imports=False)

# runtime
train_cfg = dict(max_epochs=300, val_interval=10)
optim_wrapper = dict(optimizer=dict(type='Adam', lr=1.5e-3))
param_scheduler = [
    dict(type='LinearLR', begin=0, end=500, start_factor=0.001, by_epoch=False),
    dict(type='MultiStepLR', begin=0, end=300, milestones=[200, 260], gamma=0.1,
         by_epoch=True)
]
auto_scale_lr = dict(base_batch_size=192)
default_hooks = dict(checkpoint=dict(save_best='coco/AP', rule='greater', interval=50))

# codec: targets at 1/4 (128) and 1/2 (256) of the 512 input
input_size = (512, 512)
codec = dict(
    type='MultiResolutionAssociativeEmbedding',
    input_size=input_size,
    heatmap_sizes=[(128, 128), (256, 256)],
    sigma=2,
    decode_nms_kernel=5,
    decode_keypoint_thr=0.1,
    decode_tag_thr=1.0,
    decode_topk=30,
    decode_max_instances=30)

# model
backbone_channels = (32, 64, 128, 256)
model = dict(
    type='BottomupPoseEstimator',
    data_preprocessor=dict(
        type='PoseDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
    backbone=dict(
        type='HRNet',
        in_channels=3,
        extra=dict(
            stage1=dict(num_modules=1, num_branches=1, block='BOTTLENECK', num_blocks=(4, ),
                        num_channels=(64, )),
            stage2=dict(num_modules=1, num_branches=2, block='BASIC', num_blocks=(4, 4),
                        num_channels=backbone_channels[:2]),
            stage3=dict(num_modules=4, num_branches=3, block='BASIC', num_blocks=(4, 4, 4),
                        num_channels=backbone_channels[:3]),
            stage4=dict(num_modules=3, num_branches=4, block='BASIC',
                        num_blocks=(4, 4, 4, 4), num_channels=backbone_channels,
                        multiscale_output=False)),
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://download.openmmlab.com/mmpose/'
            'pretrain_models/hrnet_w32-36af842e.pth')),
    head=dict(
        type='HigherHRNetHead',
        in_channels=backbone_channels[0],
        num_keypoints=17,
        tag_dim=1,
        tag_per_keypoint=True,
        deconv_out_channels=(backbone_channels[0], ),
        deconv_kernel_sizes=(4, ),
        num_basic_blocks=4,
        cat_output=(True, ),
        with_tags=(True, False),
        heatmap_loss=dict(type='KeypointMSELoss', loss_weight=1.0),
        tag_loss=dict(type='HigherHRNetAELoss', pull_loss_factor=0.001,
                      push_loss_factor=0.001),
        decoder=codec),
    test_cfg=dict(multiscale_test=False, flip_test=True))

# data
dataset_type = 'CocoDataset'
data_mode = 'bottomup'
data_root = 'data/coco/'

train_pipeline = [
    dict(type='LoadImage'),
    # the official RandomAffineTransform: uniform scale [0.75, 1.5] of the short side, uniform
    # rotation +-30 deg, integer translation +-40 x scale px; masks and keypoints are warped to
    # every heatmap resolution with its own matrix
    dict(
        type='HigherHRNetRandomAffine',
        input_size=input_size[0],
        heatmap_sizes=[128, 256],
        max_rotation=30,
        min_scale=0.75,
        max_scale=1.5,
        scale_type='short',
        max_translate=40),
    dict(type='HigherHRNetRandomFlip', prob=0.5),
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs'),
]
val_pipeline = [
    dict(type='LoadImage'),
    dict(type='HigherHRNetResize', input_size=input_size),  # official resize_align_multi_scale
    dict(
        type='PackPoseInputs',
        meta_keys=('id', 'img_id', 'img_path', 'crowd_index', 'ori_shape', 'img_shape',
                   'input_size', 'input_center', 'input_scale', 'flip', 'flip_direction',
                   'flip_indices', 'raw_ann_info', 'skeleton_links', 'aug_scales'))
]

coco_bottomup = dict(type=dataset_type, data_root=data_root, data_mode=data_mode)  # + split files, pipeline
train_dataloader = dict(
    batch_size=24,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(coco_bottomup, ann_file='annotations/person_keypoints_train2017.json',
                 data_prefix=dict(img='train2017/'), pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=1,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(coco_bottomup, ann_file='annotations/person_keypoints_val2017.json',
                 data_prefix=dict(img='val2017/'), test_mode=True, pipeline=val_pipeline))
test_dataloader = val_dataloader

val_evaluator = dict(
    type='CocoMetric',
    ann_file=data_root + 'annotations/person_keypoints_val2017.json',
    nms_mode='none',
    score_mode='bbox')
test_evaluator = val_evaluator
