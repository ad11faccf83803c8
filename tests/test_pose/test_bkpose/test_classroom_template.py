"""The custom classroom dataset template: its metainfo, its COCO-format example, and 2 training
iterations of the template config on the example, validated with GroupCocoMetric."""
import json

import pytest
from mmengine.config import Config
from mmengine.runner import Runner
from mmpose.datasets.datasets.utils import parse_pose_metainfo

CONFIG = 'configs/body_2d_keypoint/bkpose/classroom/bkpose_1xb8-30e_classroom-512x512.py'
EXAMPLE = 'configs/body_2d_keypoint/bkpose/classroom/example/'


def test_metainfo_and_example(repo_root):
    cfg = Config.fromfile(str(repo_root / CONFIG))
    meta = parse_pose_metainfo(cfg.train_dataloader.dataset.metainfo)
    assert meta['dataset_name'] == 'classroom'
    assert meta['num_keypoints'] == 17 and len(meta['skeleton_links']) == 19
    for split, images in (('train', 3), ('val', 1)):
        data = json.loads((repo_root / EXAMPLE / 'annotations' / f'{split}.json').read_text())
        assert len(data['images']) == images
        names = data['categories'][0]['keypoints']
        assert names == [meta['keypoint_id2name'][i] for i in range(17)]
        for ann in data['annotations']:
            assert len(ann['keypoints']) == 3 * 17
            assert ann['num_keypoints'] == sum(v > 0 for v in ann['keypoints'][2::3])
            assert (repo_root / 'data' / 'coco_sample' / 'train2017' /
                    next(i['file_name'] for i in data['images'] if i['id'] == ann['image_id'])).exists()


@pytest.mark.slow  # ~30 s: two 512 x 512 iterations and one validation on a CPU
def test_template_trains_two_iterations(repo_root, tmp_path):
    cfg = Config.fromfile(str(repo_root / CONFIG))
    assert cfg.val_evaluator.type == 'GroupCocoMetric' and cfg.val_evaluator.max_dets == 100
    example, images = str(repo_root / EXAMPLE), str(repo_root / 'data' / 'coco_sample' / 'train2017')
    for loader in (cfg.train_dataloader, cfg.val_dataloader):
        loader.num_workers, loader.persistent_workers = 0, False
        loader.dataset.data_root, loader.dataset.data_prefix = example, dict(img=images + '/')
    cfg.train_dataloader.batch_size = 2  # 3 images: 2 iterations in the one epoch
    cfg.val_evaluator.ann_file = example + '/annotations/val.json'
    cfg.test_dataloader, cfg.test_evaluator = cfg.val_dataloader, cfg.val_evaluator
    cfg.train_cfg.max_epochs = 1
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=1, save_best=None)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=1)
    cfg.work_dir = str(tmp_path)
    # a visualizer of its own: MMEngine's Visualizer.get_instance returns an earlier test's
    # instance of the same name, which writes scalars.json into that test's work dir
    cfg.visualizer.name = f'classroom_template_{tmp_path.name}'
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 2
    scalars = [json.loads(line) for line in
               next(tmp_path.rglob('vis_data/scalars.json')).read_text().splitlines()]
    losses = [s['loss'] for s in scalars if 'loss' in s]
    metrics = next(s for s in scalars if 'coco/AP' in s)
    print('losses', losses, {k: v for k, v in metrics.items() if k.startswith('coco/')})
    assert len(losses) == 2 and all(loss > 0 for loss in losses)
    # the validation ran GroupCocoMetric: the groups of COCO-17 are reported
    for group in ('head', 'shoulder', 'elbow', 'wrist', 'hip', 'knee', 'ankle'):
        assert f'coco/{group} AP' in metrics
    hook = next(h for h in runner.hooks if type(h).__name__ == 'FocalL2SwitchHook')
    assert hook.plateau.wait == 0 and hook.switched_at is None  # one validation: no plateau yet
