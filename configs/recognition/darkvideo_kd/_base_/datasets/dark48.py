# Dark-48 (48 classes, 8815 clips; the seed's 8:2 split). Videos under data/dark48/videos, one
# folder per class. Annotation lists: tools/dataset_converters/dark_video_splits.py from published
# split files, or, without them, its `stratified` mode (8:2 per class, seeded).
_base_ = ['./dark-video_64x112x112.py']

data_root = 'data/dark48'
data_prefix = dict(video=f'{data_root}/videos')
train_dataloader = dict(dataset=dict(ann_file=f'{data_root}/dark48_train_split_1_videos.txt', data_prefix=data_prefix))
val_dataloader = dict(dataset=dict(ann_file=f'{data_root}/dark48_val_split_1_videos.txt', data_prefix=data_prefix))
test_dataloader = val_dataloader
