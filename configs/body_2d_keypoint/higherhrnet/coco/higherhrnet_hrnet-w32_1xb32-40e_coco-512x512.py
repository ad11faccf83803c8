# HigherHRNet-W32 fine-tuned with the SE-HigherHRNet seed's recipe (its Table 1): start from the
# released HigherHRNet-W32 COCO weights, batch 32, shuffle, Adam 1e-3, x0.1 at epochs 20 and 30,
# 40 epochs. The seed's baseline for SE-HigherHRNet. The start is MMPose 0.x's released W32-512
# (AP 0.677 reported), fetched by URL and converted from its layout at load (issue 25); the
# official pose_higher_hrnet_w32_512.pth (Google Drive / OneDrive) loads the same way from a file.
# The seed's "use target weight" has no per-instance analogue in a bottom-up heatmap loss; the
# heatmap mask (crowd / unannotated people) plays that role here.
_base_ = ['./higherhrnet_hrnet-w32_8xb24-300e_coco-512x512.py']
custom_imports = dict(imports=['posezoo.pose'], allow_failed_imports=False)

load_from = ('https://download.openmmlab.com/mmpose/bottom_up/'
             'higher_hrnet32_coco_512x512-8ae85183_20200713.pth')
train_cfg = dict(max_epochs=40, val_interval=5)
optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-3))
param_scheduler = [
    dict(type='MultiStepLR', begin=0, end=40, milestones=[20, 30], gamma=0.1, by_epoch=True)
]
auto_scale_lr = dict(base_batch_size=32)
default_hooks = dict(checkpoint=dict(save_best='coco/AP', rule='greater', interval=5))

model = dict(backbone=dict(init_cfg=None))
train_dataloader = dict(batch_size=32, sampler=dict(type='DefaultSampler', shuffle=True))
