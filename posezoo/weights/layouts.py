"""Published checkpoint layouts: detected from the keys and converted in memory to posezoo's keys.

============  ==================================================  ==================================
layout        first keys                                          converted to
============  ==================================================  ==================================
higherhrnet   ``conv1.weight``, ``final_layers.0.weight``         ``backbone.*`` / ``head.*``
(official)
mmpose0x      ``backbone.conv1.weight``,                          ``backbone.*`` / ``head.*``
              ``keypoint_head.final_layers.0.weight``
torchvision   ``stem.0.weight``, ``layer1.0.conv1.0.0.weight``    ``backbone.*`` (``fc.*`` dropped)
video         (IG65M R(2+1)D port, torchvision ``VideoResNet``)
zerodce       ``e_conv1.weight`` ... ``e_conv7.weight``           unchanged (``ZeroDCE`` keeps the
(official)                                                        official names)
torchvision   ``conv_proj.weight``, ``encoder.layers.*``          unchanged (named only)
vit
============  ==================================================  ==================================

A checkpoint in none of these layouts (posezoo's own, MMEngine's) is returned unchanged, so a
strict load still reports what differs.
"""
from collections import OrderedDict
from typing import Dict, Optional, Tuple

from torch import Tensor

VIDEO_TOP_LEVEL = ('stem', 'layer1', 'layer2', 'layer3', 'layer4')


def _tensors(checkpoint: dict) -> Dict[str, Tensor]:
    """The state dict inside a checkpoint (plain, ``state_dict`` or ``model``; no ``module.``)."""
    for key in ('state_dict', 'model'):
        if isinstance(checkpoint.get(key), dict):
            checkpoint = checkpoint[key]
            break
    state = {k: v for k, v in checkpoint.items() if isinstance(v, Tensor)}
    if state and all(k.startswith('module.') for k in state):
        state = {k[len('module.'):]: v for k, v in state.items()}
    return state


def detect_layout(checkpoint: object) -> Optional[str]:
    """Name of the published layout of ``checkpoint``, or ``None`` (posezoo / unknown)."""
    if not isinstance(checkpoint, dict):
        return None
    keys = _tensors(checkpoint)
    if 'final_layers.0.weight' in keys and 'conv1.weight' in keys:
        return 'higherhrnet-official'
    if 'keypoint_head.final_layers.0.weight' in keys and 'backbone.conv1.weight' in keys:
        return 'higherhrnet-mmpose0x'
    if 'stem.0.weight' in keys and any(k.startswith('layer1.') for k in keys):
        return 'torchvision-video'
    if 'e_conv1.weight' in keys and 'e_conv7.weight' in keys:
        return 'zerodce-official'
    if 'conv_proj.weight' in keys and any(k.startswith('encoder.layers.') for k in keys):
        return 'torchvision-vit'
    return None


def _convert_video(state: Dict[str, Tensor], source: str) -> 'OrderedDict[str, Tensor]':
    out: 'OrderedDict[str, Tensor]' = OrderedDict()
    for key, value in state.items():
        top = key.split('.', 1)[0]
        if top == 'fc':
            continue
        if top not in VIDEO_TOP_LEVEL:
            raise KeyError(f'{source}: key {key!r} is not in the layout of torchvision\'s video '
                           f'models ({", ".join(VIDEO_TOP_LEVEL)}, fc)')
        out['backbone.' + key] = value
    return out


def convert_torchvision_video(checkpoint: dict, source: str = 'checkpoint'
                              ) -> 'OrderedDict[str, Tensor]':
    """``backbone.``-prefixed tensors of a torchvision-layout video ResNet (``fc.*`` dropped).

    Raises:
        KeyError: a key outside ``stem``, ``layer1-4`` and ``fc``, or no tensors at all.
    """
    out = _convert_video(_tensors(checkpoint), source)
    if not out:
        raise KeyError(f'{source}: no backbone tensors found')
    return out


def convert_published(checkpoint: object, source: str = 'checkpoint'
                      ) -> Tuple[object, Optional[str]]:
    """Convert a published checkpoint to posezoo's keys.

    Args:
        checkpoint: what ``torch.load`` returned.
        source (str): file or URL, for messages.

    Returns:
        tuple: ``(checkpoint, layout)``; the checkpoint is ``{'state_dict': ..., 'meta': ...}``
        when converted, the input itself when the layout needs no conversion or is unknown
        (``layout`` is then the detected name or ``None``).
    """
    layout = detect_layout(checkpoint)
    if layout in ('higherhrnet-official', 'higherhrnet-mmpose0x'):
        from posezoo.pose.higherhrnet.checkpoint import convert_state_dict as convert_higherhrnet
        state, _, unmapped = convert_higherhrnet(checkpoint, source)
    elif layout == 'torchvision-video':
        state, unmapped = convert_torchvision_video(checkpoint, source), []
    else:
        return checkpoint, layout
    meta = dict(checkpoint.get('meta', {})) if isinstance(checkpoint.get('meta'), dict) else {}
    meta.update(converted_from=source, source_layout=layout, unmapped_keys=unmapped)
    return dict(state_dict=state, meta=meta), layout
