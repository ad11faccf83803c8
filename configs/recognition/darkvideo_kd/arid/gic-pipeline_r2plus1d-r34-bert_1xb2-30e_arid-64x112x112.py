# R(2+1)D-34 + BERT head on GIC-enhanced ARID frames, DarkLight-style: Gamma Intensity Correction
# as a pipeline transform on the decoded uint8 frames (a lookup table, before resizing), in
# training, validation and test alike: the seed's enhance-then-resize order. The teacher of
# kd-gic_r2plus1d-r34-bert_1xb2-30e_arid-64x112x112.py. gamma = 2 is posezoo's choice.
_base_ = ['./r2plus1d-r34-bert_1xb2-30e_arid-64x112x112.py']
custom_imports = dict(imports=['posezoo.action'], allow_failed_imports=False)

# the base's pipelines with GIC after decoding (steps 0-2: open, sample, decode)
gic = dict(type='GammaIntensityCorrection', gamma=2.0)
train_pipeline = [*_base_.train_pipeline[:3], gic, *_base_.train_pipeline[3:]]
val_pipeline = [*_base_.val_pipeline[:3], gic, *_base_.val_pipeline[3:]]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = val_dataloader
