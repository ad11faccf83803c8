# The KD recipe of seed 002, shared by the kd-zerodce_* configs: a KDRecognizer trains the student
# with alpha * CE + beta * T^2 * KL against the frozen Zero-DCE teacher; in training the teacher
# sees view 1 of the clips (the frames enhanced before resizing, see `kd_train_pipeline`).
# A KD config inherits its student's config and this file, and sets
#   model = dict(kd_recognizer, _delete_=True, student={{_base_.model}}, teacher_config=..., teacher_ckpt=...)
kd_recognizer = dict(
    type='KDRecognizer',
    alpha=1.0,
    distill_loss=dict(type='DistillationKLLoss', temperature=1.0, loss_weight=1.0),
    teacher_view=1)
