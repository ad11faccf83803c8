"""Intra-op threads of the small tensor operations after the network."""
from contextlib import contextmanager
from typing import Iterator

import torch


@contextmanager
def cpu_threads(count: int = 1) -> Iterator[None]:
    """Run the block with at most ``count`` torch intra-op CPU threads, then restore the number.

    The post-network path is a chain of small operations: on a machine whose cores are busy,
    each multi-threaded one waits for its threads to be scheduled, which costs more than the
    parallelism saves.
    """
    previous = torch.get_num_threads()
    if previous <= count:
        yield
        return
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
