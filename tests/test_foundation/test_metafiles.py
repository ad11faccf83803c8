"""Every metafile entry imported by model-index.yml follows the OpenMMLab conventions.

Checked for each model: its config exists and is named after it, its collection exists, the
fields ``mim search`` and :mod:`posezoo.apis.task` read are there (task, and the input shape
where the config does not carry it), and its metrics use the convention of the library it
extends: MMPose's AP / AR as fractions (``AP: 0.671``), MMAction2's and MMPretrain's accuracies
in percent (``Top 1 Accuracy: 92.44``).
"""
from numbers import Number
from typing import List, Tuple

import pytest
import yaml
from mmengine.config import Config

from posezoo.apis.task import config_input_shape, config_task, entry_task, parse_shape

from .conftest import REPO_ROOT

#: Metafile tasks of models that posezoo.apis does not serve (their configs train on their own).
OTHER_TASKS = ('Low-light Image Enhancement', )


def _entries() -> List[Tuple[str, dict, set]]:
    """(metafile, model entry, collection names of that metafile) of every imported metafile."""
    index = yaml.safe_load((REPO_ROOT / 'model-index.yml').read_text())
    out = []
    for rel in index['Import']:
        metafile = yaml.safe_load((REPO_ROOT / rel).read_text())
        collections = {c['Name'] for c in metafile.get('Collections') or []}
        out += [(rel, model, collections) for model in metafile['Models']]
    return out


ENTRIES = _entries()


def _is_fraction_metric(name: str) -> bool:
    return name.split('@')[0].split(' ')[0] in ('AP', 'AR')


@pytest.mark.parametrize('metafile, model, collections', ENTRIES,
                         ids=[m['Name'] for _, m, _ in ENTRIES])
def test_metafile_entry(metafile, model, collections):
    where = f"{metafile}: {model.get('Name')}"
    config = REPO_ROOT / model['Config']
    assert config.is_file(), f'{where}: config {config} does not exist'
    assert model['Name'] == config.stem, f'{where}: Name must be the config stem {config.stem}'
    assert model.get('In Collection') in collections, f'{where}: unknown collection'
    metadata = model.get('Metadata')
    assert isinstance(metadata, dict) and metadata.get('Training Data'), \
        f'{where}: Metadata with Training Data'
    assert 'Weights' in model, f'{where}: Weights (a URL, or null when none is released)'
    assert isinstance(model.get('Results'), list), f'{where}: Results must be a list'

    task = entry_task(model)  # None: the config's scope names it (mmpose, mmpretrain)
    if task in OTHER_TASKS:
        assert metadata.get('Input Shape'), f'{where}: Metadata: Input Shape'
        parse_shape(metadata['Input Shape'])
    else:  # what posezoo.apis reads: the task and the input shape, never guessed
        cfg = Config.fromfile(str(config))
        assert task in (None, config_task(cfg)), f'{where}: task {task!r}'
        assert all(isinstance(v, int) and v > 0 for v in config_input_shape(cfg)), where

    for result in model['Results']:
        assert result.get('Dataset') and result.get('Task') and result.get('Metrics'), \
            f'{where}: each result needs Dataset, Task and Metrics'
        for name, value in result['Metrics'].items():
            assert isinstance(value, Number), f'{where}: {name} = {value!r} is not a number'
            if _is_fraction_metric(name):
                assert 0 <= value <= 1, f'{where}: {name} = {value} must be a fraction (MMPose)'
            elif 'Accuracy' in name:
                assert 0 <= value <= 100, f'{where}: {name} = {value} must be a percentage'


def test_every_config_is_in_a_metafile():
    """``mim search posezoo`` lists every model: each config has a metafile entry."""
    listed = {(REPO_ROOT / m['Config']).resolve() for _, m, _ in ENTRIES}
    configs = {p.resolve() for p in (REPO_ROOT / 'configs').rglob('*.py')
               if '_base_' not in p.parts}
    missing = sorted(str(p.relative_to(REPO_ROOT)) for p in configs - listed)
    assert not missing, f'configs without a metafile entry: {missing}'
