# The seed's ablation: SE in every branch. On top of the SE stem, an SE block (reduction 16)
# follows every residual block of every stage and branch. The seed reports slower training and
# lower accuracy than the SE stem alone.
_base_ = ['./higherhrnet_se-hrnet-w32_1xb32-40e_coco-512x512.py']
custom_imports = dict(imports=['posezoo.pose'], allow_failed_imports=False)

model = dict(backbone=dict(se_blocks=dict(reduction=16)))
