"""Evaluate a trained posezoo model (or any MMPose / MMAction2 / MMPretrain model).

Same interface as MMPose's ``tools/test.py``:

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out results.pkl] [--cfg-options k=v ...]
    bash tools/dist_test.sh CONFIG CHECKPOINT GPUS [args...]
"""
import argparse
import os.path as osp

from mmengine.runner import Runner

from posezoo.utils.setup_env import adapt_distributed_to_cpu, add_common_args, apply_common_args, load_config


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Evaluate a model with posezoo')
    parser.add_argument('config', help='test config: path, posezoo::<path>, mmpose::<path> or model name')
    parser.add_argument('checkpoint', help='checkpoint file or http(s):// URL (published layouts are '
                        'converted at load; URLs are cached under TORCH_HOME)')
    parser.add_argument('--work-dir', help='the directory to save evaluation results')
    parser.add_argument('--out', help='dump the predictions to this pickle file')
    parser.add_argument('--show-dir', help='save visualisations of the test images here')
    add_common_args(parser)
    return parser.parse_args()


def merge_args(cfg, args: argparse.Namespace):
    """Apply the command-line options to the config, as MMPose's tools/test.py does."""
    if not args.checkpoint.startswith(('http://', 'https://')) and not osp.isfile(args.checkpoint):
        raise FileNotFoundError(f'checkpoint file not found: {args.checkpoint}')
    apply_common_args(cfg, args)
    cfg.load_from = args.checkpoint
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
