# CPU-sized KD teacher on the synthetic dark clips: official Zero-DCE (frozen) per frame + the
# tiny R(2+1)D + BERT classifier. Set the enhancer checkpoint to the official Epoch99.pth.
_base_ = ['./r2plus1d-tiny-bert_1xb16-10e_darkclips-8x32x32.py']
custom_imports = dict(imports=['posezoo.action'], allow_failed_imports=False)

model = dict(
    type='EnhancedRecognizer3D',
    enhancer=dict(type='ZeroDCE', checkpoint='data/zerodce/Epoch99.pth'),
    freeze_enhancer=True)
