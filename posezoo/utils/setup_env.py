"""Shared set-up for posezoo's command-line tools (train, test, benchmark, export)."""
import argparse
import os
import os.path as osp
from typing import Optional

import torch
from mmengine.config import Config, DictAction
from mmengine.utils import get_installed_path, is_installed


def resolve_config(spec: str) -> str:
    """A config path from ``path`` or ``<package>::<path inside its .mim/configs>``.

    ``mmpose::body_2d_keypoint/dekr/coco/dekr_hrnet-w32_8xb10-140e_coco-512x512.py`` resolves
    to the file shipped inside the installed mmpose package (MMEngine's package lookup).

    Raises:
        FileNotFoundError: the file, the package or the config inside it does not exist.
    """
    if '::' not in spec:
        if not osp.isfile(spec):
            raise FileNotFoundError(f'config file not found: {spec}')
        return spec
    package, rel = spec.split('::', 1)
    if not is_installed(package):
        raise FileNotFoundError(f'{spec}: package {package!r} is not installed')
    path = osp.join(get_installed_path(package), '.mim', 'configs', rel)
    if not osp.isfile(path):
        raise FileNotFoundError(f'{spec}: no such config in the installed {package}')
    return path


def load_config(path: str, cfg_options: Optional[dict] = None) -> Config:
    """Read a config file and merge ``--cfg-options`` into it, with clear errors.

    Args:
        path: a posezoo / MMPose / MMAction2 / MMPretrain config file.
        cfg_options: ``key=value`` overrides (dotted keys), as parsed by ``DictAction``.

    Raises:
        FileNotFoundError: ``path`` does not exist.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'config file not found: {path}')
    cfg = Config.fromfile(path)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    return cfg


def adapt_distributed_to_cpu(cfg: Config, launcher: str) -> None:
    """Let MMEngine's launcher run distributed jobs on machines without CUDA.

    MMEngine's ``init_dist`` calls ``torch.cuda.set_device`` and its DDP wrapper passes CUDA
    ``device_ids``, so a CPU-only ``tools/dist_train.sh`` fails before training starts. On such a
    machine this switches the process group to the ``gloo`` backend, initialises it from the
    ``torchrun`` environment (``RANK``, ``WORLD_SIZE``, ``MASTER_ADDR``, ``MASTER_PORT``) and makes
    the DDP wrapper run on CPU (``device_ids=None``). Launching stays torchrun's / slurm's job.
    """
    if launcher == 'none' or torch.cuda.is_available():
        return
    env_cfg = cfg.setdefault('env_cfg', {})
    dist_cfg = env_cfg.setdefault('dist_cfg', {})
    dist_cfg['backend'] = 'gloo'
    wrapper = cfg.get('model_wrapper_cfg') or dict(type='MMDistributedDataParallel')
    wrapper['device_ids'] = None
    wrapper.setdefault('broadcast_buffers', False)
    wrapper.setdefault('find_unused_parameters', cfg.get('find_unused_parameters', False))
    cfg.model_wrapper_cfg = wrapper
    if launcher != 'pytorch':
        raise RuntimeError(
            f'--launcher {launcher} without CUDA is not supported; use --launcher pytorch '
            '(tools/dist_train.sh) for CPU distributed runs')
    if not torch.distributed.is_initialized():
        torch.distributed.init_process_group(backend='gloo', init_method='env://')
    os.environ.setdefault('LOCAL_RANK', '0')


def add_common_args(parser: argparse.ArgumentParser) -> None:
    """The options that tools/train.py and tools/test.py share (MMPose's interface)."""
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override settings of the config, e.g. train_cfg.max_epochs=2 (xxx=[a,b] for lists)')
    parser.add_argument(
        '--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def apply_common_args(cfg: Config, args: argparse.Namespace) -> None:
    """Work dir (``./work_dirs/<config name>`` by default), launcher and ``--show-dir``."""
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(args.config))[0])
    cfg.launcher = args.launcher
    if args.show_dir:
        visualization = cfg.default_hooks.visualization
        visualization.enable = True
        visualization.out_dir = args.show_dir
