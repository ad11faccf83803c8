"""Sliding-window action recognition over a whole skeleton recording.

A skeleton classifier is trained on windows of ``clip_len`` consecutive frames (the seed's LSTM:
30). A recording of any length is classified window by window, as in training: windows of
``clip_len`` frames every ``stride`` frames (default half a window; the last window ends on the
last frame), each through the config's test pipeline; the recording's score is the mean of the
window scores. The config may set ``sliding_window = dict(clip_len=30, stride=15)``; without it
``clip_len`` is the test pipeline's ``UniformSampleFrames`` / ``SampleFrames`` ``clip_len``.
"""
from typing import List, Optional, Tuple

import numpy as np
import torch
from mmaction.structures import ActionDataSample
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate
from mmengine.registry import DefaultScope


def window_settings(cfg: Config) -> Tuple[int, int]:
    """``(clip_len, stride)`` of a skeleton config (see the module docstring).

    Raises:
        ValueError: No ``sliding_window`` and no frame sampler with ``clip_len`` in the test
            pipeline, or a non-positive length / stride.
    """
    settings = dict(cfg.get('sliding_window', None) or {})
    clip_len = settings.get('clip_len')
    if clip_len is None:
        pipeline = cfg.get('test_pipeline') or cfg.test_dataloader.dataset.pipeline
        for step in pipeline:
            if step.get('type') in ('UniformSampleFrames', 'SampleFrames') and 'clip_len' in step:
                clip_len = step['clip_len']
                break
    if clip_len is None:
        raise ValueError(f'{cfg.filename}: no sliding_window.clip_len and no frame sampler with '
                         'clip_len in the test pipeline')
    stride = settings.get('stride') or max(clip_len // 2, 1)
    if clip_len < 1 or stride < 1:
        raise ValueError(f'{cfg.filename}: sliding window clip_len={clip_len}, stride={stride}')
    return int(clip_len), int(stride)


def window_starts(num_frames: int, clip_len: int, stride: int) -> List[int]:
    """First frames of the windows: every ``stride`` frames, the last one ending on the last
    frame; one window ``[0]`` when the recording is not longer than a window."""
    if num_frames <= clip_len:
        return [0]
    starts = list(range(0, num_frames - clip_len + 1, stride))
    if starts[-1] != num_frames - clip_len:
        starts.append(num_frames - clip_len)
    return starts


def cut_window(annotation: dict, start: int, clip_len: int) -> dict:
    """The annotation restricted to frames ``start .. start + clip_len - 1``.

    Args:
        annotation (dict): ``PoseDataset`` annotation, ``keypoint`` (M, T, V, C) and optional
            ``keypoint_score`` (M, T, V).
    """
    window = dict(annotation)
    stop = start + clip_len
    window['keypoint'] = annotation['keypoint'][:, start:stop]
    if 'keypoint_score' in annotation:
        window['keypoint_score'] = annotation['keypoint_score'][:, start:stop]
    window['total_frames'] = window['keypoint'].shape[1]
    return window


def sliding_window_inference(model: torch.nn.Module, annotation: dict,
                             clip_len: Optional[int] = None, stride: Optional[int] = None,
                             batch_size: int = 32) -> ActionDataSample:
    """Classify a skeleton recording window by window.

    Args:
        model: A skeleton recognizer with ``model.cfg`` (from ``posezoo.apis.init_model``).
        annotation (dict): ``PoseDataset`` annotation of the whole recording, ``keypoint``
            (M, T, V, C), ``keypoint_score`` (M, T, V), ``total_frames``, ``img_shape``, ...
        clip_len (int, optional): Window length; default from the config.
        stride (int, optional): Window step; default from the config (half a window).
        batch_size (int): Windows per forward pass.

    Returns:
        ActionDataSample: ``pred_score`` (K,) = mean of the window scores and ``pred_label``
        its arg-max, plus ``window_scores`` (W, K), ``window_labels`` (W,) and
        ``window_starts`` (W,) tensors and the metainfo ``window_clip_len``,
        ``window_stride``, ``total_frames``.
    """
    cfg_len, cfg_stride = window_settings(model.cfg)
    clip_len = clip_len or cfg_len
    stride = stride or (cfg_stride if clip_len == cfg_len else max(clip_len // 2, 1))
    annotation = dict(annotation)
    keypoint = np.asarray(annotation['keypoint'], dtype=np.float32)
    if keypoint.ndim != 4:
        raise ValueError(f'{annotation.get("frame_dir", "skeleton input")}: keypoint must have '
                         f'shape (M, T, V, C), got {keypoint.shape}')
    annotation['keypoint'] = keypoint
    annotation.setdefault('start_index', 0)
    annotation.setdefault('modality', 'Pose')
    num_frames = keypoint.shape[1]
    starts = window_starts(num_frames, clip_len, stride)
    pipeline_cfg = model.cfg.get('test_pipeline') or model.cfg.test_dataloader.dataset.pipeline
    with DefaultScope.overwrite_default_scope(model.cfg.get('default_scope', 'mmaction')):
        pipeline = Compose(pipeline_cfg)
        samples = [pipeline(cut_window(annotation, s, clip_len)) for s in starts]
    scores = []
    with torch.no_grad():
        for i in range(0, len(samples), batch_size):
            results = model.test_step(pseudo_collate(samples[i:i + batch_size]))
            scores.extend(r.pred_score.float().cpu() for r in results)
    window_scores = torch.stack(scores)  # (W, K)
    mean = window_scores.mean(0)
    out = ActionDataSample()
    out.set_pred_score(mean)
    out.set_pred_label(mean.argmax().reshape(1))
    out.set_field(window_scores, 'window_scores')
    out.set_field(window_scores.argmax(1), 'window_labels')
    out.set_field(torch.tensor(starts), 'window_starts')
    out.set_metainfo(dict(window_clip_len=clip_len, window_stride=stride,
                          total_frames=num_frames))
    if 'label' in annotation and int(annotation['label']) >= 0:
        out.set_gt_label(int(annotation['label']))
    return out
