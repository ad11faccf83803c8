# HigherHRNet-W32 fine-tuned with the SE-HigherHRNet seed's recipe (its Table 1): start from the
# released HigherHRNet-W32 COCO weights, batch 32, shuffle, Adam 1e-3, x0.1 at epochs 20 and 30,
# 40 epochs. The seed's baseline for SE-HigherHRNet. Convert the official
# ``pose_higher_hrnet_w32_512.pth`` first:
#   python tools/model_converters/higherhrnet2posezoo.py pose_higher_hrnet_w32_512.pth \
#       checkpoints/higherhrnet_hrnet-w32_coco-512x512_posezoo.pth
# The seed's "use target weight" has no per-instance analogue in a bottom-up heatmap loss; the
# heatmap mask (crowd / unannotated people) plays that role here.
_base_ = ['./higherhrnet_hrnet-w32_8xb24-300e_coco-512x512.py']
custom_imports = dict(imports=['posezoo.pose'], allow_failed_imports=False)

load_from = 'checkpoints/higherhrnet_hrnet-w32_coco-512x512_posezoo.pth'
train_cfg = dict(max_epochs=40, val_interval=5)
optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-3))
param_scheduler = [
    dict(type='MultiStepLR', begin=0, end=40, milestones=[20, 30], gamma=0.1, by_epoch=True)
]
auto_scale_lr = dict(base_batch_size=32)
default_hooks = dict(checkpoint=dict(save_best='coco/AP', rule='greater', interval=5))

model = dict(backbone=dict(init_cfg=None))
train_dataloader = dict(batch_size=32, sampler=dict(type='DefaultSampler', shuffle=True))
