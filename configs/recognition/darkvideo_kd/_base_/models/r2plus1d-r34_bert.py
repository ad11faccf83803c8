# R(2+1)D-34 in torchvision's VideoResNet layout (as R(2+1)D-BERT, DarkLight and the seed) +
# R(2+1)D-BERT's temporal head. 64 x 112 x 112 clips give 512 x 8 x 7 x 7 features: 8 temporal
# tokens. The seed's backbone is IG65M-pretrained: the ARID / ARID v1.5 / Dark-48 configs set
# `model.backbone.pretrained` to the published file's URL (converted at load).
# caffe2_midplanes / eps 1e-3 / momentum 0.9 are the IG65M models' settings (ig65m-pytorch).
model = dict(
    type='Recognizer3D',
    backbone=dict(
        type='TorchvisionR2Plus1d',
        depth=34,
        caffe2_midplanes=True,
        norm_eps=1e-3,
        norm_momentum=0.9,
        pretrained=None),
    cls_head=dict(
        type='BERTHead', num_classes=11, in_channels=512, max_tokens=8,
        num_layers=1, num_heads=8, attn_dropout=0.1, dropout_ratio=0.8, token_keep_prob=0.8,
        final_norm=False, average_clips='prob'),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        # the IG65M / torchvision video models' statistics (x 255), as R(2+1)D-BERT
        mean=[110.2008, 100.63983, 95.99475],
        std=[58.14765, 56.46975, 55.332195],
        format_shape='NCTHW'))
