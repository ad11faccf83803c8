"""Learning: BK-Pose trained through mmengine's Runner overfits a handful of real COCO images.

Four images of the bundled data/coco_sample train2017 (one person each, 4-16 labelled
keypoints) are trained on with the quickstart config (focal L2 after the first third) at a reduced
input size and evaluated with mmpose's CocoMetric on the same images.
"""
import json
from pathlib import Path

from mmengine.config import Config
from mmengine.runner import Runner

ROOT = Path(__file__).resolve().parents[3]
CONFIG = (ROOT / 'configs' / 'body_2d_keypoint' / 'bkpose' / 'coco' /
          'bkpose_1xb4-quickstart_coco-sample-256x256.py')
SAMPLE = ROOT / 'data' / 'coco_sample'
IMAGES = {'000000463557.jpg', '000000069468.jpg', '000000030752.jpg', '000000551757.jpg'}
INPUT = 192
EPOCHS = 150  # one iteration of 4 images per epoch


def test_overfits_coco_sample(tmp_path, capsys):
    data = json.loads((SAMPLE / 'annotations' / 'person_keypoints_train2017.json').read_text())
    data['images'] = [im for im in data['images'] if im['file_name'] in IMAGES]
    ids = {im['id'] for im in data['images']}
    data['annotations'] = [a for a in data['annotations'] if a['image_id'] in ids]
    ann_file = tmp_path / 'person_keypoints_subset.json'
    ann_file.write_text(json.dumps(data))

    cfg = Config.fromfile(CONFIG)
    codec = dict(cfg.codec, input_size=(INPUT, INPUT), heatmap_size=(INPUT // 4, INPUT // 4))
    cfg.model.head.decoder = codec
    cfg.train_dataloader.dataset.update(data_root=str(SAMPLE) + '/', ann_file=str(ann_file))
    cfg.train_dataloader.dataset.pipeline[1].input_size = codec['input_size']
    cfg.train_dataloader.dataset.pipeline[3].encoder = codec
    cfg.val_dataloader.dataset.update(data_root=str(SAMPLE) + '/', ann_file=str(ann_file))
    cfg.val_dataloader.dataset.pipeline[1].input_size = codec['input_size']
    cfg.test_dataloader = cfg.val_dataloader
    cfg.val_evaluator.ann_file = str(ann_file)
    cfg.test_evaluator = cfg.val_evaluator
    cfg.train_cfg.update(max_epochs=EPOCHS, val_interval=EPOCHS + 1)
    cfg.custom_hooks = [dict(type='FocalL2SwitchHook', switch_epoch=EPOCHS // 3)]
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=-1)
    cfg.default_hooks.logger.interval = 50
    cfg.work_dir = str(tmp_path / 'work_dir')
    cfg.randomness = dict(seed=0)

    runner = Runner.from_cfg(cfg)
    runner.train()
    metrics = runner.test()
    with capsys.disabled():
        print(f'\nBK-Pose overfit on {len(IMAGES)} COCO sample images ({INPUT}x{INPUT}, '
              f'{EPOCHS} iterations): COCO AP {metrics["coco/AP"]:.4f} '
              f'(AP50 {metrics["coco/AP .5"]:.4f})')
    assert metrics['coco/AP'] >= 0.8
