"""Unit tests of tools/analysis/bench/measure.py on tiny networks with hand-counted costs."""
import pytest
import torch
from torch import nn

from posezoo.deployment import flatten_tensors

from bench.measure import (
    autocast_context,
    count_flops,
    count_params,
    measurement,
    peak_memory_mib,
    percentile,
    time_callable,
    timed_method,
)


class TinyNet(nn.Module):
    """conv 3->8 (3x3, pad 1, bias) -> global average pool -> linear 8->4 (bias)."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(8, 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.pool(self.conv(x)).flatten(1))


def test_params_exact():
    # conv: 3*8*3*3 weights + 8 biases; linear: 8*4 + 4
    assert count_params(TinyNet()) == 3 * 8 * 9 + 8 + 8 * 4 + 4 == 260


def test_params_count_shared_weights_once():
    shared = nn.Linear(5, 5)
    assert count_params(nn.Sequential(shared, shared)) == 30


@pytest.mark.parametrize('batch', [1, 2])
def test_flops_exact(batch):
    """Multiply-accumulates: conv = Cin*Cout*k*k*Hout*Wout per image, pool = one per input
    element, linear = in*out; biases and activations are not counted (fvcore convention)."""
    net = TinyNet().eval()
    flops = count_flops(net, (torch.randn(batch, 3, 16, 16), ))
    expected = batch * (3 * 8 * 9 * 16 * 16 + 8 * 16 * 16 + 8 * 4)
    print(f'TinyNet batch {batch}: {flops} MACs (hand count {expected})')
    assert flops == expected


def test_measurement_statistics_hand_computed():
    """torch.utils.benchmark's statistics of five samples, and our p10 / p90."""
    stats = measurement([5.0, 1.0, 3.0, 2.0, 4.0])
    assert stats.median == 3.0 and stats.mean == 3.0 and len(stats.times) == 5
    assert stats.iqr == pytest.approx(2.0)
    assert percentile(stats, 10) == pytest.approx(1.4)
    assert percentile(stats, 90) == pytest.approx(4.6)
    with pytest.raises(ValueError):
        measurement([])


def test_time_callable_calls_and_result():
    calls = []
    stats, result = time_callable(lambda: calls.append(1) or len(calls), warmup=2, repeats=4)
    assert len(calls) == 6 and result == 6
    assert len(stats.times) == 4 and 0 <= min(stats.times) <= stats.median <= max(stats.times)
    with pytest.raises(ValueError):
        time_callable(lambda: None, repeats=0)


def test_peak_memory_sees_a_temporary_allocation():
    """A 64 MiB tensor that lives only inside the call must show up (it is freed at return)."""

    def allocate() -> float:
        return float(torch.ones(16, 1024, 1024).sum())  # 16 Mi float32 = 64 MiB

    mib, result = peak_memory_mib(allocate)
    print(f'peak memory of a 64 MiB temporary: {mib:.1f} MiB')
    assert result == 16 * 1024 * 1024
    assert 60 <= mib < 200


def test_autocast_contexts():
    layer = nn.Linear(4, 4)
    x = torch.randn(2, 4)
    with autocast_context(torch.device('cpu'), 'fp32'):
        assert layer(x).dtype == torch.float32
    with autocast_context(torch.device('cpu'), 'bf16'):
        assert layer(x).dtype == torch.bfloat16
    with pytest.raises(ValueError, match='CUDA'):
        autocast_context(torch.device('cpu'), 'fp16')
    with pytest.raises(ValueError, match='unknown precision'):
        autocast_context(torch.device('cpu'), 'int8')


def test_flatten_tensors_nested_order():
    a, b, c = torch.zeros(1), torch.ones(1), torch.full((1, ), 2.)
    flat = flatten_tensors([a, (b, dict(x=c, y='not a tensor'))])
    assert len(flat) == 3 and all(f is t for f, t in zip(flat, (a, b, c)))


def test_timed_method_wraps_internal_calls_and_restores():

    class Model(nn.Module):

        def inner(self, x):
            return x + 1

        def outer(self, x):
            return self.inner(self.inner(x))

    model = Model()
    sink = []
    with timed_method(model, 'inner', sink, torch.device('cpu')):
        assert model.outer(1) == 3
    assert len(sink) == 2 and all(t >= 0 for t in sink)
    assert 'inner' not in vars(model)
    model.outer(1)
    assert len(sink) == 2
