# Quickstart: BK-Pose on the bundled data/coco_sample (8 real COCO train2017 images), a few
# minutes on a CPU. It overfits those 8 images and evaluates with CocoMetric ON THE SAME 8
# TRAINING IMAGES: the AP shows that the whole pipeline (targets, focal L2 loss, grouping,
# COCO evaluation) works, not how well the model generalises.
#   python tools/train.py configs/body_2d_keypoint/bkpose/coco/bkpose_1xb4-quickstart_coco-sample-256x256.py
# Differences from the paper's recipe (bkpose_1xb8-60e_coco-512x512.py): 256x256 input
# (64x64 heatmaps), batch 4, 80 epochs (160 iterations), no augmentation, and the focal L2 loss
# from the first iteration (with plain L2 first, the heatmap peaks of 8 images grow too slowly
# for a quickstart).
# Geometry: without random shifts, the paper's training view (short side fits the input, the
# long side cropped) never shows the parts of portrait / landscape images that validation
# ('expand') sees, so people cut by that crop are never learnt. Here training sees the whole
# image, padded (scale_type='long'), and validation the same view (resize_mode='fit').
# Measured: `tools/train.py <this config>` on 2 idle CPU cores, 224 s, COCO AP 0.75 (AP50 1.0);
# the AP after 10 / 20 / 40 / 60 epochs was 0.10 / 0.32 / 0.57 / 0.66.
_base_ = ['./bkpose_1xb8-60e_coco-512x512.py']

custom_imports = dict(imports=['posezoo.pose'], allow_failed_imports=False)

# The bundled sample, found from any working directory: data/coco_sample of the checkout, or
# posezoo/.mim/data/coco_sample of an installed wheel (four folders above this config's folder).
data_root = '{{ fileDirname }}/../../../../data/coco_sample/'
max_epochs = 80
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
default_hooks = dict(
    logger=dict(interval=10), checkpoint=dict(interval=max_epochs, save_best=None))
custom_hooks = [dict(type='FocalL2SwitchHook', switch_epoch=0)]

codec = dict(
    type='BKPoseHeatmap',
    input_size=(256, 256),
    heatmap_size=(64, 64),
    metainfo=dict(from_file='mmpose::_base_/datasets/coco.py'),
    sigma_k=9.0,
    sigma_b=7.0)  # grouping settings: the codec's defaults, as in the base config
model = dict(head=dict(decoder=codec))

train_pipeline = [
    dict(type='LoadImage'),
    dict(
        type='BottomupRandomAffine',
        input_size=codec['input_size'],
        shift_prob=0,
        scale_prob=0,
        rotate_prob=0,
        scale_type='long'),  # the whole image, padded: what validation sees (below)
    dict(type='GenerateTarget', encoder=codec),
    dict(type='BottomupGetHeatmapMask'),
    dict(type='PackPoseInputs'),
]
val_pipeline = [
    dict(type='LoadImage'),
    dict(
        type='BottomupResize',
        input_size=codec['input_size'],
        size_factor=64,
        resize_mode='fit'),  # the long side fits the input: the training geometry
    dict(
        type='PackPoseInputs',
        meta_keys=('id', 'img_id', 'img_path', 'crowd_index', 'ori_shape', 'img_shape',
                   'input_size', 'input_center', 'input_scale', 'flip', 'flip_direction',
                   'flip_indices', 'raw_ann_info', 'skeleton_links'))
]
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root=data_root, pipeline=train_pipeline))
# evaluation on the training images (see the top of this file)
val_dataloader = dict(
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        data_root=data_root,
        ann_file='annotations/person_keypoints_train2017.json',
        data_prefix=dict(img='train2017/'),
        pipeline=val_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'annotations/person_keypoints_train2017.json')
test_evaluator = val_evaluator
