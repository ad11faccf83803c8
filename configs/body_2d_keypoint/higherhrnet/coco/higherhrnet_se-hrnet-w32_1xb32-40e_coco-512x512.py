# SE-HigherHRNet-W32 (the seed): an SE block (reduction 16) between the first and the second
# stem convolution, fine-tuned from the converted HigherHRNet-W32 COCO weights with the seed's
# 40-epoch recipe (the SE weights are the only ones missing from the checkpoint).
_base_ = ['./higherhrnet_hrnet-w32_1xb32-40e_coco-512x512.py']
custom_imports = dict(imports=['posezoo.pose'], allow_failed_imports=False)

model = dict(backbone=dict(type='SEHRNet', se_stem=dict(reduction=16)))
