"""Checkpoints written by MMEngine load with torch.load(weights_only=True); unsafe ones do not."""
import io
import os
import pickle

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer, MessageHub

import posezoo  # noqa: F401  (registers the safe globals)
from posezoo.utils.checkpoint import _history_buffer_getattr


def _roundtrip(obj):
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    buffer.seek(0)
    return torch.load(buffer)  # torch >= 2.6: weights_only=True by default


def test_message_hub_and_numpy_roundtrip():
    hub = MessageHub.get_instance('posezoo-test-ckpt')
    for value in (1.0, 2.0, 6.0):
        hub.update_scalar('train/loss', value)
    hub.update_info('dataset_meta', dict(sigmas=np.array([0.1, 0.2], dtype=np.float32), n=np.int64(3)))
    loaded = _roundtrip(dict(message_hub=hub.state_dict(), meta=dict(seed=np.int64(7))))
    buffer = loaded['message_hub']['log_scalars']['train/loss']
    assert buffer.mean() == pytest.approx(3.0)
    assert buffer.current() == 6.0
    np.testing.assert_array_equal(loaded['message_hub']['runtime_info']['dataset_meta']['sigmas'],
                                  np.array([0.1, 0.2], dtype=np.float32))
    assert loaded['meta']['seed'] == 7


@pytest.mark.slow  # uses the trained_pose training run
def test_runner_checkpoint_loads_with_weights_only(trained_pose):
    ckpt = torch.load(trained_pose / 'epoch_1.pth', map_location='cpu', weights_only=True)
    assert {'meta', 'state_dict', 'optimizer', 'message_hub', 'param_schedulers'} <= set(ckpt)
    assert ckpt['meta']['epoch'] == 1


class _Evil:
    def __reduce__(self):
        return (os.system, ('echo pwned',))


def test_unsafe_pickle_is_still_refused():
    with pytest.raises(pickle.UnpicklingError):
        _roundtrip(dict(payload=_Evil()))


def test_restricted_getattr_serves_only_history_buffer_statistics():
    assert _history_buffer_getattr(HistoryBuffer, 'mean') is HistoryBuffer.mean
    with pytest.raises(pickle.UnpicklingError):
        _history_buffer_getattr(HistoryBuffer, '__init__')
    with pytest.raises(pickle.UnpicklingError):
        _history_buffer_getattr(os, 'system')


@pytest.mark.slow  # uses the trained_pose training run
def test_history_buffer_loads_in_a_fresh_process(trained_pose):
    """The statistics methods are served before any HistoryBuffer exists in the process."""
    import subprocess
    import sys
    code = ('import torch, posezoo; '
            f"c = torch.load(r'{trained_pose / 'epoch_1.pth'}', map_location='cpu'); "
            "print(sorted(c['message_hub']['log_scalars']))")
    proc = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert 'train/loss' in proc.stdout
