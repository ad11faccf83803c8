"""A zoo model by its metafile name (as ``mim search posezoo`` prints it): its config and weights.

The weights are the entry's ``Weights`` URL; ``Metadata: Weights SHA256`` (for files whose name
carries no hash) is appended as ``#sha256=<hex>``. Env ``POSEZOO_WEIGHTS_BASE_URL`` replaces the
URL up to its file name (a mirror, or a loopback server in the tests). Env
``POSEZOO_EXTRA_MODEL_INDEX`` names one more ``model-index.yml`` whose entries are found first
(a local or mirrored zoo; the tests serve one).
"""
import os
import os.path as osp
from typing import Dict, Optional, Tuple

import yaml


class NoPublishedWeightsError(ValueError):
    """The model named has no published weights: they have to be trained."""


def _checkout_relative(config: str) -> str:
    """``configs/<...>.py`` as a checkout names ``config`` (its path from the last ``configs``
    folder on), or ``config`` unchanged when it lies in no ``configs`` folder."""
    parts = config.replace(os.sep, '/').split('/')
    if 'configs' not in parts:
        return config
    return '/'.join(parts[len(parts) - 1 - parts[::-1].index('configs'):])


def _extra_entries() -> Dict[str, dict]:
    """Entries of the model index named by ``POSEZOO_EXTRA_MODEL_INDEX`` (configs made absolute)."""
    index_file = os.environ.get('POSEZOO_EXTRA_MODEL_INDEX')
    if not index_file:
        return {}
    root = osp.dirname(osp.abspath(index_file))
    with open(index_file, encoding='utf-8') as f:
        imports = (yaml.safe_load(f) or {}).get('Import', [])
    entries = {}
    for rel in imports:
        with open(osp.join(root, rel), encoding='utf-8') as f:
            for model in (yaml.safe_load(f) or {}).get('Models') or []:
                entries[model['Name']] = dict(model, Config=osp.join(root, model['Config']))
    return entries


def model_entry(name: str) -> Optional[dict]:
    """The metafile entry called ``name`` (extra index first, then posezoo's), or ``None``."""
    from posezoo.apis.task import metafile_entries
    return _extra_entries().get(name) or metafile_entries('posezoo').get(name)


def entry_weights(entry: dict) -> Optional[str]:
    """The weights URL of a metafile entry (base URL override and sha256 applied), or ``None``."""
    url = entry.get('Weights')
    if not url:
        return None
    base = os.environ.get('POSEZOO_WEIGHTS_BASE_URL')
    if base:
        url = base.rstrip('/') + '/' + url.rsplit('/', 1)[-1]
    sha256 = (entry.get('Metadata') or {}).get('Weights SHA256')
    return f'{url}#sha256={sha256}' if sha256 and '#' not in url else url


def resolve_model_name(name: str) -> Tuple[str, str]:
    """``(config path, weights URL)`` of the zoo model called ``name``.

    Raises:
        KeyError: no posezoo metafile entry has this name.
        NoPublishedWeightsError: the entry has no published weights; the message names the
            training config and command.
    """
    entry = model_entry(name)
    if entry is None:
        raise KeyError(f'{name!r} is neither a config file nor a posezoo model name '
                       '(mim search posezoo lists the names)')
    weights = entry_weights(entry)
    if weights is None:
        config = _checkout_relative(entry['Config']) if entry.get('Config') else name
        raise NoPublishedWeightsError(
            f'{name} has no published weights; train them with `mim train posezoo {name}` '
            f'(in a checkout: python tools/train.py {config}), then '
            f'init_model({name!r}, "work_dirs/.../best_*.pth")')
    return entry['Config'], weights
