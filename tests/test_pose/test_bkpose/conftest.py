"""BK-Pose tests run with one intra-op thread: on a shared 2-core machine, two threads spend
most of their time waiting for each other (measured: a training step 30x slower under load)."""
import pytest
import torch


@pytest.fixture(autouse=True)
def single_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
