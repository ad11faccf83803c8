# KD teacher: Zero-DCE (official weights, frozen) on the decoded frames at their native
# resolution, then resize / crop (the seed's order) + R(2+1)D-34 + BERT head, ARID.
# The official Zero-DCE weights are fetched by URL (the base config; or train them with
# configs/recognition/darkvideo_kd/zerodce/zerodce_1xb8-100e_sice-256x256.py).
_base_ = ['./r2plus1d-r34-bert_1xb2-30e_arid-64x112x112.py']
custom_imports = dict(imports=['posezoo.action'], allow_failed_imports=False)

train_dataloader = dict(dataset=dict(pipeline={{_base_.enhanced_train_pipeline}}))
val_dataloader = dict(dataset=dict(pipeline={{_base_.enhanced_val_pipeline}}))
test_dataloader = val_dataloader
