"""BK-Pose test fixtures: ``classroom`` (tools/analysis/classroom_scenes.py as a module), and one
intra-op thread for every test: on a shared 2-core machine, two threads spend most of their time
waiting for each other (measured: a training step 30x slower under load)."""
import importlib.util
from pathlib import Path

import pytest
import torch


@pytest.fixture(scope='module')
def classroom(repo_root: Path):
    """tools/analysis/classroom_scenes.py as a module."""
    spec = importlib.util.spec_from_file_location(
        'classroom_scenes', repo_root / 'tools' / 'analysis' / 'classroom_scenes.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def single_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
