"""Shared set-up for posezoo's command-line tools (train, test, benchmark, export)."""
import argparse
import ast
import importlib.util
import os
import os.path as osp
from typing import Optional, Union

import torch
from mmengine.config import Config, DictAction

from posezoo.utils import paths

#: ``<prefix>::`` of the packages whose configs resolve, and their import names (MMEngine's names).
CONFIG_PACKAGES = {'posezoo': 'posezoo', 'mmpose': 'mmpose', 'mmaction': 'mmaction',
                   'mmaction2': 'mmaction', 'mmpretrain': 'mmpretrain', 'mmdet': 'mmdet'}


def _package_configs(package: str) -> str:
    """``<installed package>/.mim/configs`` (``FileNotFoundError`` when not installed)."""
    if package == 'posezoo':
        return str(paths.CONFIGS)
    module = CONFIG_PACKAGES.get(package)
    if module is None:
        raise FileNotFoundError(
            f'{package}::...: unknown package {package!r}; configs resolve for '
            f'{", ".join(sorted(CONFIG_PACKAGES))}')
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.origin:
        raise FileNotFoundError(f'{package}::...: package {module!r} is not installed')
    return osp.join(osp.dirname(spec.origin), '.mim', 'configs')


def _hint() -> str:
    return (f'configs of the installed posezoo are in {paths.CONFIGS}; list the models with '
            '`mim search posezoo` and pass a model name (e.g. '
            f'{QUICKSTART_MODEL}), posezoo::<path inside that folder> or a file path')


#: The quickstart model (bundled COCO sample, minutes on a CPU).
QUICKSTART_MODEL = 'bkpose_1xb4-quickstart_coco-sample-256x256'


def _is_model_marker(path: str) -> bool:
    """A file of ``posezoo/.mim/models`` (named by a model: how ``mim train posezoo <model
    name>`` finds it; setup.py writes them)."""
    return osp.dirname(osp.abspath(path)) == str(paths.MIM_DIR / 'models')


def _config_of_model(name: str) -> Optional[str]:
    """The config of a posezoo model name: its metafile entry's, else the one config file of
    that stem in the installed configs."""
    from posezoo.apis.task import metafile_entries
    entry = metafile_entries('posezoo').get(name)
    if entry is not None and osp.isfile(entry.get('Config', '')):
        return entry['Config']
    found = [p for p in paths.CONFIGS.rglob(f'{name}.py') if '_base_' not in p.parts]
    return str(found[0]) if len(found) == 1 else None


def resolve_config(spec: Union[str, os.PathLike]) -> str:
    """The config file of ``spec``: a path, ``<package>::<path>`` or a posezoo model name.

    * an existing file path is returned as it is;
    * ``posezoo::body_2d_keypoint/bkpose/coco/bkpose_1xb8-60e_coco-512x512.py`` (also
      ``mmpose::``, ``mmaction::``, ``mmpretrain::``, ``mmdet::``) is the file inside the
      installed package's ``.mim/configs`` (MMEngine's ``package::`` convention);
    * a model name as ``mim search posezoo`` prints it (``bkpose_1xb8-60e_coco-512x512``, with
      or without ``.py``) is the config of that metafile entry;
    * a path ``configs/<path>`` that does not exist here (the README's, run outside the checkout)
      is looked up in the installed package's configs.

    Raises:
        FileNotFoundError: no such file, package or model; the message says where the installed
            package keeps its configs and how to list them.
    """
    spec = os.fspath(spec)
    if osp.isfile(spec) and not _is_model_marker(spec):
        return spec
    if '::' in spec:
        package, rel = spec.split('::', 1)
        path = osp.join(_package_configs(package), rel)
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'{spec}: no such config in the installed {package} '
                f'({osp.dirname(path)} has no {osp.basename(path)})'
                + (f'; {_hint()}' if package == 'posezoo' else ''))
        return path
    name = osp.basename(spec)
    name = name[:-3] if name.endswith('.py') else name
    if osp.dirname(spec) == '' or _is_model_marker(spec):
        found = _config_of_model(name)
        if found:
            return found
    parts = spec.replace(os.sep, '/').split('/')
    if not osp.isabs(spec) and parts[0] == 'configs' and len(parts) > 1:
        path = osp.join(str(paths.CONFIGS), *parts[1:])
        if osp.isfile(path):
            return path
    raise FileNotFoundError(f'config file not found: {spec} (no such file'
                            f'{"" if osp.dirname(spec) else " and no posezoo model of that name"}'
                            f'); {_hint()}')


def _syntax_error(path: str, depth: int = 0) -> Optional[tuple]:
    """(file, error) of the first file with a syntax error among ``path`` and its ``_base_``
    files (relative or ``pkg::``), or None. MMEngine parses them without a file name."""
    if depth > 20 or not osp.isfile(path) or not path.endswith('.py'):
        return None
    with open(path, encoding='utf-8') as f:
        text = f.read()
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as err:
        return path, err
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == '_base_' for t in node.targets):
            try:
                bases = ast.literal_eval(node.value)
            except ValueError:
                return None
            for base in [bases] if isinstance(bases, str) else list(bases):
                try:
                    file = (resolve_config(base) if '::' in base
                            else osp.normpath(osp.join(osp.dirname(path), base)))
                except FileNotFoundError:
                    continue
                found = _syntax_error(file, depth + 1)
                if found:
                    return found
    return None


def load_config(path: Union[str, os.PathLike], cfg_options: Optional[dict] = None) -> Config:
    """Read a config (anything :func:`resolve_config` accepts) and merge ``--cfg-options``.

    Args:
        path: a config path, ``<package>::<path>`` or a posezoo model name.
        cfg_options: ``key=value`` overrides (dotted keys), as parsed by ``DictAction``.

    Raises:
        FileNotFoundError: the config does not exist (see :func:`resolve_config`).
        SyntaxError: the config file (or one of its ``_base_`` files) is not valid Python; the
            message names the file and the line.
    """
    path = resolve_config(path)
    try:
        cfg = Config.fromfile(path)
    except SyntaxError as err:
        where, found = _syntax_error(path) or (path, err)
        raise SyntaxError(f'config {where} is not valid Python: {found.msg} (line {found.lineno}: '
                          f'{(found.text or "").strip()!r}); fix the file') from err
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


def register_config_package() -> None:
    """Let MMEngine resolve ``posezoo::`` as it resolves ``mmpose::``: ``_base_`` entries and
    ``mmengine.hub.get_config('posezoo::<path>')`` look the package up in MMEngine's table of
    OpenMMLab packages (``mmengine.config.utils.MODULE2PACKAGE``). ``Config.fromfile`` itself
    takes file paths only (for every package); use :func:`load_config` for ``pkg::`` specs."""
    from mmengine.config import utils as config_utils
    config_utils.MODULE2PACKAGE.setdefault('posezoo', 'posezoo')
