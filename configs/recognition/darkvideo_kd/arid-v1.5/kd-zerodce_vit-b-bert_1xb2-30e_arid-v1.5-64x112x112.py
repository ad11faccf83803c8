# KD student (seed 002): ViT-B + BERT head on raw ARID v1.5 frames, distilled from the Zero-DCE
# teacher with alpha * CE + beta * T^2 * KL. Train the teacher first; teacher_ckpt is its last
# epoch. Only the student runs at val/test/inference; export it with
# tools/model_converters/kd_to_student.py to use the plain config vit-b-bert_1xb2-30e_arid-v1.5-64x112x112.py.
_base_ = ['./vit-b-bert_1xb2-30e_arid-v1.5-64x112x112.py', '../_base_/models/kd-zerodce.py']
model = dict(_base_.kd_recognizer, _delete_=True, student={{_base_.model}},
             teacher_config='{{fileDirname}}/zerodce-vit-b-bert_1xb2-30e_arid-v1.5-64x112x112.py',
             teacher_ckpt='work_dirs/zerodce-vit-b-bert_1xb2-30e_arid-v1.5-64x112x112/epoch_30.pth')
# training clips: raw frames (student) + the same frames enhanced before resizing (teacher)
train_dataloader = dict(dataset=dict(pipeline={{_base_.kd_train_pipeline}}))
