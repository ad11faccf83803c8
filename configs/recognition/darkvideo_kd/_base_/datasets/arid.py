# ARID v1.0 (11 classes, 3784 clips; three official splits). Videos under data/arid/videos;
# annotation lists made by tools/dataset_converters/dark_video_splits.py from the published
# split files. ARID's benchmarks report the mean over the three splits: train and test once per
# split (`--cfg-options split=2`, or the arid/split2, split3 configs), then average the results
# with tools/analysis/mean_over_splits.py.
_base_ = ['./dark-video_64x112x112.py']

data_root = 'data/arid'
data_prefix = dict(video=f'{data_root}/videos')
train_dataloader = dict(dataset=dict(ann_file=f'{data_root}/arid_train_split_1_videos.txt', data_prefix=data_prefix))
val_dataloader = dict(dataset=dict(ann_file=f'{data_root}/arid_val_split_1_videos.txt', data_prefix=data_prefix))
test_dataloader = val_dataloader
