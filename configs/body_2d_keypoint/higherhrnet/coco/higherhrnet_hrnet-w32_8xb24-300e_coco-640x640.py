# HigherHRNet-W32 at 640x640 (targets at 160 and 320), schedule as the 512x512 config.
_base_ = ['./higherhrnet_hrnet-w32_8xb24-300e_coco-512x512.py']
custom_imports = dict(imports=['posezoo.pose'], allow_failed_imports=False)

input_size = (640, 640)
codec = dict(
    type='MultiResolutionAssociativeEmbedding',
    input_size=input_size,
    heatmap_sizes=[(160, 160), (320, 320)],
    sigma=2,
    decode_nms_kernel=5,
    decode_keypoint_thr=0.1,
    decode_tag_thr=1.0,
    decode_topk=30,
    decode_max_instances=30)
model = dict(head=dict(decoder=codec))

train_pipeline = [
    dict(type='LoadImage'),
    # the official RandomAffineTransform: uniform scale [0.75, 1.5] of the short side, uniform
    # rotation +-30 deg, integer translation +-40 x scale px; masks and keypoints are warped to
    # every heatmap resolution with its own matrix
    dict(
        type='HigherHRNetRandomAffine',
        input_size=input_size[0],
        heatmap_sizes=[160, 320],
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
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = val_dataloader
