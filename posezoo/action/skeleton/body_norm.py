"""Body-relative keypoint normalisation for skeleton sequences.

Every person track of a clip is translated so that its mean hip centre lies at the origin and scaled
so that its mean torso length (shoulder centre to hip centre) is one. This removes the position of a
person in the image and their apparent size, and keeps the motion inside the clip (a squat still
moves the hips down). Invalid keypoints (score not above ``score_thr``, or all-zero coordinates
when there is no score channel) are ignored in the statistics and set to zero in the output.
"""
from typing import Dict, Optional, Tuple

import torch
from torch import Tensor, nn

# (left shoulder, right shoulder), (left hip, right hip) in each supported keypoint layout.
SKELETON_LAYOUTS: Dict[str, Dict[str, Tuple[int, int] | int]] = {
    'coco': dict(num_joints=17, shoulders=(5, 6), hips=(11, 12)),
    'halpe': dict(num_joints=26, shoulders=(5, 6), hips=(11, 12)),
    'mediapipe': dict(num_joints=33, shoulders=(11, 12), hips=(23, 24)),
    'nturgb+d': dict(num_joints=25, shoulders=(4, 8), hips=(12, 16)),
}


class BodyRelativeNorm(nn.Module):
    """Normalise every person track of a clip relative to its own body.

    For each person track (one clip, one person):

    - centre: the mean over frames of the hip centre (frames where both hips are valid); without
      any such frame, the mean of all valid keypoints of the track;
    - scale: the mean over frames of the torso length, the distance from the shoulder centre to
      the hip centre (frames where both shoulders and both hips are valid); without any such
      frame, the root-mean-square distance of the valid keypoints from the centre;
    - output coordinates: ``(p - centre) / scale`` for valid keypoints, ``0`` for invalid ones;
      the channels after the coordinates (scores) are passed through unchanged.

    Args:
        layout (str, optional): Keypoint layout, a key of :data:`SKELETON_LAYOUTS` (``'coco'``,
            ``'halpe'``, ``'mediapipe'``, ``'nturgb+d'``). ``None`` uses the layout-free fallback
            (centre of all valid keypoints, RMS spread) for every track.
        num_coords (int): Number of leading coordinate channels (2 for x, y; 3 for x, y, z).
            If the input has more channels, channel ``num_coords`` is the keypoint score.
        score_thr (float): A keypoint is valid if its score is above this. Default: 0.
        eps (float): Lower bound of the scale. Default: 1e-4.
    """

    def __init__(self,
                 layout: Optional[str] = 'coco',
                 num_coords: int = 2,
                 score_thr: float = 0.0,
                 eps: float = 1e-4) -> None:
        super().__init__()
        if layout is not None and layout not in SKELETON_LAYOUTS:
            raise KeyError(f'Unknown keypoint layout {layout!r}; '
                           f'expected one of {sorted(SKELETON_LAYOUTS)} or None')
        if num_coords not in (2, 3):
            raise ValueError(f'num_coords must be 2 or 3, got {num_coords}')
        self.layout = layout
        self.num_coords = num_coords
        self.score_thr = score_thr
        self.eps = eps

    def valid_mask(self, x: Tensor) -> Tensor:
        """Which keypoints are valid.

        Args:
            x (Tensor): Skeletons, shape (N, M, T, V, C).

        Returns:
            Tensor: Bool mask, shape (N, M, T, V).
        """
        if x.shape[-1] > self.num_coords:
            return x[..., self.num_coords] > self.score_thr
        return x[..., :self.num_coords].abs().sum(-1) > 0

    def forward(self, x: Tensor) -> Tensor:
        """Normalise a batch of clips.

        Args:
            x (Tensor): Skeletons, shape (N, M, T, V, C) with C >= ``num_coords``.

        Returns:
            Tensor: Normalised skeletons, shape (N, M, T, V, C).
        """
        if x.dim() != 5 or x.shape[-1] < self.num_coords:
            raise ValueError('BodyRelativeNorm expects (N, M, T, V, C) with C >= '
                             f'{self.num_coords}, got shape {tuple(x.shape)}')
        coords = x[..., :self.num_coords]  # (N, M, T, V, nc)
        w = self.valid_mask(x).to(x.dtype)  # (N, M, T, V)
        count = w.sum((2, 3)).clamp(min=1)  # (N, M)
        centre = (coords * w[..., None]).sum((2, 3)) / count[..., None]  # (N, M, nc)
        torso_len = torso_frames = None
        if self.layout is not None:
            spec = SKELETON_LAYOUTS[self.layout]
            if x.shape[3] != spec['num_joints']:
                raise ValueError(f'Layout {self.layout!r} has {spec["num_joints"]} joints, '
                                 f'the input has {x.shape[3]}')
            (ls, rs), (lh, rh) = spec['shoulders'], spec['hips']
            hip_ok = w[..., lh] * w[..., rh]  # (N, M, T)
            torso_ok = hip_ok * w[..., ls] * w[..., rs]
            hip_mid = (coords[..., lh, :] + coords[..., rh, :]) / 2  # (N, M, T, nc)
            sh_mid = (coords[..., ls, :] + coords[..., rs, :]) / 2
            hip_frames = hip_ok.sum(2)  # (N, M)
            hip_centre = (hip_mid * hip_ok[..., None]).sum(2) / hip_frames.clamp(min=1)[..., None]
            centre = torch.where(hip_frames[..., None] > 0, hip_centre, centre)
            torso_frames = torso_ok.sum(2)
            torso = (sh_mid - hip_mid).norm(dim=-1)  # (N, M, T)
            torso_len = (torso * torso_ok).sum(2) / torso_frames.clamp(min=1)
        offset = coords - centre[:, :, None, None]  # (N, M, T, V, nc)
        rms = ((offset.pow(2).sum(-1) * w).sum((2, 3)) / count).sqrt()  # (N, M)
        scale = rms if torso_len is None else torch.where(torso_frames > 0, torso_len, rms)
        scale = scale.clamp(min=self.eps)
        normed = offset / scale[:, :, None, None, None] * w[..., None]
        return torch.cat([normed, x[..., self.num_coords:]], dim=-1)

    def extra_repr(self) -> str:
        return f'layout={self.layout!r}, num_coords={self.num_coords}, score_thr={self.score_thr}'
