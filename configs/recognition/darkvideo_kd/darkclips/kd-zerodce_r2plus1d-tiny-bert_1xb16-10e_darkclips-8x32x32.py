# CPU-sized KD student on the synthetic dark clips (raw frames), distilled from the tiny
# Zero-DCE teacher (teacher_ckpt: the teacher run's last epoch).
_base_ = ['./r2plus1d-tiny-bert_1xb16-10e_darkclips-8x32x32.py']
custom_imports = dict(imports=['posezoo.action'], allow_failed_imports=False)

model = dict(
    _delete_=True,
    type='KDRecognizer',
    student={{_base_.model}},
    teacher_config='{{fileDirname}}/zerodce-r2plus1d-tiny-bert_1xb16-10e_darkclips-8x32x32.py',
    teacher_ckpt='work_dirs/zerodce-r2plus1d-tiny-bert_1xb16-10e_darkclips-8x32x32/epoch_10.pth',
    alpha=1.0,
    distill_loss=dict(type='DistillationKLLoss', temperature=1.0, loss_weight=1.0))
