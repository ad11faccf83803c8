# frame-vit-b16-bert_1xb2-30e_arid-64x112x112.py on ARID's official split 2 (ARID reports the mean over splits 1-3:
# tools/analysis/mean_over_splits.py).
_base_ = ['./frame-vit-b16-bert_1xb2-30e_arid-64x112x112.py']

train_dataloader = dict(dataset=dict(ann_file='data/arid/arid_train_split_2_videos.txt'))
val_dataloader = dict(dataset=dict(ann_file='data/arid/arid_val_split_2_videos.txt'))
test_dataloader = val_dataloader
