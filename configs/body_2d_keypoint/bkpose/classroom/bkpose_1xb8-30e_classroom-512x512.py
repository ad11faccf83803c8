# Template: fine-tune BK-Pose (trained on COCO) on a custom classroom keypoint dataset in the COCO
# keypoint format (the seed's BK-SAD is private). docs/classroom_finetuning.md walks through it.
#   data/classroom/annotations/train.json, val.json   COCO keypoint files (see example/)
#   data/classroom/images/                            the images their file_name fields name
#   python tools/train.py configs/body_2d_keypoint/bkpose/classroom/bkpose_1xb8-30e_classroom-512x512.py \
#       --cfg-options load_from=work_dirs/bkpose_1xb8-60e_coco-512x512/best_coco_AP_epoch_60.pth
# What changes from the COCO recipe (../coco/bkpose_1xb8-60e_coco-512x512.py):
# - the dataset (metainfo: _base_/classroom_keypoints.py, the 17 COCO keypoints under their own
#   name) and the evaluation at classroom scale: GroupCocoMetric keeps 100 detections per image
#   (COCO's 20 caps a 30-60 person classroom) and reports the OKS AP per keypoint group;
# - the L2 -> focal L2 switch on a plateau of the validation AP (the paper: "fine-tuned with focal
#   L2 until there was no further improvement"), validation every epoch, and training stops on
#   a second plateau; 30 epochs at most, lr 1e-4 (one tenth of the COCO run's: a fine-tuning).
_base_ = ['../coco/bkpose_1xb8-60e_coco-512x512.py']

custom_imports = dict(imports=['posezoo.pose'], allow_failed_imports=False)

metainfo = dict(from_file='{{ fileDirname }}/_base_/classroom_keypoints.py')
data_root = 'data/classroom/'
load_from = None  # the COCO checkpoint (see the command above)

max_epochs = 30
train_cfg = dict(max_epochs=max_epochs, val_interval=1)
optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-4))
custom_hooks = [
    dict(type='FocalL2SwitchHook', monitor='coco/AP', rule='greater', patience=3, min_delta=0.002,
         stop_on_second_plateau=True)
]

train_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        metainfo=metainfo,
        ann_file='annotations/train.json',
        data_prefix=dict(img='images/')))
val_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        metainfo=metainfo,
        ann_file='annotations/val.json',
        data_prefix=dict(img='images/')))
test_dataloader = val_dataloader

val_evaluator = dict(
    _delete_=True,
    type='GroupCocoMetric',
    ann_file=data_root + 'annotations/val.json',
    max_dets=100,
    keypoint_groups=None,  # the paper's groups (Tables 4 and 7) the metainfo has
    score_mode='bbox',
    nms_mode='none')
test_evaluator = val_evaluator
