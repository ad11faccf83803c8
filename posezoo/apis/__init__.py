"""posezoo's inference API: ``init_model``, ``inference`` and ``preprocess`` for every task."""
from .inference import inference
from .init_model import CheckpointMismatchError, init_model, load_checkpoint_strict
from .preprocess import preprocess
from .task import config_input_shape, config_task

__all__ = [
    'init_model', 'inference', 'preprocess', 'config_task', 'config_input_shape',
    'load_checkpoint_strict', 'CheckpointMismatchError'
]
