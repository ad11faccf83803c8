"""Conversion of released HigherHRNet checkpoints and configs to posezoo.

Two layouts exist in the wild:

- ``official``: the HigherHRNet repository (``conv1.weight``, ``stage4.*``, ``final_layers.N``,
  ``deconv_layers.*``; sometimes with a ``module.`` DataParallel prefix);
- ``mmpose0x``: MMPose 0.x (``backbone.*``, ``keypoint_head.final_layers.N``,
  ``keypoint_head.deconv_layers.*``), usually under ``state_dict``.

posezoo's model is ``BottomupPoseEstimator(backbone=HRNet | SEHRNet, head=HigherHRNetHead)``,
whose keys are ``backbone.*`` and ``head.*`` with the same module names below the prefix.
"""
from collections import OrderedDict
from typing import Dict, List, Tuple

from torch import Tensor

#: Top-level module names of the HRNet backbone in the official layout.
OFFICIAL_BACKBONE_PREFIXES = ('conv1.', 'bn1.', 'conv2.', 'bn2.', 'layer1.', 'transition',
                              'stage')
#: Top-level module names of the HigherHRNet head in the official layout.
HEAD_PREFIXES = ('final_layers.', 'deconv_layers.')


class CheckpointLayoutError(ValueError):
    """The checkpoint is not a HigherHRNet checkpoint in a known layout."""


def _unwrap(checkpoint: object, source: str) -> Dict[str, Tensor]:
    """Return the state dict of a loaded checkpoint (plain, ``state_dict`` or ``model``)."""
    if not isinstance(checkpoint, dict):
        raise CheckpointLayoutError(
            f'{source}: expected a state dict, got {type(checkpoint).__name__}')
    for key in ('state_dict', 'model'):
        if key in checkpoint and isinstance(checkpoint[key], dict):
            checkpoint = checkpoint[key]
            break
    state_dict = {k: v for k, v in checkpoint.items() if isinstance(v, Tensor)}
    if not state_dict:
        raise CheckpointLayoutError(f'{source}: no tensors found in the checkpoint')
    if all(k.startswith('module.') for k in state_dict):
        state_dict = {k[len('module.'):]: v for k, v in state_dict.items()}
    return state_dict


def detect_layout(state_dict: Dict[str, Tensor], source: str = 'checkpoint') -> str:
    """Return ``'official'``, ``'mmpose0x'`` or ``'posezoo'``; raise if none matches."""
    if 'final_layers.0.weight' in state_dict and 'conv1.weight' in state_dict:
        return 'official'
    if ('keypoint_head.final_layers.0.weight' in state_dict
            and 'backbone.conv1.weight' in state_dict):
        return 'mmpose0x'
    if 'head.final_layers.0.weight' in state_dict and 'backbone.conv1.weight' in state_dict:
        return 'posezoo'
    sample = ', '.join(sorted(state_dict)[:5])
    raise CheckpointLayoutError(
        f'{source}: not a HigherHRNet checkpoint in the official or MMPose 0.x layout '
        f'(no final_layers.0.weight + conv1.weight, with or without the backbone./'
        f'keypoint_head. prefixes); first keys: {sample}')


def _check_head(state_dict: Dict[str, Tensor], source: str) -> None:
    """Check the head shapes are those of HigherHRNet (K heatmaps + tags, then K heatmaps)."""
    if 'head.final_layers.1.weight' not in state_dict:
        raise CheckpointLayoutError(
            f'{source}: head.final_layers.1.weight missing; a HigherHRNet head has at least '
            'one deconvolution stage (this looks like a single-resolution AE model)')
    num_out0 = state_dict['head.final_layers.0.weight'].shape[0]
    num_keypoints = state_dict['head.final_layers.1.weight'].shape[0]
    if num_out0 not in (num_keypoints, 2 * num_keypoints, num_keypoints + 1):
        raise CheckpointLayoutError(
            f'{source}: final_layers.0 predicts {num_out0} maps, final_layers.1 '
            f'{num_keypoints}; expected K heatmaps plus K or 1 tag maps at 1/4')


