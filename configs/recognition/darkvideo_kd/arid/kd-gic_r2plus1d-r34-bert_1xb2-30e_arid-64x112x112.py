# KD student (seed 002): R(2+1)D-34 + BERT head on raw ARID frames, as in
# kd-zerodce_r2plus1d-r34-bert_1xb2-30e_arid-64x112x112.py but distilled from the GIC
# (GammaEnhancer) teacher. Train the teacher first; teacher_ckpt is its last epoch.
_base_ = ['./kd-zerodce_r2plus1d-r34-bert_1xb2-30e_arid-64x112x112.py']
custom_imports = dict(imports=['posezoo.action'], allow_failed_imports=False)

model = dict(
    teacher_config='{{fileDirname}}/gic-r2plus1d-r34-bert_1xb2-30e_arid-64x112x112.py',
    teacher_ckpt='work_dirs/gic-r2plus1d-r34-bert_1xb2-30e_arid-64x112x112/epoch_30.pth')
