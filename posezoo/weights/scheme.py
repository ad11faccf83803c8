"""MMEngine checkpoint schemes that read published files as they are published.

:func:`register_weight_schemes` replaces MMEngine's loaders for local paths and ``http(s)://``
URLs (``CheckpointLoader.register_scheme(force=True)``), so everything that loads weights through
MMEngine - ``init_model``, ``load_from``, ``init_cfg=dict(type='Pretrained')``, a backbone's
``pretrained``, ``tools/test.py`` - gets

- URLs downloaded by :func:`posezoo.weights.download.fetch_weights` (cached under
  ``TORCH_HOME``, hash-verified, atomic; rank 0 downloads first in a distributed run);
- published layouts converted in memory by :func:`posezoo.weights.layouts.convert_published`,
  with one log line naming the layout.
"""
import os.path as osp

import torch
from mmengine.dist import get_dist_info
from mmengine.logging import print_log
from mmengine.runner.checkpoint import CheckpointLoader

from .download import fetch_weights, split_url
from .layouts import convert_published


def _read(path: str, source: str, map_location=None) -> object:
    checkpoint = torch.load(path, map_location=map_location)
    checkpoint, layout = convert_published(checkpoint, source)
    if layout is not None:
        print_log(f'{source}: {layout} layout, converted to posezoo keys'
                  if isinstance(checkpoint, dict) and 'source_layout' in checkpoint.get('meta', {})
                  else f'{source}: {layout} layout, loaded as it is', logger='current')
    return checkpoint


def load_from_posezoo_local(filename: str, map_location=None) -> object:
    """A local checkpoint, converted from a published layout when it is in one."""
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    return _read(filename, filename, map_location)


def load_from_posezoo_http(filename: str, map_location=None) -> object:
    """A published checkpoint URL (optionally ``#sha256=<hex>``): fetched once, then converted."""
    rank, world_size = get_dist_info()
    path = fetch_weights(filename) if rank == 0 else None
    if world_size > 1:
        torch.distributed.barrier()
        if rank > 0:
            path = fetch_weights(filename)
    return _read(path, split_url(filename)[0], map_location)


def register_weight_schemes() -> None:
    """Make MMEngine's ``CheckpointLoader`` use posezoo's local and HTTP loaders."""
    CheckpointLoader.register_scheme('', load_from_posezoo_local, force=True)
    CheckpointLoader.register_scheme(('http://', 'https://'), load_from_posezoo_http, force=True)
