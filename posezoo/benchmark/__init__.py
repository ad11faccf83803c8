"""Cost measurements of zoo models: parameters, FLOPs, latency, memory, end-to-end pose timing.

``tools/analysis/benchmark.py`` is the command-line front end; see ``docs/benchmark.md``.
"""
from .measure import (TimingStats, autocast_context, count_flops, count_params, peak_memory_mib,
                      time_callable)
from .models import InferenceNetwork, config_name, input_shape, load_model
from .report import COLUMNS, Claim, add_ratios, claim_rows, write_csv, write_json
from .runner import BenchSettings, benchmark_config, benchmark_many, resolve_config

__all__ = [
    'TimingStats', 'autocast_context', 'count_flops', 'count_params', 'peak_memory_mib',
    'time_callable', 'InferenceNetwork', 'config_name', 'input_shape', 'load_model', 'COLUMNS',
    'Claim', 'add_ratios', 'claim_rows', 'write_csv', 'write_json', 'BenchSettings',
    'benchmark_config', 'benchmark_many', 'resolve_config'
]
