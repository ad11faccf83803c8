# The seed's LSTM on the synthetic data set in the seed's text format (separate recordings, by
# different people, for training and validation):
#   python tools/misc/make_skeleton_dataset.py data/skeleton/synthetic
_base_ = './lstm_8xb16-20e_seed-mediapipe33-30f.py'

data_root = 'data/skeleton/synthetic/seed'
train_dataloader = dict(
    dataset=dict(ann_file=f'{data_root}/train', frame_range=(0.0, 1.0)))
val_dataloader = dict(
    dataset=dict(ann_file=f'{data_root}/val', frame_range=(0.0, 1.0)))
test_dataloader = val_dataloader
