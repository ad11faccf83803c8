# HigherHRNet-W32 trained at 512x512 (same model and training as the base config), tested on
# crowded scenes (20-50 people per image): the short side is resized to 1024 at test time and
# the decoding limits are raised from the official 30 candidates per keypoint / 30 people to
# 100. On COCO people tiled 3x3 into classroom-size scenes the AE oracle AP (100 detections per
# image) goes from 0.65 (official limits, 512) to 0.73 (limits 100, 512) and 0.93 (limits 100,
# 1024). Evaluate with up to 100 detections per image (COCO's keypoint default of 20 caps such
# scenes).
_base_ = ['./higherhrnet_hrnet-w32_8xb24-300e_coco-512x512.py']
custom_imports = dict(imports=['posezoo.pose'], allow_failed_imports=False)

test_input_size = (1024, 1024)
model = dict(head=dict(decoder=dict(decode_topk=100, decode_max_instances=100)))

val_pipeline = [
    dict(type='LoadImage'),
    dict(type='HigherHRNetResize', input_size=test_input_size),
    dict(
        type='PackPoseInputs',
        meta_keys=('id', 'img_id', 'img_path', 'crowd_index', 'ori_shape', 'img_shape',
                   'input_size', 'input_center', 'input_scale', 'flip', 'flip_direction',
                   'flip_indices', 'raw_ann_info', 'skeleton_links', 'aug_scales'))
]
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = val_dataloader
