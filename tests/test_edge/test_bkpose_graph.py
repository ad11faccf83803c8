"""posezoo.deployment.bkpose_graph: the ONNX Runtime-friendly spatial-attention gates compute
what the paper's gates do, and their graph has no channel reductions."""
import numpy as np
import onnx
import torch
from torch import nn

from posezoo.deployment import export_onnx, ort_session, run_ort
from posezoo.deployment.bkpose_graph import ExportSpatialAttention, channel_max_tree, onnx_friendly
from posezoo.pose.bkpose.bkpose_net import SpatialAttention


def test_channel_max_tree_is_exact():
    """Elementwise maxima of halves == amax over the channels, bit for bit, odd counts too."""
    torch.manual_seed(0)
    for channels in (1, 2, 7, 64, 96, 160):
        x = torch.randn(2, channels, 5, 6)
        assert torch.equal(channel_max_tree(x), x.amax(1, keepdim=True)), channels


def test_onnx_friendly_gates_equal_and_export_without_reductions(tmp_path):
    """A network with two gates (96 and 35 channels): the swapped copy gives the original's
    output within float32 rounding (the mean's sum order), shares its weights, leaves the
    original untouched, and exports without ReduceMean / ReduceMax; ONNX Runtime agrees."""
    torch.manual_seed(0)
    network = nn.Sequential(nn.Conv2d(3, 96, 3, padding=1), SpatialAttention(),
                            nn.Conv2d(96, 35, 1), SpatialAttention()).eval()
    friendly = onnx_friendly(network)
    assert [type(m) for m in friendly][1::2] == [ExportSpatialAttention] * 2
    assert [type(m) for m in network][1::2] == [SpatialAttention] * 2
    assert friendly[1].conv.weight is network[1].conv.weight
    x = torch.rand(1, 3, 40, 56)
    with torch.no_grad():
        expected = network(x)
        np.testing.assert_allclose(friendly(x).numpy(), expected.numpy(), rtol=0, atol=1e-6)
    path = tmp_path / 'gates.onnx'
    export_onnx(friendly, x, str(path))
    ops = {node.op_type for node in onnx.load(str(path)).graph.node}
    assert not ops & {'ReduceMean', 'ReduceMax'}, ops
    out = run_ort(ort_session(str(path)), x)[0]
    np.testing.assert_allclose(out, expected.numpy(), rtol=0, atol=1e-5)
