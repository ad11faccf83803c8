"""FER2013 as image folders: FER2013's class order whatever the folder order, the stratified
seeded train / val split, the config's pipelines, and the confusion-matrix report."""
import json
from collections import Counter
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmpretrain.registry import DATASETS
from mmpretrain.structures import DataSample

from posezoo.cls import FER2013_CLASSES, ConfusionMatrixReport, FER2013Folder

CONFIG = Path('configs/image_classification/fer2013/resnet18_1xb128-200e_fer2013-folder-48x48.py')
# images per class in train/ (disgust is rare, as in FER2013) and in test/
TRAIN = dict(angry=20, disgust=5, fear=20, happy=30, neutral=20, sad=20, surprise=10)
TEST = dict(angry=2, disgust=1, fear=2, happy=3, neutral=2, sad=2, surprise=1)


def _infos(dataset):
    """The samples' info dicts (``data_list`` is emptied once MMEngine serialises it)."""
    return [dataset.get_data_info(i) for i in range(len(dataset))]


@pytest.fixture(scope='module')
def folders(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp('fer2013-images')
    rng = np.random.default_rng(0)
    for split, counts in (('train', TRAIN), ('test', TEST)):
        for name, count in counts.items():
            (root / split / name).mkdir(parents=True)
            for i in range(count):
                # the class index as the mean grey level: the label can be read back from pixels
                img = np.clip(rng.normal(30 * FER2013_CLASSES.index(name) + 30, 5, (48, 48)), 0, 255)
                cv2.imwrite(str(root / split / name / f'{i:05d}.jpg'), img.astype(np.uint8))
    return root


def test_class_order_is_fer2013s(folders):
    test = FER2013Folder(data_root=str(folders), split='test')
    assert test.metainfo['classes'] == FER2013_CLASSES
    for sample in _infos(test):
        # the folder name gives FER2013's index: neutral is 6, not 4 (its alphabetical place)
        assert sample['gt_label'] == FER2013_CLASSES.index(Path(sample['img_path']).parent.name)
    assert Counter(s['gt_label'] for s in _infos(test))[6] == TEST['neutral']
    assert len(test) == sum(TEST.values())


def test_stratified_seeded_split(folders):
    train = FER2013Folder(data_root=str(folders), split='train', val_ratio=0.2, seed=0)
    val = FER2013Folder(data_root=str(folders), split='val', val_ratio=0.2, seed=0)
    train_files = {s['img_path'] for s in _infos(train)}
    val_files = {s['img_path'] for s in _infos(val)}
    assert not train_files & val_files and len(train_files | val_files) == sum(TRAIN.values())
    counts = Counter(s['gt_label'] for s in _infos(val))
    for name, n in TRAIN.items():  # round(n * 0.2) of every class
        assert counts[FER2013_CLASSES.index(name)] == round(n * 0.2)
    again = FER2013Folder(data_root=str(folders), split='val', val_ratio=0.2, seed=0)
    other = FER2013Folder(data_root=str(folders), split='val', val_ratio=0.2, seed=1)
    assert [s['img_path'] for s in _infos(again)] == [s['img_path'] for s in _infos(val)]
    assert {s['img_path'] for s in _infos(other)} != val_files


def test_bad_folders(folders, tmp_path):
    (tmp_path / 'train' / 'contempt').mkdir(parents=True)
    with pytest.raises(ValueError, match='contempt'):
        FER2013Folder(data_root=str(tmp_path), split='train')
    with pytest.raises(FileNotFoundError):
        FER2013Folder(data_root=str(tmp_path / 'nowhere'), split='test')
    with pytest.raises(ValueError):
        FER2013Folder(data_root=str(folders), split='validation')


def test_config_pipelines_on_the_folders(folders):
    cfg = Config.fromfile(str(CONFIG))
    init_default_scope('mmpretrain')
    inner = cfg.train_dataloader.dataset.dataset
    assert cfg.train_dataloader.dataset.type == 'ClassBalancedDataset'
    for dataset_cfg, split in ((inner, 'train'), (cfg.val_dataloader.dataset, 'val'),
                               (cfg.test_dataloader.dataset, 'test')):
        assert dataset_cfg.type == 'FER2013Folder' and dataset_cfg.split == split
        dataset = DATASETS.build(dict(dataset_cfg, data_root=str(folders)))
        sample = dataset[0]
        assert sample['inputs'].shape == (1, 48, 48) and sample['inputs'].dtype == torch.uint8
        label = int(sample['data_samples'].gt_label)
        # the grey level written for the class comes back (JPEG, crop padding: a loose bound)
        if split != 'train':
            assert abs(float(sample['inputs'].float().mean()) - (30 * label + 30)) < 8
    assert any(e['type'] == 'ConfusionMatrixReport' for e in cfg.test_evaluator)


def test_confusion_matrix_report(tmp_path):
    metric = ConfusionMatrixReport(out_dir=str(tmp_path / 'cm'))
    metric.dataset_meta = dict(classes=FER2013_CLASSES)
    # true -> predicted: angry 3x right, 1x sad; happy 2x right; neutral 1x right, 1x happy
    pairs = [(0, 0)] * 3 + [(0, 4)] + [(3, 3)] * 2 + [(6, 6), (6, 3)]
    samples = []
    for gt, pred in pairs:
        score = torch.zeros(7)
        score[pred] = 1
        samples.append(DataSample().set_gt_label(gt).set_pred_score(score).to_dict())
    metric.process(None, samples)
    result = metric.evaluate(len(samples))
    matrix = result['confusion_matrix/result'].numpy()
    assert matrix[0, 0] == 3 and matrix[0, 4] == 1 and matrix[6, 3] == 1 and matrix.sum() == 8
    assert result['confusion_matrix/recall/angry'] == pytest.approx(0.75)
    assert result['confusion_matrix/recall/happy'] == 1.0
    assert result['confusion_matrix/recall/neutral'] == 0.5
    assert np.isnan(result['confusion_matrix/recall/fear'])  # no fear sample
    saved = json.loads((tmp_path / 'cm' / 'confusion_matrix.json').read_text())
    assert saved['matrix'] == matrix.tolist() and saved['recall']['fear'] is None
    png = cv2.imread(str(tmp_path / 'cm' / 'confusion_matrix.png'))
    assert png is not None and min(png.shape[:2]) > 200
