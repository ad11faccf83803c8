"""Image -> network input, the way the BK-Pose test pipeline does it, with OpenCV and numpy.

:func:`bottomup_resize` reproduces mmpose 1.3.2's ``BottomupResize`` (non-UDP): the image is scaled
to fit (``fit``) or cover (``expand``) the input size, keeping its aspect ratio, and padded to
a multiple of ``size_factor`` by one ``cv2.warpAffine`` with the same three-point affine matrix
(so the pixels are identical); :func:`normalize` is ``PoseDataPreprocessor`` (BGR -> RGB,
``(x - mean) / std`` in float32, HWC -> CHW). :func:`to_image_coords` maps input-image
keypoints back to the original image like ``BottomupPoseEstimator.add_pred_to_datasample``.
"""
from typing import Dict, Sequence, Tuple

import cv2
import numpy as np


def _ceil_to_multiple(size: Sequence[float], base: int) -> Tuple[int, int]:
    return tuple(int(np.ceil(s / base) * base) for s in size)


def input_sizes(image_size: Tuple[int, int], input_size: Tuple[int, int], size_factor: int,
                resize_mode: str) -> Tuple[Tuple[float, float], Tuple[int, int]]:
    """The resized (actual, possibly fractional) and padded (network) sizes, both (w, h).

    Args:
        image_size: the original image (w, h).
        input_size: the configured input (w, h).
        size_factor: the padded size is a multiple of it.
        resize_mode: ``fit`` (the long side fits) or ``expand`` (the short side fits).
    """
    img_w, img_h = image_size
    ratio = img_w / img_h
    padded = _ceil_to_multiple(input_size, size_factor)
    if resize_mode == 'fit':
        if padded != tuple(input_size):
            raise ValueError(f'resize_mode fit needs an input size that is a multiple of '
                             f'{size_factor}, got {tuple(input_size)}')
        pad_w, pad_h = padded
        actual = (min(pad_w, pad_h * ratio), min(pad_h, pad_w / ratio))
    elif resize_mode == 'expand':
        pad_w, pad_h = padded
        actual = (max(pad_w, pad_h * ratio), max(pad_h, pad_w / ratio))
        padded = _ceil_to_multiple(actual, size_factor)
    else:
        raise ValueError(f'unknown resize_mode {resize_mode!r} (fit or expand)')
    return actual, padded


def _warp_matrix(center: np.ndarray, scale: np.ndarray, output_size: Tuple[int, int]
                 ) -> np.ndarray:
    """The (2, 3) affine matrix mapping the box (center, scale) onto ``output_size`` (w, h),
    from three corresponding points (centre, left edge middle, and the point perpendicular to
    them), as mmpose's ``get_warp_matrix`` with rot = 0 and a fixed aspect ratio."""
    dst_w, dst_h = output_size
    src = np.zeros((3, 2), dtype=np.float32)
    dst = np.zeros((3, 2), dtype=np.float32)
    src[0] = center
    src[1] = center + np.array([scale[0] * -0.5, 0.0])
    dst[0] = [dst_w * 0.5, dst_h * 0.5]
    dst[1] = np.array([dst_w * 0.5, dst_h * 0.5]) + np.array([dst_w * -0.5, 0.0])
    for points in (src, dst):
        direction = points[0] - points[1]
        points[2] = points[1] + np.r_[-direction[1], direction[0]]
    return cv2.getAffineTransform(src, dst)


def bottomup_resize(image: np.ndarray, input_size: Tuple[int, int], size_factor: int = 32,
                    resize_mode: str = 'fit', use_udp: bool = False,
                    pad_val: Sequence[float] = (0, 0, 0)
                    ) -> Tuple[np.ndarray, Dict[str, np.ndarray]]:
    """Resize and pad an (H, W, 3) image to the network input (``pad_val``: the padding colour).

    Returns:
        tuple: the (h', w', 3) resized image (same dtype) and the geometry ``input_size``
        (w', h'), ``input_center`` (2,) and ``input_scale`` (2,) float32.
    """
    if use_udp:
        raise NotImplementedError('the edge runtime reproduces BottomupResize without UDP '
                                  '(the BK-Pose configs); use_udp=True is not supported')
    img_h, img_w = image.shape[:2]
    actual, padded = input_sizes((img_w, img_h), input_size, size_factor, resize_mode)
    center = np.array([img_w / 2, img_h / 2], dtype=np.float32)
    scale = np.array([img_w * padded[0] / actual[0], img_h * padded[1] / actual[1]],
                     dtype=np.float32)
    resized = cv2.warpAffine(image, _warp_matrix(center, scale, padded), padded,
                             flags=cv2.INTER_LINEAR, borderValue=tuple(pad_val))
    return resized, dict(input_size=np.array(padded), input_center=center, input_scale=scale)


def normalize(image: np.ndarray, mean: Sequence[float], std: Sequence[float],
              bgr_to_rgb: bool = True) -> np.ndarray:
    """(H, W, C) uint8 BGR -> (1, C, H, W) float32, ``(x - mean) / std`` per channel, in the
    same float32 operations as the data preprocessor (one plane at a time: no strided copy)."""
    planes = cv2.split(image)
    if bgr_to_rgb:
        planes = planes[::-1]
    out = np.empty((1, len(planes)) + image.shape[:2], np.float32)
    for c, (plane, m, s) in enumerate(zip(planes, mean, std)):
        np.subtract(plane, np.float32(m), out=out[0, c], dtype=np.float32)
        np.divide(out[0, c], np.float32(s), out=out[0, c])
    return out


def to_image_coords(keypoints: np.ndarray, geometry: Dict[str, np.ndarray]) -> np.ndarray:
    """(P, K, 2) keypoints in network-input pixels -> original-image pixels (float64)."""
    size = geometry['input_size']
    scale = geometry['input_scale']
    return keypoints / size * scale + geometry['input_center'] - 0.5 * scale
