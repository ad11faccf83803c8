# BK-Pose on Halpe-26 (COCO-17 + head, neck, hip and 6 foot keypoints, closer to the paper's
# keypoint set with "heel" and "foot index"). K and the links come from the halpe26 metainfo
# (26 keypoints, its skeleton links -> K + B heatmaps). Trained on Halpe (136 keypoints converted
# to 26 with mmpose's KeypointConverter), validated on COCO val2017 with the 17 COCO keypoints
# of the 26 predicted ones. The rest of the recipe is the COCO one.
_base_ = ['../coco/bkpose_1xb8-60e_coco-512x512.py']

custom_imports = dict(imports=['posezoo.pose'], allow_failed_imports=False)

num_keypoints = 26
codec = dict(
    type='BKPoseHeatmap',
    input_size=(512, 512),
    heatmap_size=(128, 128),
    metainfo=dict(from_file='mmpose::_base_/datasets/halpe26.py'),
    sigma_k=9.0,
    sigma_b=7.0,
    max_instances=100)  # grouping settings: the codec's defaults, as in the base config
model = dict(head=dict(decoder=codec))

train_pipeline = [
    dict(type='LoadImage'),
    dict(
        type='BottomupRandomAffine',
        input_size=codec['input_size'],
        shift_factor=40 / 512,
        scale_factor=(0.7, 1.3),
        rotate_factor=40.0),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='GenerateTarget', encoder=codec),
    dict(type='BottomupGetHeatmapMask'),
    dict(type='PackPoseInputs'),
]
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='CombinedDataset',
        metainfo=dict(from_file='configs/_base_/datasets/halpe26.py'),
        datasets=[
            dict(
                type='HalpeDataset',
                data_root='data/halpe/',
                data_mode='bottomup',
                ann_file='annotations/halpe_train_v1.json',
                data_prefix=dict(img='hico_20160224_det/images/train2015/'),
                pipeline=[
                    dict(
                        type='KeypointConverter',
                        num_keypoints=num_keypoints,
                        mapping=[(i, i) for i in range(num_keypoints)])
                ])
        ],
        pipeline=train_pipeline,
        test_mode=False))

# validation on COCO val2017 (base config): predictions 26 -> the 17 COCO keypoints
val_evaluator = dict(
    pred_converter=dict(
        type='KeypointConverter', num_keypoints=17, mapping=[(i, i) for i in range(17)]))
test_evaluator = val_evaluator
