# ARID v1.5 (11 classes - Drink, Jump, Pick, Pour, Push, Run, Sit, Stand, Turn, Walk, Wave - and
# 5572 clips: the seed's "24 classes" is not ARID v1.5's, see the README). Videos under
# data/arid_v1.5/videos; annotation lists made by tools/dataset_converters/dark_video_splits.py
# from the published split files.
_base_ = ['./dark-video_64x112x112.py']

data_root = 'data/arid_v1.5'
data_prefix = dict(video=f'{data_root}/videos')
train_dataloader = dict(dataset=dict(ann_file=f'{data_root}/arid_v1.5_train_split_1_videos.txt', data_prefix=data_prefix))
val_dataloader = dict(dataset=dict(ann_file=f'{data_root}/arid_v1.5_val_split_1_videos.txt', data_prefix=data_prefix))
test_dataloader = val_dataloader
