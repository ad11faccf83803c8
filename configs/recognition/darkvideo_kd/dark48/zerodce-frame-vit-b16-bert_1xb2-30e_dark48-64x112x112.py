# Seed 002's teacher: Zero-DCE (official weights, frozen) on the decoded Dark-48 frames at their
# native resolution, then resize / crop, then the frame-level ViT-B/16 + BERT of the student.
_base_ = ['./frame-vit-b16-bert_1xb2-30e_dark48-64x112x112.py']
custom_imports = dict(imports=['posezoo.action'], allow_failed_imports=False)

train_dataloader = dict(dataset=dict(pipeline={{_base_.enhanced_train_pipeline}}))
val_dataloader = dict(dataset=dict(pipeline={{_base_.enhanced_val_pipeline}}))
test_dataloader = val_dataloader
