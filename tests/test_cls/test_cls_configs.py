"""The zoo configs (six, and the FER2013 image-folder one): inheritance, model shapes, data pipelines."""
import re
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmpretrain.registry import DATASETS

from posezoo.apis import init_model

CONFIG_DIR = Path(__file__).resolve().parents[2] / 'configs' / 'image_classification'
CONFIGS = sorted(CONFIG_DIR.glob('*/resnet*.py'))
# dataset folder -> (classes, network input (H, W), stage-4 feature map (H, W))
SHAPES = {'fer2013': (7, (48, 48), (6, 6)), 'leapgestrecog': (10, (84, 224), (3, 7))}


def test_all_configs_present():
    names = sorted(p.relative_to(CONFIG_DIR).as_posix() for p in CONFIGS)
    assert names == sorted([f'{d}/resnet{depth}_{s}.py' for d, s in (
        ('fer2013', '1xb128-200e_fer2013-48x48'), ('leapgestrecog', '1xb64-30e_leapgestrecog-224x84'))
        for depth in (18, 50, 152)] + ['fer2013/resnet18_1xb128-200e_fer2013-folder-48x48.py'])


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: p.stem)
def test_config_builds_a_grayscale_resnet(path):
    cfg = Config.fromfile(str(path))
    assert cfg.custom_imports == dict(imports=['posezoo.cls'], allow_failed_imports=False)
    assert cfg.default_scope == 'mmpretrain'
    depth = int(re.match(r'resnet(\d+)_', path.name).group(1))
    num_classes, size, feat_size = SHAPES[path.parent.name]
    assert cfg.model.backbone.depth == depth and cfg.model.backbone.in_channels == 1
    assert cfg.model.head.num_classes == num_classes == cfg.data_preprocessor.num_classes

    model = init_model(str(path))
    params = sum(p.numel() for p in model.parameters())
    images = torch.randint(0, 256, (2, 1, *size), dtype=torch.uint8)
    with torch.no_grad():
        inputs = model.data_preprocessor(dict(inputs=list(images)))['inputs']
        feats = model.backbone(inputs)
        logits = model(inputs, mode='tensor')
    assert inputs.shape == (2, 1, *size) and abs(float(inputs.mean())) < 0.2
    assert feats[-1].shape == (2, cfg.model.head.in_channels, *feat_size)
    assert logits.shape == (2, num_classes) and torch.isfinite(logits).all()
    print(f'{path.stem}: {params / 1e6:.2f} M parameters, stage-4 map {tuple(feats[-1].shape[2:])}')


def _dataset(cfg_dataset: dict, **overrides) -> object:
    while 'dataset' in cfg_dataset:  # ClassBalancedDataset
        cfg_dataset = cfg_dataset['dataset']
    return DATASETS.build({**cfg_dataset, **overrides})


def test_fer2013_pipelines_on_the_original_csv(fer_csv):
    cfg = Config.fromfile(str(CONFIG_DIR / 'fer2013' / 'resnet18_1xb128-200e_fer2013-48x48.py'))
    init_default_scope('mmpretrain')
    assert cfg.train_dataloader.dataset.type == 'ClassBalancedDataset'
    for loader, split, count in ((cfg.train_dataloader, 'train', 19), (cfg.val_dataloader, 'val', 7),
                                 (cfg.test_dataloader, 'test', 7)):
        dataset = _dataset(loader.dataset.to_dict(), data_root=str(fer_csv.parent))
        assert dataset.split == split and len(dataset) == count
        sample = dataset[0]
        assert tuple(sample['inputs'].shape) == (1, 48, 48) and sample['inputs'].dtype == torch.uint8
    # the test pipeline is the identity on FER2013's own 48x48 gray faces
    info = dataset.get_data_info(0)
    assert torch.equal(dataset[0]['inputs'][0], torch.from_numpy(info['img']))


def test_leapgestrecog_pipelines_on_the_original_folder(leap_root):
    cfg = Config.fromfile(str(CONFIG_DIR / 'leapgestrecog' / 'resnet18_1xb64-30e_leapgestrecog-224x84.py'))
    init_default_scope('mmpretrain')
    for loader in (cfg.train_dataloader, cfg.test_dataloader):
        dataset = _dataset(loader.dataset.to_dict(), data_root=str(leap_root), subjects=['00'])
        sample = dataset[0]
        assert tuple(sample['inputs'].shape) == (1, 84, 224) and sample['inputs'].dtype == torch.uint8
    assert cfg.train_dataloader.dataset.split == 'train' and cfg.test_dataloader.dataset.split == 'test'


@pytest.mark.parametrize('metafile', ['fer2013/fer2013.yml', 'leapgestrecog/leapgestrecog.yml'])
def test_metafiles_list_every_config(metafile):
    import yaml
    meta = yaml.safe_load((CONFIG_DIR / metafile).read_text())
    folder = metafile.split('/')[0]
    models = {m['Name']: m for m in meta['Models']}
    assert sorted(models) == sorted(p.stem for p in CONFIGS if p.parent.name == folder)
    collections = {c['Name'] for c in meta['Collections']}
    for name, model in models.items():
        assert model['In Collection'] in collections
        assert (CONFIG_DIR.parents[1] / model['Config']).is_file()
        assert isinstance(model['Metadata']['Parameters'], int) and isinstance(model['Metadata']['FLOPs'], int)
    reported = [m for m in models.values() if m.get('Results')]
    if folder == 'fer2013':  # the seed's only figure: ~64% with ResNet-152
        assert [m['Name'] for m in reported] == ['resnet152_1xb128-200e_fer2013-48x48']
        assert reported[0]['Results'][0]['Metrics']['Top 1 Accuracy'] == 64.0
    else:
        assert not reported
