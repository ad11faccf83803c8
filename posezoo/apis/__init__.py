"""posezoo's inference API: ``init_model`` and ``inference`` for every task of the zoo."""
from .inference import inference
from .init_model import CheckpointMismatchError, init_model, load_checkpoint_strict
from .task import infer_task

__all__ = ['init_model', 'inference', 'infer_task', 'load_checkpoint_strict', 'CheckpointMismatchError']
