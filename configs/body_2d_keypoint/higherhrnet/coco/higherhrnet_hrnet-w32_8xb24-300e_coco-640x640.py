# HigherHRNet-W32 at 640x640 (official recipe; targets at 160 and 320).
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
    dict(
        type='BottomupRandomAffine',
        input_size=input_size,
        shift_factor=0.2,  # official max_translate 40 = 40 / 200 of the scale
        scale_factor=(0.75, 1.5),
        scale_type='short',
        rotate_factor=30),
    dict(type='RandomFlip', direction='horizontal', prob=0.5),
    dict(type='GenerateTarget', encoder=codec),
    dict(type='BottomupGetHeatmapMask'),
    dict(type='PackPoseInputs'),
]
val_pipeline = [
    dict(type='LoadImage'),
    dict(type='BottomupResize', input_size=input_size, size_factor=64, resize_mode='expand'),
    dict(
        type='PackPoseInputs',
        meta_keys=('id', 'img_id', 'img_path', 'crowd_index', 'ori_shape', 'img_shape',
                   'input_size', 'input_center', 'input_scale', 'flip', 'flip_direction',
                   'flip_indices', 'raw_ann_info', 'skeleton_links', 'aug_scales'))
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = val_dataloader
