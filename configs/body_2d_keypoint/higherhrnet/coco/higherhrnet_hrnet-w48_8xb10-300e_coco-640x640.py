# HigherHRNet-W48 at 640x640 with the official W48 batch and learning rate
# (experiments/coco/higher_hrnet/w48_640_adam_lr1e-3.yaml: 10 images per GPU, Adam 1e-3);
# the rest as the W32-640 config (MMPose 0.x's 300-epoch schedule).
_base_ = ['./higherhrnet_hrnet-w32_8xb24-300e_coco-640x640.py']
custom_imports = dict(imports=['posezoo.pose'], allow_failed_imports=False)

backbone_channels = (48, 96, 192, 384)
model = dict(
    backbone=dict(
        extra=dict(
            stage2=dict(num_channels=backbone_channels[:2]),
            stage3=dict(num_channels=backbone_channels[:3]),
            stage4=dict(num_channels=backbone_channels)),
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://download.openmmlab.com/mmpose/'
            'pretrain_models/hrnet_w48-8ef0771d.pth')),
    head=dict(in_channels=backbone_channels[0], deconv_out_channels=(backbone_channels[0], )))

train_dataloader = dict(batch_size=10)
optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-3))
auto_scale_lr = dict(base_batch_size=80)
