# KD teacher with DarkLight's cheap enhancement instead of Zero-DCE: Gamma Intensity Correction
# (out = in ** (1 / gamma)) applied per frame inside the model (GammaEnhancer, no parameters) +
# R(2+1)D-34 + BERT head, ARID. In-model, i.e. after resizing and cropping (the seed enhances
# before: gic-pipeline_r2plus1d-r34-bert_1xb2-30e_arid-64x112x112.py). gamma = 2 is posezoo's choice.
_base_ = ['./r2plus1d-r34-bert_1xb2-30e_arid-64x112x112.py']
custom_imports = dict(imports=['posezoo.action'], allow_failed_imports=False)

model = dict(
    type='EnhancedRecognizer3D',
    enhancer=dict(type='GammaEnhancer', gamma=2.0),
    freeze_enhancer=True)
