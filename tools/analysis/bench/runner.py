"""Measure one config: every figure of a benchmark row, for each requested precision.

:func:`benchmark_config` is what ``tools/analysis/benchmark.py`` runs for each config, in one
process. Every stage is guarded: a failing stage (e.g. FLOPs tracing, ONNX export) leaves its
columns empty and its message in the row's ``error`` field; the other figures are still measured.
"""
import os.path as osp
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence

import torch
from torch.utils.benchmark import Measurement

from posezoo.apis import config_input_shape, config_task, init_model
from posezoo.apis.task import POSE
from posezoo.deployment import InferenceNetwork
from posezoo.utils.setup_env import resolve_config

from .measure import autocast_context, count_flops, count_params, peak_memory_mib, percentile, time_callable
from .models import config_name, random_input
from .pose_e2e import pose_end_to_end
from .report import Row


@dataclass
class BenchSettings:
    """What to measure and how often.

    Attributes:
        device: ``cpu`` or ``cuda[:i]``.
        precisions: among ``fp32``, ``fp16`` (CUDA only), ``bf16``; autocast for non-fp32.
        batch: the second batch size N (besides 1).
        warmup: untimed calls before each timed series (at batch 1 and N the first of them
            also measures the peak memory).
        repeats: timed calls at batch 1 and of ONNX Runtime (median and spread reported).
        repeats_n: timed calls at batch N.
        repeats_e2e: timed end-to-end runs.
        image: a real image for the end-to-end pose timing and the ONNX check (None: skip e2e).
        flops: count FLOPs.
        e2e: time image-to-keypoints for bottom-up pose models.
        onnx: export pose networks to ONNX and time ONNX Runtime (fp32 rows only).
        onnx_dir: where the ``.onnx`` files go.
        onnx_tasks: tasks whose networks are exported (default: pose only).
    """
    device: str = 'cpu'
    precisions: Sequence[str] = ('fp32', )
    batch: int = 2
    warmup: int = 1
    repeats: int = 3
    repeats_n: int = 2
    repeats_e2e: int = 2
    image: Optional[str] = None
    flops: bool = True
    e2e: bool = True
    onnx: bool = True
    onnx_dir: str = 'work_dirs/benchmark/onnx'
    onnx_tasks: Sequence[str] = field(default_factory=lambda: (POSE, ))


def _guard(row: Row, stage: str, fn: Callable[[], Any]) -> Any:
    """Run ``fn``; on failure note ``stage: error`` in the row and return None."""
    try:
        return fn()
    except Exception as err:  # a failing stage must not stop the benchmark of the others
        message = f'{stage}: {type(err).__name__}: {err}'.splitlines()[0][:300]
        row['error'] = '; '.join(filter(None, [row.get('error'), message]))
        row.setdefault('_traceback', []).append(traceback.format_exc())
        return None


def _ms(seconds: float) -> float:
    return seconds * 1000.0


def _timing_fields(row: Row, prefix: str, stats: Measurement, batch: int) -> None:
    row[f'{prefix}_ms'] = _ms(stats.median)
    row[f'{prefix}_iqr_ms'] = _ms(stats.iqr)
    row[f'{prefix}_p10_ms'] = _ms(percentile(stats, 10))
    row[f'{prefix}_p90_ms'] = _ms(percentile(stats, 90))
    row[f'{prefix}_n'] = len(stats.times)
    fps_key = 'fps_' + prefix.split('_', 1)[1]
    row[fps_key] = batch / stats.median