def convert_state_dict(checkpoint: object, source: str = 'checkpoint'
                       ) -> Tuple['OrderedDict[str, Tensor]', str, List[str]]:
    """Convert a HigherHRNet checkpoint (official or MMPose 0.x layout) to posezoo's keys.

    Args:
        checkpoint: the loaded checkpoint (a state dict or a dict holding one under
            ``state_dict`` / ``model``).
        source (str): name used in error messages (e.g. the file path).

    Returns:
        tuple: the converted state dict, the detected layout and the list of keys that could not
        be mapped (left out of the result).

    Raises:
        CheckpointLayoutError: if the layout is unknown or the head is not a HigherHRNet head.
    """
    state_dict = _unwrap(checkpoint, source)
    layout = detect_layout(state_dict, source)
    converted: 'OrderedDict[str, Tensor]' = OrderedDict()
    unmapped: List[str] = []
    for key, value in state_dict.items():
        if layout == 'official':
            if key.startswith(HEAD_PREFIXES):
                new_key = 'head.' + key
            elif key.startswith(OFFICIAL_BACKBONE_PREFIXES):
                new_key = 'backbone.' + key
            else:
                new_key = None
        elif layout == 'mmpose0x':
            if key.startswith('keypoint_head.') and key[len('keypoint_head.'):].startswith(
                    HEAD_PREFIXES):
                new_key = 'head.' + key[len('keypoint_head.'):]
            elif key.startswith('backbone.'):
                new_key = key
            else:
                new_key = None
        else:
            new_key = key if key.startswith(('backbone.', 'head.')) else None
        if new_key is None:
            unmapped.append(key)
        else:
            converted[new_key] = value
    _check_head(converted, source)
    return converted, layout, unmapped


def _stage_cfg(stage: dict) -> dict:
    """Official yacs ``STAGEn`` dict -> MMPose HRNet ``stageN`` dict."""
    return dict(
        num_modules=stage['NUM_MODULES'],
        num_branches=stage['NUM_BRANCHES'],
        block=stage['BLOCK'],
        num_blocks=tuple(stage['NUM_BLOCKS']),
        num_channels=tuple(stage['NUM_CHANNELS']))


def model_cfg_from_official(config: dict) -> dict:
    """Build posezoo's model config from an official HigherHRNet config (yacs, as a dict).

    Reads ``MODEL.NUM_JOINTS``, ``MODEL.TAG_PER_JOINT``, ``MODEL.EXTRA`` (``STAGE2..4``,
    ``DECONV``, ``FINAL_CONV_KERNEL``, ``STEM_INPLANES`` which must be 64) and
    ``LOSS.WITH_AE_LOSS`` (which outputs predict tags).

    Returns:
        dict: a ``BottomupPoseEstimator`` config with MMPose's ``HRNet`` backbone and a
        :class:`HigherHRNetHead` (no decoder; add one for inference).
    """
    model, extra = config['MODEL'], config['MODEL']['EXTRA']
    if extra.get('STEM_INPLANES', 64) != 64:
        raise ValueError(f"STEM_INPLANES={extra['STEM_INPLANES']}: MMPose's HRNet stem has 64")
    deconv = extra['DECONV']
    num_deconvs = deconv['NUM_DECONVS']
    backbone_extra = dict(
        stage1=dict(num_modules=1, num_branches=1, block='BOTTLENECK', num_blocks=(4, ),
                    num_channels=(64, )),
        stage2=_stage_cfg(extra['STAGE2']),
        stage3=_stage_cfg(extra['STAGE3']),
        stage4=dict(_stage_cfg(extra['STAGE4']), multiscale_output=False))
    return dict(
        type='BottomupPoseEstimator',
        backbone=dict(type='HRNet', in_channels=3, extra=backbone_extra),
        head=dict(
            type='HigherHRNetHead',
            in_channels=extra['STAGE4']['NUM_CHANNELS'][0],
            num_keypoints=model['NUM_JOINTS'],
            tag_per_keypoint=model['TAG_PER_JOINT'],
            deconv_out_channels=tuple(deconv['NUM_CHANNELS'][:num_deconvs]),
            deconv_kernel_sizes=tuple(deconv['KERNEL_SIZE'][:num_deconvs]),
            num_basic_blocks=deconv['NUM_BASIC_BLOCKS'],
            cat_output=tuple(deconv['CAT_OUTPUT'][:num_deconvs]),
            with_tags=tuple(config['LOSS']['WITH_AE_LOSS'][:num_deconvs + 1]),
            final_conv_kernel=extra['FINAL_CONV_KERNEL']))
