# R(2+1)D-34 (MMAction2's ResNet2Plus1d) + BERT temporal head. 64 x 112 x 112 clips give
# 512 x 8 x 7 x 7 features: 8 temporal tokens. The seed's backbone is IG65M-pretrained: set
# `model.backbone.pretrained` (or `load_from`) to such weights when you have them.
model = dict(
    type='Recognizer3D',
    backbone=dict(
        type='ResNet2Plus1d',
        depth=34,
        pretrained=None,
        pretrained2d=False,
        norm_eval=False,
        conv_cfg=dict(type='Conv2plus1d'),
        norm_cfg=dict(type='BN3d', requires_grad=True, eps=1e-3),
        conv1_kernel=(3, 7, 7),
        conv1_stride_t=1,
        pool1_stride_t=1,
        inflate=(1, 1, 1, 1),
        spatial_strides=(1, 2, 2, 2),
        temporal_strides=(1, 2, 2, 2),
        zero_init_residual=False),
    cls_head=dict(
        type='BERTHead',
        num_classes=11,
        in_channels=512,
        max_tokens=8,
        num_layers=1,
        num_heads=8,
        attn_dropout=0.1,
        dropout_ratio=0.5,
        average_clips='prob'),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        format_shape='NCTHW'))
