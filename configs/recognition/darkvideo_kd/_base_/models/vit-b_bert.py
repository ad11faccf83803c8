# ViT-B (MMAction2's VideoMAE-style VisionTransformer, 16 x 16 x 2 tubelets) returning its
# feature map + BERT temporal head. 64 x 112 x 112 clips give 768 x 32 x 7 x 7 features:
# 32 temporal tokens. Load pretrained weights with `model.backbone.pretrained` / `load_from`.
model = dict(
    type='Recognizer3D',
    backbone=dict(
        type='VisionTransformer',
        # tokens: 16 x 16 x 2 tubelets of 64 x 112 x 112 clips
        img_size=112, patch_size=16, num_frames=64, tubelet_size=2,
        # ViT-B
        embed_dims=768, depth=12, num_heads=12, mlp_ratio=4, qkv_bias=True,
        norm_cfg=dict(type='LN', eps=1e-6), drop_path_rate=0.1,
        return_feat_map=True),
    cls_head=dict(
        type='BERTHead', num_classes=11, in_channels=768, max_tokens=32,
        num_layers=1, num_heads=8, attn_dropout=0.1, dropout_ratio=0.8, token_keep_prob=0.8,
        average_clips='prob'),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        format_shape='NCTHW'))
