"""End-to-end image-to-keypoints timing of a bottom-up pose model, split into three parts.

One call = what ``mmpose.apis.inference_bottomup`` does for one image file:

* **preprocess**: read and decode the file, the config's test pipeline (resize / pad), collate,
  and the model's data preprocessor (normalisation, to device);
* **forward**: every ``model.extract_feat`` call (twice with flip test) plus every
  ``model.head.forward`` call made inside ``head.predict``, i.e. the network;
* **decode**: the rest of ``model.predict``: aggregation of resolutions / flips, peak finding,
  grouping, rescoring and the mapping back to image coordinates.

The split needs no change in the models: ``extract_feat`` and ``head.forward`` are wrapped with
timers for the duration of the measurement (:func:`bench.measure.timed_method`).
"""
import time
from typing import Any, Dict, List

import torch
from mmengine.dataset import Compose
from torch import nn

from posezoo.apis import preprocess
from posezoo.apis.task import test_pipeline

from .measure import autocast_context, measurement, synchronize, timed_method

PARTS = ('preprocess', 'forward', 'decode', 'total')


def pose_end_to_end(model: nn.Module, image_path: str, device: torch.device,
                    precision: str = 'fp32', warmup: int = 1, repeats: int = 3
                    ) -> Dict[str, Any]:
    """Time ``repeats`` image-to-keypoints runs (after ``warmup``) of a bottom-up pose model.

    Args:
        model: a pose model from :func:`posezoo.apis.init_model` (has ``cfg``,
            ``dataset_meta``, ``extract_feat`` and ``head``).
        image_path: a real image file (e.g. a COCO image with several people).
        device: where the model is.
        precision: ``fp32``, ``fp16`` or ``bf16`` (autocast of preprocessing + network + decoding).
        warmup: untimed runs first.
        repeats: timed runs.

    Returns:
        dict: a ``torch.utils.benchmark`` ``Measurement`` for each of :data:`PARTS` (seconds), ``people`` (instances
        predicted with a score > 0 in the last run) and ``input_shape`` (the network input).
    """
    if not hasattr(model, 'head') or not hasattr(model, 'extract_feat'):
        raise TypeError(f'{type(model).__name__} is not an MMPose pose estimator')
    pipeline = Compose(test_pipeline(model.cfg))
    samples: Dict[str, List[float]] = {part: [] for part in PARTS}
    people = 0
    input_shape = None
    for run in range(warmup + repeats):
        feat_times: List[float] = []
        head_times: List[float] = []
        synchronize(device)
        start = time.perf_counter()
        with torch.no_grad(), autocast_context(device, precision):
            data = preprocess(model, image_path, pipeline)
            synchronize(device)
            preprocessed = time.perf_counter()
            with timed_method(model, 'extract_feat', feat_times, device), \
                    timed_method(model.head, 'forward', head_times, device):
                results = model.predict(data['inputs'], data['data_samples'])
            synchronize(device)
        end = time.perf_counter()
        if run < warmup:
            continue
        forward = sum(feat_times) + sum(head_times)
        samples['preprocess'].append(preprocessed - start)
        samples['forward'].append(forward)
        samples['decode'].append(end - preprocessed - forward)
        samples['total'].append(end - start)
        instances = results[0].pred_instances
        scores = instances.get('bbox_scores', instances.get('keypoint_scores'))
        people = int((torch.as_tensor(scores).reshape(len(instances), -1).amax(-1) > 0).sum()) \
            if len(instances) else 0
        input_shape = tuple(data['inputs'].shape)
    out: Dict[str, Any] = {part: measurement(samples[part], part) for part in PARTS}
    out['people'] = people
    out['input_shape'] = input_shape
    return out
