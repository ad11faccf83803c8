"""The post-network path's intra-op thread limit (``posezoo.pose.higherhrnet.threads``)."""
import torch

from posezoo.pose.higherhrnet.threads import cpu_threads


def test_cpu_threads_limits_and_restores() -> None:
    previous = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        with cpu_threads(1):
            assert torch.get_num_threads() == 1
        assert torch.get_num_threads() == 2
        try:
            with cpu_threads(1):
                raise ValueError('inside')
        except ValueError:
            pass
        assert torch.get_num_threads() == 2  # restored after an exception too
        with cpu_threads(4):  # never raises the count
            assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(previous)
