"""Evaluate a trained posezoo model (or any MMPose / MMAction2 / MMPretrain model).

Same interface as MMPose's ``tools/test.py``:

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out results.pkl] [--cfg-options k=v ...]
    bash tools/dist_test.sh CONFIG CHECKPOINT GPUS [args...]
"""
import argparse
import os
import os.path as osp

from mmengine.config import DictAction
from mmengine.runner import Runner

from posezoo.utils.setup_env import adapt_distributed_to_cpu, load_config


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Evaluate a model with posezoo')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='the directory to save evaluation results')
    parser.add_argument('--out', help='dump the predictions to this pickle file')
    parser.add_argument('--show-dir', help='save visualisations of the test images here')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override settings of the config, e.g. test_dataloader.batch_size=2')
    parser.add_argument(
        '--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def merge_args(cfg, args: argparse.Namespace):
    """Apply the command-line options to the config, as MMPose's tools/test.py does."""
    if not osp.isfile(args.checkpoint):
        raise FileNotFoundError(f'checkpoint file not found: {args.checkpoint}')
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(args.config))[0])
    cfg.launcher = args.launcher
    cfg.load_from = args.checkpoint
    if args.show_dir:
        visualization = cfg.default_hooks.visualization
        visualization.enable = True
        visualization.out_dir = args.show_dir
    if args.out:
        cfg.test_evaluator = cfg.test_evaluator if isinstance(cfg.test_evaluator, list) else [
            cfg.test_evaluator]
        cfg.test_evaluator.append(dict(type='DumpResults', out_file_path=args.out))
    return cfg


def main() -> None:
    args = parse_args()
    cfg = merge_args(load_config(args.config, args.cfg_options), args)
    adapt_distributed_to_cpu(cfg, args.launcher)
    runner = Runner.from_cfg(cfg)
    runner.test()


if __name__ == '__main__':
    main()
