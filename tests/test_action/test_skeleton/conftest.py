"""Fixtures of the skeleton tests."""
from pathlib import Path

import pytest

from skeleton_helpers import train_seed_lstm


@pytest.fixture(scope='session')
def seed_lstm_checkpoint(tmp_path_factory, learning_seed, train_options) -> Path:
    """The seed LSTM (MediaPipe-33, 30-frame windows) trained on the synthetic seed-format data
    (once per session; ``POSEZOO_TEST_SEED``, deterministic)."""
    return train_seed_lstm(tmp_path_factory.mktemp('seed_lstm'), train_options, learning_seed)
