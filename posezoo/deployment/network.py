"""The tensor-to-tensor inference network of a model: what is exported to ONNX and measured."""
from typing import Any, Tuple

from torch import Tensor, nn

from posezoo.apis.task import SKELETON_ACTION, VIDEO_ACTION


def flatten_tensors(output: Any) -> Tuple[Tensor, ...]:
    """All tensors of a nested output (tensor / list / tuple / dict), in traversal order."""
    if isinstance(output, Tensor):
        return (output, )
    if isinstance(output, dict):
        return tuple(t for v in output.values() for t in flatten_tensors(v))
    if isinstance(output, (list, tuple)):
        return tuple(t for v in output for t in flatten_tensors(v))
    return ()


class InferenceNetwork(nn.Module):
    """The inference path of an OpenMMLab model as a plain ``Tensor -> tuple of Tensors`` module.

    * pose (mmpose): ``model(x, None, mode='tensor')``: backbone (+ neck) + ``head.forward``,
      i.e. the network up to the heatmaps / raw head outputs; decoding is not included.
    * video / skeleton action (mmaction): ``_forward(x, stage='head')``: backbone + head scores.
      A model with an ``inference_model`` attribute (``KDRecognizer``) is replaced by it.
    * image classification (mmpretrain): ``model(x, None, mode='tensor')``: the head's logits.

    Args:
        model: the model built from the config.
        task: one of :data:`posezoo.apis.task.TASKS`.

    Shapes:
        input: pose / classification (B, C, H, W); video action (B, V, C, T, H, W);
        skeleton action (B, V, M, T, J, C) (views, people, frames, joints, channels).
        output: the flattened tensors of the inference output, in the model's order.
    """

    def __init__(self, model: nn.Module, task: str) -> None:
        super().__init__()
        self.model = getattr(model, 'inference_model', model)
        self.task = task

    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        if self.task in (VIDEO_ACTION, SKELETON_ACTION):
            out = self.model._forward(x, stage='head')
        else:
            out = self.model(x, None, mode='tensor')
        return flatten_tensors(out)
