# Seed 002's KD student: frame-level ViT-B/16 + BERT on raw ARID frames, distilled from the
# Zero-DCE teacher (train zerodce-frame-vit-b16-bert_1xb2-30e_arid-64x112x112.py first; teacher_ckpt is its last epoch). Two
# stages as the seed: direct learning (CE only) for `direct_epochs`, then distillation
# (alpha * CE + beta * T^2 * KL). Only the student runs at val / test / inference; export it
# with tools/model_converters/kd_to_student.py to use frame-vit-b16-bert_1xb2-30e_arid-64x112x112.py.
_base_ = ['./frame-vit-b16-bert_1xb2-30e_arid-64x112x112.py', '../_base_/models/kd-zerodce.py']
model = dict(_base_.kd_recognizer, _delete_=True, student={{_base_.model}},
             teacher_config='{{fileDirname}}/zerodce-frame-vit-b16-bert_1xb2-30e_arid-64x112x112.py',
             teacher_ckpt='work_dirs/zerodce-frame-vit-b16-bert_1xb2-30e_arid-64x112x112/epoch_30.pth',
             # the seed's two stages: 10 epochs of direct learning, then 20 of distillation; T = 1
             direct_epochs=10, temperature=1.0)
# training clips: raw frames (student) + the same frames enhanced before resizing (teacher)
train_dataloader = dict(dataset=dict(pipeline={{_base_.kd_train_pipeline}}))