def benchmark_config(config: str, settings: BenchSettings, name: Optional[str] = None,
                     checkpoint: Optional[str] = None, shape: Optional[Sequence[int]] = None,
                     log: Callable[[str], None] = print) -> List[Row]:
    """Measure one config; one row per precision in ``settings.precisions``.

    Args:
        config: a config path or ``<package>::<path>``.
        settings: see :class:`BenchSettings`.
        name: the row name (default: :func:`config_name`).
        checkpoint: weights to load (default: initial weights).
        shape: the network input shape without batch (default: read from the config).
        log: progress messages.

    Returns:
        list: result rows (see :mod:`bench.report` for the keys).
    """
    path = resolve_config(config)
    name = name or config_name(path)
    device = torch.device(settings.device)
    model = init_model(path, checkpoint=checkpoint, device=settings.device)
    task = config_task(model.cfg)
    shape = tuple(shape) if shape else config_input_shape(model.cfg)
    network = InferenceNetwork(model, task).eval()
    base: Row = dict(name=name, config=config, task=task, device=str(device),
                     threads=torch.get_num_threads(), input='x'.join(map(str, shape)),
                     batch_n=settings.batch, params_m=count_params(network) / 1e6)
    x1 = random_input(shape, 1, device)
    xn = random_input(shape, settings.batch, device)
    if settings.flops:
        log(f'[{name}] FLOPs')
        macs = _guard(base, 'flops', lambda: count_flops(network, (x1, )))
        base['gflops'] = None if macs is None else macs / 1e9

    rows = []
    for precision in settings.precisions:
        row = dict(base, precision=precision)
        for batch, x, prefix, repeats in ((1, x1, 'lat_b1', settings.repeats),
                                          (settings.batch, xn, 'lat_bn', settings.repeats_n)):

            def forward(x=x):
                with torch.no_grad(), autocast_context(device, precision):
                    return network(x)

            log(f'[{name}] {precision} forward batch {batch}')
            # the first call measures the peak memory and is the first warm-up call
            memory = _guard(row, f'memory b{batch}', lambda: peak_memory_mib(forward, device))
            row[f"mem_{prefix.split('_')[1]}_mib"] = None if memory is None else memory[0]
            timed = _guard(row, f'forward b{batch}', lambda: time_callable(
                forward, max(0, settings.warmup - 1), repeats, device))
            if timed is not None:
                _timing_fields(row, prefix, timed[0], batch)

        if (task == POSE and settings.e2e and settings.image
                and model.cfg.model.get('type') == 'BottomupPoseEstimator'):
            log(f'[{name}] {precision} end-to-end on {osp.basename(settings.image)}')
            e2e = _guard(row, 'e2e', lambda: pose_end_to_end(
                model, settings.image, device, precision, settings.warmup, settings.repeats_e2e))
            if e2e is not None:
                for part, key in (('preprocess', 'e2e_pre'), ('forward', 'e2e_fwd'),
                                  ('decode', 'e2e_dec'), ('total', 'e2e')):
                    row[f'{key}_ms'] = _ms(e2e[part].median)
                row['e2e_iqr_ms'] = _ms(e2e['total'].iqr)
                row['e2e_fps'] = 1.0 / e2e['total'].median
                row['e2e_people'] = e2e['people']
                row['e2e_input'] = 'x'.join(map(str, e2e['input_shape'][1:]))

        if settings.onnx and precision == 'fp32' and task in settings.onnx_tasks:
            log(f'[{name}] ONNX export + ONNX Runtime')
            _guard(row, 'onnx', lambda: _onnx_fields(row, network, x1, name, settings))
        rows.append(row)
    return rows


def _onnx_fields(row: Row, network: torch.nn.Module, x1: torch.Tensor, name: str,
                 settings: BenchSettings) -> None:
    """Export, check against PyTorch on ``x1`` and time ONNX Runtime at batch 1."""
    from posezoo.deployment import export_onnx, max_abs_error, ort_session, run_ort
    path = osp.join(settings.onnx_dir, f'{name}.onnx')
    export_onnx(network, x1, path)
    session = ort_session(path, settings.device)
    with torch.no_grad():
        reference = network(x1)
    row['onnx_max_abs'] = max_abs_error(reference, run_ort(session, x1))
    feed = {session.get_inputs()[0].name: x1.detach().cpu().numpy()}
    stats, _ = time_callable(lambda: session.run(None, feed), settings.warmup, settings.repeats)
    row['ort_b1_ms'] = _ms(stats.median)
    row['ort_b1_iqr_ms'] = _ms(stats.iqr)
    row['ort_fps_b1'] = 1.0 / stats.median
    row['onnx_file'] = path


def benchmark_many(configs: Sequence[str], settings: BenchSettings,
                   names: Optional[Dict[str, str]] = None,
                   checkpoints: Optional[Dict[str, str]] = None,
                   shapes: Optional[Dict[str, Sequence[int]]] = None,
                   log: Callable[[str], None] = print) -> List[Row]:
    """:func:`benchmark_config` for each config; one that cannot be built gets an error row."""
    names, checkpoints, shapes = names or {}, checkpoints or {}, shapes or {}
    rows: List[Row] = []
    for config in configs:
        name = names.get(config)
        try:
            rows += benchmark_config(config, settings, name=name,
                                     checkpoint=checkpoints.get(config),
                                     shape=shapes.get(config), log=log)
            if torch.cuda.is_available():  # the model of this config is gone: free its cache
                torch.cuda.empty_cache()
        except Exception as err:  # keep measuring the other configs
            log(f'[{config}] failed: {type(err).__name__}: {err}')
            for precision in settings.precisions:
                rows.append(dict(name=name or config_name(config), config=config,
                                 device=settings.device, precision=precision,
                                 error=f'build: {type(err).__name__}: {err}'.splitlines()[0]))
    return rows
