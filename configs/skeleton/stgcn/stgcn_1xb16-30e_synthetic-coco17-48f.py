# MMAction2's ST-GCN on the synthetic COCO-17 skeleton data set (4 actions, one or two people):
#   python tools/misc/make_skeleton_dataset.py data/skeleton/synthetic
_base_ = './stgcn_8xb16-joint-80e_bksad-coco17-48f.py'

num_classes = 4
ann_file = 'data/skeleton/synthetic/synthetic_coco17.pkl'
model = dict(cls_head=dict(num_classes=num_classes))
train_dataloader = dict(dataset=dict(dataset=dict(ann_file=ann_file)))
val_dataloader = dict(dataset=dict(ann_file=ann_file))
test_dataloader = dict(dataset=dict(ann_file=ann_file))
train_cfg = dict(max_epochs=30, val_interval=5)
param_scheduler = [
    dict(type='CosineAnnealingLR', eta_min=0, T_max=30, by_epoch=True, convert_to_iter_based=True)
]
