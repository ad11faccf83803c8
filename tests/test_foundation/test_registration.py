"""Every posezoo module is registered in its library's registry and buildable from a zoo config."""
from pathlib import Path

import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope

import posezoo.action  # noqa: F401  (before mmaction.models, see posezoo.utils.mmaction_compat)
import posezoo.cls  # noqa: F401
import posezoo.pose  # noqa: F401

from .conftest import REPO_ROOT

CONFIGS = sorted(p for p in (REPO_ROOT / 'configs').rglob('*.py') if '_base_' not in p.parts)


def _registries():
    from mmaction import registry as action
    from mmpose import registry as pose
    from mmpretrain import registry as cls
    return {
        'mmpose': dict(models=pose.MODELS, transforms=pose.TRANSFORMS, codecs=pose.KEYPOINT_CODECS,
                       hooks=pose.HOOKS, datasets=pose.DATASETS, metrics=pose.METRICS),
        'mmaction': dict(models=action.MODELS, transforms=action.TRANSFORMS, hooks=action.HOOKS,
                         datasets=action.DATASETS, metrics=action.METRICS),
        'mmpretrain': dict(models=cls.MODELS, transforms=cls.TRANSFORMS, hooks=cls.HOOKS,
                           datasets=cls.DATASETS, metrics=cls.METRICS),
    }


def _types(node) -> set:
    """Every ``type`` value anywhere in a config."""
    found = set()
    if isinstance(node, dict):
        if isinstance(node.get('type'), str):
            found.add(node['type'])
        for value in node.values():
            found |= _types(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            found |= _types(value)
    return found


def _posezoo_registered():
    """{(scope, kind, name)} of everything posezoo registered."""
    registered = set()
    for scope, registries in _registries().items():
        for kind, registry in registries.items():
            for name, obj in registry.module_dict.items():
                if getattr(obj, '__module__', '').startswith('posezoo.'):
                    registered.add((scope, kind, name))
    return registered


def test_posezoo_registers_modules_in_every_domain():
    scopes = {scope for scope, _, _ in _posezoo_registered()}
    assert scopes == {'mmpose', 'mmaction', 'mmpretrain'}


@pytest.mark.slow  # over 4 s; the fast loop (-m "not slow") stays under 3 minutes
def test_every_registered_module_is_used_by_a_config():
    used = set()
    for path in CONFIGS:
        used |= _types(Config.fromfile(str(path)).to_dict())
    unused = sorted(f'{scope}:{kind}:{name}' for scope, kind, name in _posezoo_registered()
                    if name not in used)
    assert not unused, f'registered but in no config: {unused}'


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: str(p.relative_to(REPO_ROOT / 'configs')))
def test_config_builds(path: Path):
    """The model, every transform of every pipeline, and the custom hooks build from the config."""
    cfg = Config.fromfile(str(path))
    assert cfg.get('default_scope') in ('mmpose', 'mmaction', 'mmpretrain'), 'default_scope'
    imports = cfg.get('custom_imports', {}).get('imports', [])
    assert any(name.startswith('posezoo.') for name in imports), 'custom_imports'
    init_default_scope(cfg.default_scope)
    registries = _registries()[cfg.default_scope]
    if 'model' in cfg:
        model = registries['models'].build(cfg.model)
        assert sum(p.numel() for p in model.parameters()) > 0
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        dataset = (cfg.get(loader) or {}).get('dataset', {})
        while 'pipeline' not in dataset and 'dataset' in dataset:
            dataset = dataset['dataset']
        for step in dataset.get('pipeline', []):
            registries['transforms'].build(step)
    for hook in cfg.get('custom_hooks', []):
        registries['hooks'].build(hook)
