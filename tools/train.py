"""Train a posezoo model (or any MMPose / MMAction2 / MMPretrain model) from a config.

Same interface as MMPose's ``tools/train.py``:

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp] [--cfg-options k=v ...]
    bash tools/dist_train.sh CONFIG GPUS [args...]        # torchrun, --launcher pytorch
"""
import argparse
import os
import os.path as osp

from mmengine.config import DictAction
from mmengine.runner import Runner

from posezoo.utils.setup_env import adapt_distributed_to_cpu, load_config


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train a model with posezoo')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume', nargs='?', type=str, const='auto',
        help='resume from this checkpoint; without a path, from the latest checkpoint in the '
        'work directory')
    parser.add_argument('--amp', action='store_true', help='automatic mixed precision (GPU)')
    parser.add_argument('--no-validate', action='store_true', help='do not evaluate during training')
    parser.add_argument(
        '--auto-scale-lr', action='store_true',
        help='scale the learning rate by the actual batch size / auto_scale_lr.base_batch_size')
    parser.add_argument('--show-dir', help='save visualisations of validation images here')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override settings of the config, e.g. train_cfg.max_epochs=2 (xxx=[a,b] for lists)')
    parser.add_argument(
        '--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def merge_args(cfg, args: argparse.Namespace):
    """Apply the command-line options to the config, as MMPose's tools/train.py does."""
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(args.config))[0])
    cfg.launcher = args.launcher

    if args.amp:
        optim_wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
        if optim_wrapper == 'AmpOptimWrapper':
            print('AMP training is already enabled in the config.')
        else:
            assert optim_wrapper == 'OptimWrapper', (
                f'`--amp` is only supported when the optim_wrapper type is OptimWrapper, '
                f'but got {optim_wrapper}.')
            cfg.optim_wrapper.type = 'AmpOptimWrapper'
            cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')

    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        if not osp.isfile(args.resume):
            raise FileNotFoundError(f'checkpoint to resume from not found: {args.resume}')
        cfg.resume = True
        cfg.load_from = args.resume

    if args.no_validate:
        cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None

    if args.auto_scale_lr:
        cfg.setdefault('auto_scale_lr', {})['enable'] = True

    if args.show_dir:
        visualization = cfg.default_hooks.visualization
        visualization.enable = True
        visualization.out_dir = args.show_dir
    return cfg


def main() -> None:
    args = parse_args()
    cfg = merge_args(load_config(args.config, args.cfg_options), args)
    adapt_distributed_to_cpu(cfg, args.launcher)
    runner = Runner.from_cfg(cfg)
    runner.train()


if __name__ == '__main__':
    main()
