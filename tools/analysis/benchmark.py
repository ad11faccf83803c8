"""Benchmark zoo models and their MMPose peers side by side, in one process.

For every config: parameters, FLOPs at the config's input size, forward latency (median and
spread) at batch 1 and batch N, throughput, peak memory, for bottom-up pose models the
image-to-keypoints time split into preprocess / forward / decode, and ONNX Runtime latency beside
PyTorch's; every figure also as a ratio to a baseline (default HigherHRNet-W32 512), plus the
papers' cost claims as ratios between model pairs. See ``docs/benchmark.md``.

    python tools/analysis/benchmark.py                      # zoo pose models + peers + KD pair, CPU
    python tools/analysis/benchmark.py --device cuda        # CUDA, fp32 + fp16 + bf16 autocast
    python tools/analysis/benchmark.py CONFIG [CONFIG ...] --baseline NAME --batch 4 --repeats 10
    python tools/analysis/benchmark.py --action --classification --skeleton   # the other tasks too

Writes ``benchmark.json`` (everything, with spreads and errors), ``benchmark.csv`` (one line per
model and precision), ``claims.csv`` and ``benchmark.md`` (the printed tables) to ``--out-dir``.
"""
import argparse
import glob
import os
import os.path as osp
import platform
import sys
import time
import warnings
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from mmengine.config import Config
from mmengine.utils import get_installed_path, is_installed

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))  # the bench helpers beside this file
warnings.filterwarnings('ignore', message='pkg_resources is deprecated')

from posezoo.apis import config_input_shape  # noqa: E402
from posezoo.apis.task import IMAGE_CLASSIFICATION, SKELETON_ACTION, VIDEO_ACTION, entry_task, metafile_entries  # noqa: E402
from posezoo.utils.paths import CONFIGS, coco_mini_image, sample_image  # noqa: E402
from posezoo.utils.setup_env import resolve_config  # noqa: E402

from bench.measure import machine_load  # noqa: E402
from bench.models import architecture_key, config_name  # noqa: E402
from bench.report import (  # noqa: E402
    add_ratios,
    claim_rows,
    claims_table,
    load_claims,
    ratio_table,
    results_table,
    write_csv,
    write_json,
)
from bench.runner import BenchSettings, benchmark_many  # noqa: E402

#: MMPose's own bottom-up models that a user would pick instead of the zoo's.
PEERS = (
    'mmpose::body_2d_keypoint/associative_embedding/coco/ae_hrnet-w32_8xb24-300e_coco-512x512.py',
    'mmpose::body_2d_keypoint/dekr/coco/dekr_hrnet-w32_8xb10-140e_coco-512x512.py',
    'mmpose::body_2d_keypoint/rtmo/coco/rtmo-s_8xb32-600e_coco-640x640.py',
)
BASELINE_PATTERNS = ('body_2d_keypoint/higherhrnet/coco/higherhrnet_hrnet-w32_*512*.py',
                     'mmpose::body_2d_keypoint/associative_embedding/coco/ae_hrnet-w32_*512*.py')
#: The CPU-sized KD pair (same student as the full-size ones, tiny input): always measured.
KD_PAIR_GLOB = 'recognition/darkvideo_kd/darkclips/*r2plus1d-tiny-bert*.py'
#: The papers' cost claims, as data beside the metafiles.
CLAIM_FILES = sorted(glob.glob(str(CONFIGS / '**' / 'claims.yml'), recursive=True))
DEFAULT_IMAGES = (
    str(coco_mini_image('000000350679.jpg')),  # COCO val2017, 9 people
    str(sample_image('000000000802.jpg')),  # the bundled sample (installed with posezoo)
)


def _glob(pattern: str) -> List[str]:
    return sorted(p for p in glob.glob(str(CONFIGS / pattern), recursive=True)
                  if '_base_' not in p.split(os.sep))


def _resolve_pattern(pattern: str) -> List[str]:
    """Configs of a repo-relative glob, or ``<package>::<glob>`` inside an installed package."""
    if '::' not in pattern:
        return _glob(pattern)
    package, rel = pattern.split('::', 1)
    if not is_installed(package):
        return []
    configs_root = osp.join(get_installed_path(package), '.mim', 'configs')
    return [f'{package}::{osp.relpath(p, configs_root)}'
            for p in sorted(glob.glob(osp.join(configs_root, rel)))]


def _task_configs(task: str) -> List[str]:
    """The configs of posezoo's metafile entries of ``task``."""
    return sorted(e['Config'] for e in metafile_entries().values() if entry_task(e) == task)


