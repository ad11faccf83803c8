# CPU-sized KD student on the synthetic dark clips (raw frames), distilled from the tiny
# Zero-DCE teacher (teacher_ckpt: the teacher run's last epoch). One view per clip: the teacher
# enhances the student's raw clips itself (teacher_view=None).
_base_ = ['./r2plus1d-tiny-bert_1xb16-10e_darkclips-8x32x32.py', '../_base_/models/kd-zerodce.py']
model = dict(_base_.kd_recognizer, _delete_=True, teacher_view=None, student={{_base_.model}},
             teacher_config='{{fileDirname}}/zerodce-r2plus1d-tiny-bert_1xb16-10e_darkclips-8x32x32.py',
             teacher_ckpt='work_dirs/zerodce-r2plus1d-tiny-bert_1xb16-10e_darkclips-8x32x32/epoch_10.pth')
