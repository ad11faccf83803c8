# The training recipe of the skeleton LSTMs (seeds 003 and 004): batches of 16, Adam at 1e-3
# with gradient clipping, epoch-based loops, top-1 and mean-class accuracy. A config adds its
# model, data sets, max_epochs / val_interval and learning-rate schedule.
_base_ = 'mmaction::_base_/default_runtime.py'

train_dataloader = dict(batch_size=16, num_workers=2, persistent_workers=True,
                        sampler=dict(type='DefaultSampler', shuffle=True))
val_dataloader = dict(batch_size=16, num_workers=2, persistent_workers=True,
                      sampler=dict(type='DefaultSampler', shuffle=False))
test_dataloader = val_dataloader

val_evaluator = [dict(type='AccMetric', metric_list=('top_k_accuracy', 'mean_class_accuracy'),
                      metric_options=dict(top_k_accuracy=dict(topk=(1, ))))]
test_evaluator = val_evaluator

train_cfg = dict(type='EpochBasedTrainLoop', val_begin=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-3), clip_grad=dict(max_norm=5))

default_hooks = dict(checkpoint=dict(interval=5, save_best='auto'), logger=dict(interval=20))
auto_scale_lr = dict(enable=False, base_batch_size=128)
