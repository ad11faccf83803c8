# The seed's optimiser: AdamW, lr 1e-4, batch 2 (1 GPU). The references accumulate gradients:
# DarkLight (R(2+1)D-34 + BERT on ARID) batch 3 x 16 iterations = 48, R(2+1)D-BERT 8 x 16 = 128.
# Here 2 x 24 = 48, DarkLight's effective batch (accumulative_counts=64 gives R(2+1)D-BERT's).
# The seed gives no epoch count or schedule: 30 epochs at a constant rate is posezoo's choice.
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=30, val_begin=1, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-4, weight_decay=1e-4),
    accumulative_counts=24,
    clip_grad=dict(max_norm=40, norm_type=2))
param_scheduler = []
auto_scale_lr = dict(enable=False, base_batch_size=48)
