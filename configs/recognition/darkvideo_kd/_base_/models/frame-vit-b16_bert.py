# Seed 002's classifier (Fig. 2): torchvision's image ViT-B/16 on every frame (FrameViT), each
# frame's CLS feature a token of the BERT temporal head. 64 x 112 x 112 clips: 7 x 7 patches a
# frame (position embeddings interpolated from ImageNet's 14 x 14 while loading), 64 tokens.
# ImageNet-1k weights: torchvision's vit_b_16 IMAGENET1K_V1 file (its layout is converted while
# loading; offline, place the file in $TORCH_HOME/hub/checkpoints).
model = dict(
    type='Recognizer3D',
    backbone=dict(
        type='FrameViT', image_size=112, patch_size=16,
        # ViT-B/16
        num_layers=12, num_heads=12, hidden_dim=768, mlp_dim=3072,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://download.pytorch.org/models/vit_b_16-c867db91.pth')),
    cls_head=dict(
        type='BERTHead', num_classes=11, in_channels=768, max_tokens=64,
        num_layers=1, num_heads=8, attn_dropout=0.1, dropout_ratio=0.8, token_keep_prob=0.8,
        average_clips='prob'),
    # torchvision's ImageNet normalisation (IMAGENET1K_V1 transforms)
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        format_shape='NCTHW'))
