# KD teacher: Zero-DCE (official weights, frozen) on the decoded frames at their native
# resolution, then resize / crop (the seed's order) + ViT-B + BERT head, Dark-48.
# The official Zero-DCE weights are fetched by URL (the base config; or train them with
# configs/recognition/darkvideo_kd/zerodce/zerodce_1xb8-100e_sice-256x256.py).
_base_ = ['./vit-b-bert_1xb2-30e_dark48-64x112x112.py']
custom_imports = dict(imports=['posezoo.action'], allow_failed_imports=False)

train_dataloader = dict(dataset=dict(pipeline={{_base_.enhanced_train_pipeline}}))
val_dataloader = dict(dataset=dict(pipeline={{_base_.enhanced_val_pipeline}}))
test_dataloader = val_dataloader