def default_configs(action: bool, classification: bool, skeleton: bool) -> List[str]:
    """Every zoo pose config, the MMPose peers, the KD pair, and the optional other tasks."""
    configs = _glob('body_2d_keypoint/**/*.py') + list(PEERS) + _glob(KD_PAIR_GLOB)
    for wanted, task in ((action, VIDEO_ACTION), (classification, IMAGE_CLASSIFICATION),
                         (skeleton, SKELETON_ACTION)):
        if wanted:
            configs += [p for p in _task_configs(task) if p not in configs]
    return configs


def deduplicate(configs: Sequence[str], keep: Sequence[str] = ()
                ) -> Tuple[List[str], Dict[str, List[str]]]:
    """Measure configs with identical inference networks and test settings once.

    Returns:
        tuple: the configs to measure (the one in ``keep``, else the shortest file name of each
        group) and, for each, the names of the configs it stands for.
    """
    groups: Dict[str, List[str]] = {}
    for config in configs:
        try:
            cfg = Config.fromfile(resolve_config(config))
            key = architecture_key(cfg, config_input_shape(cfg))
        except Exception:  # measured (and reported) individually
            key = config
        groups.setdefault(key, []).append(config)
    kept, aliases = [], {}
    for members in groups.values():
        chosen = next((m for m in members if m in keep),
                      min(members, key=lambda m: len(osp.basename(m))))
        kept.append(chosen)
        aliases[chosen] = [osp.splitext(osp.basename(m))[0] for m in members]
    order = {c: i for i, c in enumerate(configs)}
    return sorted(kept, key=order.get), aliases


def find_baseline(requested: Optional[str], names: Dict[str, str]) -> Tuple[Optional[str],
                                                                             Optional[str]]:
    """(baseline config, its row name): ``requested`` (a name or config) or the default."""
    if requested:
        for config, name in names.items():
            if requested in (name, config, osp.basename(config)):
                return config, name
        raise SystemExit(f'--baseline {requested}: not among the benchmarked models '
                         f'({", ".join(names.values())})')
    by_path = {(c if '::' in c else osp.abspath(c)): c for c in names}
    for pattern in BASELINE_PATTERNS:
        for config in _resolve_pattern(pattern):
            if config in by_path:
                return by_path[config], names[by_path[config]]
    return None, None


