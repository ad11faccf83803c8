"""Loading MMEngine checkpoints safely on torch >= 2.6.

Since torch 2.6, ``torch.load`` defaults to ``weights_only=True`` and refuses every global that is not
allow-listed. MMEngine 0.10.7 writes numpy arrays and scalars (dataset meta, log history) and its own
``HistoryBuffer`` into every checkpoint, so ``--resume`` fails out of the box with
``Unsupported global: numpy._core.multiarray._reconstruct``. Instead of turning the safety check off,
posezoo allow-lists exactly the types that MMEngine writes; anything else is still refused.
"""
import pickle
from typing import List

import numpy as np
import torch


def _numpy_globals() -> List[object]:
    """numpy's array reconstruction helpers and every concrete dtype class."""
    import numpy.dtypes
    from numpy.dtypes import __all__ as dtype_names

    multiarray = np._core.multiarray if hasattr(np, '_core') else np.core.multiarray
    found = [multiarray._reconstruct, multiarray.scalar, np.ndarray, np.dtype]
    found += [getattr(numpy.dtypes, name) for name in dtype_names if name.endswith('DType')]
    return found


# Built in; HistoryBuffer adds them to its class registry only when a first instance is made.
_HISTORY_BUFFER_STATISTICS = ('min', 'max', 'mean', 'current')


def _history_buffer_getattr(obj: object, name: str) -> object:
    """``getattr`` restricted to what a pickled ``HistoryBuffer`` needs.

    A ``HistoryBuffer`` pickles its statistics methods (``min``, ``max``, ``mean``, ``current``) as
    ``getattr(HistoryBuffer, name)``. Allow-listing the builtin ``getattr`` would let a checkpoint read
    any attribute of any allowed object, so only these lookups are served.
    """
    from mmengine.logging import HistoryBuffer
    allowed = set(_HISTORY_BUFFER_STATISTICS) | set(HistoryBuffer._statistics_methods)
    if obj is HistoryBuffer and name in allowed:
        return getattr(obj, name)
    raise pickle.UnpicklingError(
        f'checkpoint asks for getattr({obj!r}, {name!r}), which posezoo does not allow')


def _mmengine_globals() -> List[object]:
    from mmengine.logging import HistoryBuffer
    return [HistoryBuffer, bytes, (_history_buffer_getattr, 'builtins.getattr')]


def checkpoint_safe_globals() -> List[object]:
    """The globals that MMEngine checkpoints contain besides tensors and containers."""
    return _numpy_globals() + _mmengine_globals()


def register_checkpoint_safe_globals() -> None:
    """Allow-list MMEngine's checkpoint types for ``torch.load(weights_only=True)``.

    A no-op on torch versions without ``torch.serialization.add_safe_globals``.
    """
    add_safe_globals = getattr(torch.serialization, 'add_safe_globals', None)
    if add_safe_globals is not None:
        add_safe_globals(checkpoint_safe_globals())
