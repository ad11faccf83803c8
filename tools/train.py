"""Train a posezoo model (or any MMPose / MMAction2 / MMPretrain model) from a config.

Same interface as MMPose's ``tools/train.py``:

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp] [--cfg-options k=v ...]
    bash tools/dist_train.sh CONFIG GPUS [args...]        # torchrun, --launcher pytorch
"""
import argparse
import os.path as osp

from mmengine.runner import Runner

from posezoo.utils.setup_env import adapt_distributed_to_cpu, add_common_args, apply_common_args, load_config


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train a model with posezoo')
    parser.add_argument('config', help='train config: path, posezoo::<path>, mmpose::<path> or model name')
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
    add_common_args(parser)
    return parser.parse_args()


def merge_args(cfg, args: argparse.Namespace):
    """Apply the command-line options to the config, as MMPose's tools/train.py does."""
    apply_common_args(cfg, args)

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

    return cfg


def main() -> None:
    args = parse_args()
    cfg = merge_args(load_config(args.config, args.cfg_options), args)
    adapt_distributed_to_cpu(cfg, args.launcher)
    runner = Runner.from_cfg(cfg)
    runner.train()


if __name__ == '__main__':
    main()