def parse_pairs(items: Sequence[str], what: str) -> Dict[str, str]:
    out = {}
    for item in items or []:
        if '=' not in item:
            raise SystemExit(f'{what} expects NAME=VALUE, got {item!r}')
        key, value = item.split('=', 1)
        out[key] = value
    return out


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Benchmark zoo models and MMPose peers (params, FLOPs, latency, '
        'throughput, memory, end-to-end pose time, ONNX Runtime), with ratios to a baseline')
    parser.add_argument('configs', nargs='*',
                        help='configs: paths, <package>::<path> or model names (default: every zoo pose '
                        'config, the three MMPose peers and the CPU-sized KD pair)')
    parser.add_argument('--action', action='store_true',
                        help='add the full-size dark-video recognizers (heavy on CPU)')
    parser.add_argument('--classification', action='store_true',
                        help='add the image classifiers')
    parser.add_argument('--skeleton', action='store_true', help='add the skeleton classifiers')
    parser.add_argument('--baseline', help='row name or config of the ratio baseline '
                        '(default: HigherHRNet-W32 512, else AE-HRNet-W32)')
    parser.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--precisions', nargs='+', choices=['fp32', 'fp16', 'bf16'],
                        help='autocast precisions (default: fp32 on CPU; fp32 fp16 bf16 on CUDA)')
    parser.add_argument('--batch', type=int, default=2, help='the second batch size N')
    parser.add_argument('--warmup', type=int, default=1, help='untimed calls per series')
    parser.add_argument('--repeats', type=int, default=3,
                        help='timed calls at batch 1 (PyTorch and ONNX Runtime)')
    parser.add_argument('--repeats-n', type=int, default=2, help='timed calls at batch N')
    parser.add_argument('--repeats-e2e', type=int, default=2, help='timed end-to-end runs')
    parser.add_argument('--exclude', nargs='*', default=[],
                        help='skip configs whose path contains one of these strings')
    parser.add_argument('--threads', type=int,
                        help='torch (and ONNX Runtime) CPU threads (default: torch\'s, or 1 '
                        'when the 1-minute load average exceeds the number of cores: threads '
                        'that wait for each other on an oversubscribed machine make many-op '
                        'networks up to 20x slower)')
    parser.add_argument('--image', help='real image for end-to-end pose timing '
                        '(default: COCO val 000000350679, 9 people)')
    parser.add_argument('--no-flops', action='store_true')
    parser.add_argument('--no-e2e', action='store_true')
    parser.add_argument('--no-onnx', action='store_true')
    parser.add_argument('--no-dedup', action='store_true',
                        help='measure configs with identical networks separately')
    parser.add_argument('--checkpoint', nargs='*', metavar='CONFIG=CKPT',
                        help='weights per config (default: initial weights)')
    parser.add_argument('--shape', nargs='*', metavar='CONFIG=C,H,W',
                        help='network input shape without batch, per config')
    parser.add_argument('--out-dir', default=osp.join('work_dirs', 'benchmark'))
    parser.add_argument('--quiet', action='store_true', help='no progress messages')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    load = machine_load()
    if args.threads:
        torch.set_num_threads(args.threads)
    elif load is not None and load[0] > (os.cpu_count() or 1):
        print(f'load average {load[0]:.1f} > {os.cpu_count()} cores: using 1 thread '
              '(set --threads to override)')
        torch.set_num_threads(1)
    if args.device.startswith('cuda') and not torch.cuda.is_available():
        raise SystemExit('--device cuda: no CUDA device is available')
    precisions = args.precisions or (['fp32', 'fp16', 'bf16']
                                     if args.device.startswith('cuda') else ['fp32'])
    image = args.image or next((p for p in DEFAULT_IMAGES if osp.isfile(p)), None)
    configs = list(args.configs) or default_configs(args.action, args.classification,
                                                    args.skeleton)
    configs = [c for c in configs if not any(e in c for e in args.exclude)]
    aliases: Dict[str, List[str]] = {c: [] for c in configs}
    if not args.no_dedup:
        official = _resolve_pattern(BASELINE_PATTERNS[0])[-1:]  # the 300-epoch recipe
        configs, aliases = deduplicate(
            configs, keep=[c for c in configs if osp.abspath(c) in official])
    names = {c: config_name(c) for c in configs}
    baseline_config, baseline = find_baseline(args.baseline, names)
    settings = BenchSettings(
        device=args.device, precisions=precisions, batch=args.batch, warmup=args.warmup,
        repeats=args.repeats, repeats_n=args.repeats_n, repeats_e2e=args.repeats_e2e,
        image=image, flops=not args.no_flops, e2e=not args.no_e2e,
        onnx=not args.no_onnx, onnx_dir=osp.join(args.out_dir, 'onnx'))
    log = (lambda msg: None) if args.quiet else (lambda msg: print(msg, flush=True))
    shapes = {k: tuple(int(v) for v in s.split(','))
              for k, s in parse_pairs(args.shape, '--shape').items()}
    start = time.time()
    load_before = load
    rows = benchmark_many(configs, settings, names=names,
                          checkpoints=parse_pairs(args.checkpoint, '--checkpoint'),
                          shapes=shapes, log=log)
    for row in rows:
        row['aliases'] = ' '.join(aliases.get(row['config'], []))
    rows = add_ratios(rows, baseline) if baseline else rows
    claims = claim_rows(rows, load_claims(CLAIM_FILES))
    meta = dict(
        baseline=baseline, baseline_config=baseline_config, device=args.device,
        precisions=precisions, batch_n=args.batch, warmup=args.warmup, repeats=args.repeats,
        repeats_n=args.repeats_n, repeats_e2e=args.repeats_e2e,
        threads=torch.get_num_threads(), image=image, torch=torch.__version__,
        python=platform.python_version(), cpu=platform.processor() or platform.machine(),
        cpu_count=os.cpu_count(),
        cuda=torch.cuda.get_device_name(0) if args.device.startswith('cuda') else None,
        load_before=load_before, load_after=machine_load(), seconds=time.time() - start,
        date=time.strftime('%Y-%m-%d %H:%M:%S %Z'))
    tables = '\n\n'.join([
        f'## Results (ratios to {baseline} in parentheses)', results_table(rows),
        '## Claims (ratio numerator / denominator, same run)', claims_table(claims),
        f'## Every figure / {baseline}', ratio_table(rows)])
    errors = [f"- {r['name']} ({r['precision']}): {r['error']}" for r in rows if r.get('error')]
    if errors:
        tables += '\n\n## Errors\n' + '\n'.join(errors)
    footer = (f"\n\n{len(rows)} rows in {meta['seconds']:.0f} s; {meta['threads']} threads; "
              f"load average before {load_before}, after {meta['load_after']}")
    print('\n' + tables + footer)
    os.makedirs(args.out_dir, exist_ok=True)
    write_json(osp.join(args.out_dir, 'benchmark.json'), rows, claims, meta)
    write_csv(osp.join(args.out_dir, 'benchmark.csv'), rows)
    write_csv(osp.join(args.out_dir, 'claims.csv'), claims)
    with open(osp.join(args.out_dir, 'benchmark.md'), 'w') as f:
        f.write(tables + footer + '\n')
    print(f'\nsaved to {args.out_dir}/ (benchmark.json, benchmark.csv, claims.csv, benchmark.md)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
