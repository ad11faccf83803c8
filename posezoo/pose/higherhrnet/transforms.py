"""The test-time resize of the official HigherHRNet (``resize_align_multi_scale``)."""
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np
from mmcv.transforms import BaseTransform
from mmpose.registry import TRANSFORMS
from mmpose.structures.bbox import get_warp_matrix


def official_resize_geometry(img_w: int, img_h: int, input_size: int, current_scale: float = 1.,
                             min_scale: float = 1.
                             ) -> Tuple[Tuple[int, int], np.ndarray, np.ndarray]:
    """Input size, centre and scale of the official ``get_multi_scale_size``.

    The short side of the image goes to ``input_size * current_scale`` (``input_size * min_scale``
    rounded up to a multiple of 64, then scaled), the long side keeps the aspect ratio and is
    rounded to a multiple of 64 as ``(x + 63) // 64 * 64`` (which rounds *down* when ``x`` is
    less than 1 above a multiple of 64, unlike MMPose's ``BottomupResize``).

    Args:
        img_w (int): image width in pixels.
        img_h (int): image height in pixels.
        input_size (int): the network input size (e.g. 512).
        current_scale (float): test scale. Defaults to 1.
        min_scale (float): the smallest test scale. Defaults to 1.

    Returns:
        tuple: ``(w, h)`` of the network input, the centre ``(2,)`` (integer pixel
        ``int(w / 2 + 0.5)``, ``int(h / 2 + 0.5)``) and the scale ``(2,)`` in pixels (the
        official scale x 200) of the image region mapped onto the input.
    """
    min_input_size = int((min_scale * input_size + 63) // 64 * 64)
    center = np.array([int(img_w / 2.0 + 0.5), int(img_h / 2.0 + 0.5)], dtype=np.float32)
    ratio = current_scale / min_scale
    if img_w < img_h:
        w_resized = int(min_input_size * ratio)
        h_resized = int(int((min_input_size / img_w * img_h + 63) // 64 * 64) * ratio)
        scale_w = img_w / 200.0
        scale_h = h_resized / w_resized * img_w / 200.0
    else:
        h_resized = int(min_input_size * ratio)
        w_resized = int(int((min_input_size / img_h * img_w + 63) // 64 * 64) * ratio)
        scale_h = img_h / 200.0
        scale_w = w_resized / h_resized * img_h / 200.0
    scale = np.array([scale_w * 200.0, scale_h * 200.0], dtype=np.float32)
    return (w_resized, h_resized), center, scale


@TRANSFORMS.register_module()
class HigherHRNetResize(BaseTransform):
    """Resize an image for bottom-up inference exactly as the official HigherHRNet test
    (``resize_align_multi_scale``): see :func:`official_resize_geometry`; the image is warped
    with ``cv2.warpAffine`` (bilinear, black border).

    Required keys: ``img``, ``ori_shape``.

    Modified keys: ``img`` (the resized image, or a list with the base scale first when
    ``aug_scales`` is given), ``img_shape``.

    Added keys: ``input_size`` (w, h), ``input_center`` (2,), ``input_scale`` (2,) (pixels; what
    ``BottomupPoseEstimator`` uses to map predictions back to the image), ``aug_scales``.

    Args:
        input_size (tuple): the (square) training input size ``(w, h)``, e.g. ``(512, 512)``:
            the short side of the image goes to ``w``.
        aug_scales (Sequence[float], optional): extra test scales (multi-scale test).
    """

    def __init__(self, input_size: Tuple[int, int],
                 aug_scales: Optional[Sequence[float]] = None) -> None:
        super().__init__()
        if len(input_size) != 2 or input_size[0] != input_size[1]:
            raise ValueError(f'HigherHRNetResize: input_size must be a square (w, h), got '
                             f'{input_size!r}')
        self.input_size = tuple(input_size)
        self.aug_scales = list(aug_scales) if aug_scales else None

    def transform(self, results: Dict) -> Dict:
        """Warp ``results['img']`` to the official input (see the class docstring)."""
        img_h, img_w = results['ori_shape']
        scales = [1.0] + (self.aug_scales or [])
        min_scale = min(scales)
        imgs: List[np.ndarray] = []
        for i, current_scale in enumerate(scales):
            size, center, scale = official_resize_geometry(img_w, img_h, self.input_size[0],
                                                           current_scale, min_scale)
            warp_mat = get_warp_matrix(center, scale, 0, size)
            imgs.append(cv2.warpAffine(results['img'], warp_mat, size, flags=cv2.INTER_LINEAR))
            if i == 0:
                results['img_shape'] = size[::-1]
                results['input_size'] = size
                results['input_center'] = center
                results['input_scale'] = scale
        if self.aug_scales:
            results['img'] = imgs
            results['aug_scales'] = self.aug_scales
        else:
            results['img'] = imgs[0]
            results['aug_scale'] = None
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(input_size={self.input_size}, '
                f'aug_scales={self.aug_scales})')


def official_affine_matrix(center: np.ndarray, scale: float, res: int, rot: float) -> np.ndarray:
    """The official ``RandomAffineTransform._get_affine_matrix`` as a (2, 3) matrix.

    Maps the square of side ``200 * scale`` pixels centred on ``center`` onto a ``res x res``
    image, then rotates by ``rot`` degrees (counter-clockwise in the image) about its centre.
    """
    side = 200.0 * scale
    mat = np.array([[res / side, 0., res * (-float(center[0]) / side + .5)],
                    [0., res / side, res * (-float(center[1]) / side + .5)],
                    [0., 0., 1.]])
    if rot != 0:
        rotation = np.eye(3)
        rotation[:2] = cv2.getRotationMatrix2D((res / 2, res / 2), rot, 1.0)
        mat = rotation @ mat
    return mat[:2]


def _invalid_region_mask(segmentations: Sequence, img_h: int, img_w: int) -> np.ndarray:
    """(H, W) float mask, 1 outside crowd regions and unannotated people (polygons, or RLE
    dicts compressed or not), 0 inside them (the official ``CocoKeypoints.get_mask``)."""
    from pycocotools import mask as cocomask
    covered = np.zeros((img_h, img_w), dtype=np.float64)
    for seg in segmentations:
        rles = cocomask.frPyObjects(seg, img_h, img_w)
        for rle in (rles if isinstance(rles, list) else [rles]):
            covered += cocomask.decode(rle)
    return (covered < 0.5).astype(np.float32)


@TRANSFORMS.register_module()
class HigherHRNetRandomAffine(BaseTransform):
    """The training augmentation of the official HigherHRNet (``RandomAffineTransform``):
    uniform scale, rotation and integer translation; the image is warped to the input size,
    the valid-region mask and the keypoints to every heatmap resolution with that resolution's
    own matrix (as officially, instead of resizing from the input).

    Draws (:meth:`sample_params`, numpy's global generator as officially):
    ``aug_scale ~ U[min_scale, max_scale)`` of the short (or long) side / 200,
    ``aug_rot ~ U[-max_rotation, max_rotation)`` degrees, ``dx, dy`` integers in
    ``[-max_translate * scale, max_translate * scale)`` pixels added to the image centre.

    Required keys: ``img``, ``img_shape``, ``keypoints``, ``keypoints_visible``,
    ``invalid_segs`` (segmentations of crowd regions and people without keypoints: polygons or
    RLE dicts; optional).

    Modified keys: ``img``, ``img_shape``, ``keypoints`` (input pixels).

    Added keys: ``input_size``, ``warp_mat``, ``aug_params`` (the draws),
    ``keypoints_levels`` (list per heatmap resolution of (N, K, 2) keypoints at that
    resolution), ``heatmap_mask`` (list of (res, res) float32 masks, 1 = counts in the loss).

    Args:
        input_size (int): the square network input (e.g. 512).
        heatmap_sizes (Sequence[int]): the square heatmap sizes (e.g. ``[128, 256]``).
        max_rotation (float): degrees. Defaults to 30.
        min_scale (float): Defaults to 0.75.
        max_scale (float): Defaults to 1.5.
        scale_type (str): ``'short'`` or ``'long'`` side. Defaults to ``'short'``.
        max_translate (float): translation bound in pixels per unit of scale (scale = side /
            200 x aug_scale). Defaults to 40.
    """

    def __init__(self,
                 input_size: int,
                 heatmap_sizes: Sequence[int],
                 max_rotation: float = 30.,
                 min_scale: float = 0.75,
                 max_scale: float = 1.5,
                 scale_type: str = 'short',
                 max_translate: float = 40.) -> None:
        super().__init__()
        if scale_type not in ('short', 'long'):
            raise ValueError(f'HigherHRNetRandomAffine: scale_type must be short or long, '
                             f'got {scale_type!r}')
        self.input_size = input_size
        self.heatmap_sizes = list(heatmap_sizes)
        self.max_rotation = max_rotation
        self.min_scale = min_scale
        self.max_scale = max_scale
        self.scale_type = scale_type
        self.max_translate = max_translate

    def sample_params(self, img_w: int, img_h: int) -> Dict[str, float]:
        """Draw ``aug_scale``, ``aug_rot`` (degrees), ``dx``, ``dy`` (pixels) as officially."""
        side = (min if self.scale_type == 'short' else max)(img_w, img_h) / 200
        aug_scale = np.random.random() * (self.max_scale - self.min_scale) + self.min_scale
        aug_rot = (np.random.random() * 2 - 1) * self.max_rotation
        dx = dy = 0
        if self.max_translate > 0:
            bound = self.max_translate * side * aug_scale
            dx = int(np.random.randint(-bound, bound))
            dy = int(np.random.randint(-bound, bound))
        return dict(aug_scale=aug_scale, aug_rot=aug_rot, dx=dx, dy=dy)

    def transform(self, results: Dict) -> Dict:
        """Warp image, masks and keypoints (see the class docstring)."""
        img_h, img_w = results['img_shape'][:2]
        params = self.sample_params(img_w, img_h)
        side = (min if self.scale_type == 'short' else max)(img_w, img_h) / 200
        scale = side * params['aug_scale']
        center = np.array([img_w / 2 + params['dx'], img_h / 2 + params['dy']])
        rot = params['aug_rot']

        mask = _invalid_region_mask(results.get('invalid_segs', []), img_h, img_w)
        mask_u8 = (mask * 255).astype(np.uint8)
        keypoints = results['keypoints'][..., :2]
        keypoints_levels, masks = [], []
        for res in self.heatmap_sizes:
            mat = official_affine_matrix(center, scale, res, rot)
            warped = cv2.warpAffine(mask_u8, mat, (res, res)) / 255
            masks.append((warped > 0.5).astype(np.float32))
            keypoints_levels.append(cv2.transform(keypoints.reshape(-1, 1, 2).astype(np.float64),
                                                  mat).reshape(keypoints.shape))
        mat = official_affine_matrix(center, scale, self.input_size, rot)
        results['img'] = cv2.warpAffine(results['img'], mat, (self.input_size, ) * 2)
        results['keypoints'] = cv2.transform(
            keypoints.reshape(-1, 1, 2).astype(np.float64), mat).reshape(
                keypoints.shape).astype(np.float32)
        results['keypoints_levels'] = keypoints_levels
        results['heatmap_mask'] = masks
        results['img_shape'] = (self.input_size, self.input_size)
        results['input_size'] = (self.input_size, self.input_size)
        results['warp_mat'] = mat.astype(np.float32)
        results['aug_params'] = dict(params, center=center, scale=scale)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(input_size={self.input_size}, heatmap_sizes='
                f'{self.heatmap_sizes}, max_rotation={self.max_rotation}, scale=['
                f'{self.min_scale}, {self.max_scale}] ({self.scale_type}), max_translate='
                f'{self.max_translate})')


@TRANSFORMS.register_module()
class HigherHRNetRandomFlip(BaseTransform):
    """The official ``RandomHorizontalFlip``: with probability ``prob`` mirror the image, the
    masks and the keypoints of every resolution (``x -> size - 1 - x`` at that resolution,
    left/right keypoints swapped with ``flip_indices``).

    Required keys: ``img``, ``keypoints``, ``keypoints_visible``, ``flip_indices``,
    ``keypoints_levels``, ``heatmap_mask`` (from :class:`HigherHRNetRandomAffine`).

    Modified keys: the required ones but ``flip_indices``. Added keys: ``flip``,
    ``flip_direction``.

    Args:
        prob (float): flip probability. Defaults to 0.5.
    """

    def __init__(self, prob: float = 0.5) -> None:
        super().__init__()
        self.prob = prob

    def transform(self, results: Dict) -> Dict:
        """Flip with probability ``prob`` (numpy's global generator)."""
        flip = bool(np.random.random() < self.prob)
        results['flip'] = flip
        results['flip_direction'] = 'horizontal' if flip else None
        if not flip:
            return results
        index = results['flip_indices']
        results['img'] = np.ascontiguousarray(results['img'][:, ::-1])
        results['heatmap_mask'] = [np.ascontiguousarray(m[:, ::-1])
                                   for m in results['heatmap_mask']]
        results['keypoints_visible'] = results['keypoints_visible'][:, index]
        levels = []
        for keypoints, mask in zip(results['keypoints_levels'], results['heatmap_mask']):
            keypoints = keypoints[:, index].copy()
            keypoints[..., 0] = mask.shape[1] - keypoints[..., 0] - 1
            levels.append(keypoints)
        results['keypoints_levels'] = levels
        keypoints = results['keypoints'][:, index].copy()
        keypoints[..., 0] = results['img'].shape[1] - keypoints[..., 0] - 1
        results['keypoints'] = keypoints
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(prob={self.prob})'
