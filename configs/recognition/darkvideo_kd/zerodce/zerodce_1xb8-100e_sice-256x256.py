# Zero-DCE trained on its own with the four non-reference losses (weights 1/10/5/200), the
# official recipe: unpaired low-light images resized to 256 x 256, batch 8, Adam lr 1e-4,
# weight decay 1e-4, gradient norm clipped at 0.1 (the official weights are epoch 99 of the
# SICE Part 1 run). Images: any folder of low-light photographs under data/sice_part1.
_base_ = ['../_base_/default_runtime.py']
custom_imports = dict(imports=['posezoo.action'], allow_failed_imports=False)

model = dict(
    type='ZeroDCE',
    num_iterations=8,
    mid_channels=32,
    loss_spa=dict(type='ZeroDCESpatialConsistencyLoss', pool_size=4, loss_weight=1.0),
    loss_exp=dict(type='ZeroDCEExposureLoss', patch_size=16, target=0.6, loss_weight=10.0),
    loss_col=dict(type='ZeroDCEColorConstancyLoss', loss_weight=5.0),
    loss_tv=dict(type='ZeroDCEIlluminationSmoothnessLoss', loss_weight=200.0),
    data_preprocessor=dict(
        type='ImgDataPreprocessor', mean=[0., 0., 0.], std=[255., 255., 255.], bgr_to_rgb=True))

train_pipeline = [
    dict(type='mmengine.LoadImageFromFile'),
    dict(type='mmengine.Resize', scale=(256, 256), keep_ratio=False),
    dict(type='PackLowLightInputs')
]
train_dataloader = dict(
    batch_size=8,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='LowLightImageDataset',
        data_prefix=dict(img='data/sice_part1'),
        pipeline=train_pipeline))

train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=100)
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='Adam', lr=1e-4, weight_decay=1e-4),
    clip_grad=dict(max_norm=0.1, norm_type=2))
default_hooks = dict(checkpoint=dict(save_best=None))
visualizer = dict(type='Visualizer', vis_backends=[dict(type='LocalVisBackend')])
