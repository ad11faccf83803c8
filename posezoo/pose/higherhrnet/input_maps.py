"""HigherHRNet's test maps at the input resolution, as its decoder reads them.

The official test upsamples the 1/4-resolution outputs (heatmaps and tags) to 1/2, averages the
heatmaps there, flips the mirror image's maps back, projects everything to the input size
(bilinear, ``align_corners=False``), averages the heatmaps of the image and its mirror and
stacks the tags. On a 768x512 input the projection alone is 27 M interpolated values per image,
of which the decoder reads a few percent: the pixels where a heatmap is positive (peaks,
``adjust``, ``refine``) and, for ``refine``, the blocks of the map whose tag bounds allow a
pixel there to change the result. :class:`ProjectedInputMaps` computes exactly those, and the
tags at 1/2 resolution only where they are read (:class:`MapPart`). Every 2x upsampling is
the same ``F.interpolate`` computation as the official one, on a patch with a one-pixel margin
(or the map's own border): same scale, same weights, same kernel (see ``_MIN_OUTPUT_SPAN``),
hence the same values bit for bit (``test_higherhrnet_input_maps.py`` checks it against the
dense projection).
"""
from math import inf
from typing import Callable, List, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from torch import Tensor

#: torch's CPU kernel for bilinear upsampling switches to its channels-last kernel (whose
#: rounding differs) when output height + width <= 128, or for 3 channels on one thread: every
#: upsampling here is a one-channel call with output height + width > 128, as the official
#: dense ones on the whole map (maps too small for that are projected densely).
_MIN_OUTPUT_SPAN = 129


def _source_windows(y: Tensor, x: Tensor, size: Tuple[int, int], map_size: Tuple[int, int]
                    ) -> Tuple[Tensor, Tensor, Tuple[int, int]]:
    """The source patches (starts (N,) in y and x, and their size) whose 2x upsampling holds
    the output windows at rows [y, y + size[0]), columns [x, x + size[1]) exactly: a margin of
    at least one source pixel on each side (``p / 2 + 2`` source pixels for ``p`` output pixels
    at even offsets, ``p // 2 + 3`` otherwise), except at the map's borders (where the patch's
    clamping is the map's), widened until the output spans ``_MIN_OUTPUT_SPAN``."""
    (ph, pw), (hs, ws) = size, map_size

    def span(p: int, start: Tensor) -> int:
        return p // 2 + (2 if p % 2 == 0 and not bool((start % 2).any()) else 3)

    sh, sw = min(span(ph, y), hs), min(span(pw, x), ws)
    sw = min(max(sw, (_MIN_OUTPUT_SPAN + 1) // 2 - sh), ws)
    sh = min(max(sh, (_MIN_OUTPUT_SPAN + 1) // 2 - sw), hs)
    return ((y // 2 - 1).clamp(0, hs - sh), (x // 2 - 1).clamp(0, ws - sw), (sh, sw))


def _upsample(patches: Tensor) -> Tensor:
    """2x bilinear upsampling (``align_corners=False``) of (N, S, h, w) source patches, one
    channel per call: (N, S, 2 h, 2 w)."""
    N, S, h, w = patches.shape
    return F.interpolate(patches.reshape(N * S, 1, h, w), size=(2 * h, 2 * w), mode='bilinear',
                         align_corners=False).view(N, S, 2 * h, 2 * w)


def _crop(maps: Tensor, y: Tensor, x: Tensor, size: Tuple[int, int]) -> Tensor:
    """(N, S, size) windows of (N, S, h, w) ``maps`` at offsets ``y``, ``x`` (N,)."""
    index = torch.arange(len(maps), device=maps.device)
    return maps.unfold(2, size[0], 1).unfold(3, size[1], 1)[index, :, y, x]


def _block_reduce(maps: Tensor, block: Tuple[int, int], margin: int, fill: float,
                  op: Callable[..., Tensor]) -> Tensor:
    """``op`` (``torch.amin`` or ``torch.amax``) (C, h / block[0], w / block[1]) of (C, h, w)
    ``maps`` over each block extended by ``margin`` pixels (``fill`` beyond the map) on every
    side, one axis at a time (as max pooling, faster)."""
    size = (block[0] + 2 * margin, block[1] + 2 * margin)
    padded = F.pad(maps, (margin, ) * 4, value=fill)
    rows = op(padded.unfold(1, size[0], block[0]), dim=-1)
    return op(rows.unfold(2, size[1], block[1]), dim=-1)


def _widen(lower: Tensor, upper: Tensor) -> Tuple[Tensor, Tensor]:
    """Bounds widened by a relative 1e-6, for the rounding of an interpolation."""
    return lower - 1e-6 * lower.abs() - 1e-30, upper + 1e-6 * upper.abs() + 1e-30


def _even_divisor(size: int, length: int) -> int:
    """The largest even ``size >> i`` that divides ``length`` (1 if none)."""
    return next((s for s in (size >> i for i in range(size.bit_length()))
                 if s % 2 == 0 and length % s == 0), 1)


def lazy_upsampling(map_size: Tuple[int, int]) -> bool:
    """Whether the 2x upsampling of a (h, w) map can be computed patch by patch (its output
    spans ``_MIN_OUTPUT_SPAN``)."""
    return 2 * (map_size[0] + map_size[1]) >= _MIN_OUTPUT_SPAN


class MapPart:
    """One (K, h, w) map of the aggregated 1/2-resolution outputs, kept as a view of a network
    output: map k is channel ``channels[k]`` of ``source`` (C, h_s, w_s), upsampled 2x
    (bilinear) if ``upsampled``, then mirrored (x -> w - 1 - x) if ``mirrored``. Its values are
    those of the official dense aggregation, computed only for the patches asked for.

    Args:
        source (Tensor): (C, h_s, w_s) network output of one image.
        channels (Tensor): (K,) long channel of each map.
        upsampled (bool): the map is the 2x upsampling of the source (h = 2 h_s).
        mirrored (bool): the map is mirrored back (the flipped image's output).
    """

    def __init__(self, source: Tensor, channels: Tensor, upsampled: bool = False,
                 mirrored: bool = False) -> None:
        self.source = source.detach().float()
        self.channels = channels
        self.upsampled = upsampled
        self.mirrored = mirrored
        self._bounds = {}
        _, h, w = source.shape
        self.shape = (len(channels), 2 * h if upsampled else h, 2 * w if upsampled else w)

    def _unmirrored(self) -> Tensor:
        """The whole (K, h, w) map before the mirroring."""
        maps = self.source[self.channels]
        if self.upsampled:  # one-channel calls, as the patches (see _MIN_OUTPUT_SPAN)
            maps = F.interpolate(maps[:, None], size=self.shape[1:], mode='bilinear',
                                 align_corners=False)[:, 0]
        return maps

    def block_bounds(self, block: Tuple[int, int], margin: int) -> Tuple[Tensor, Tensor]:
        """Lower and upper bounds (K, h / block[0], w / block[1]) of each map over each block
        of ``block`` pixels extended by ``margin`` pixels on every side (``block`` divides the
        map; even when upsampled). A bilinear value lies between the source values it reads,
        which are in its source block extended by one pixel; bounds widened for rounding."""
        key = (block, margin)
        if key not in self._bounds:
            maps = self.source[self.channels]  # (K, h_s, w_s)
            if self.upsampled:
                block, margin = (block[0] // 2, block[1] // 2), (margin + 1) // 2 + 1
            lower = _block_reduce(maps, block, margin, inf, torch.amin)
            upper = _block_reduce(maps, block, margin, -inf, torch.amax)
            if self.upsampled:
                lower, upper = _widen(lower, upper)
            if self.mirrored:
                lower, upper = lower.flip(-1), upper.flip(-1)
            self._bounds[key] = lower, upper
        return self._bounds[key]

    def dense(self) -> Tensor:
        """The whole (K, h, w) map."""
        return self._unmirrored().flip(-1) if self.mirrored else self._unmirrored()

    def patches(self, types: Tensor, y: Tensor, x: Tensor, size: Tuple[int, int]) -> Tensor:
        """(N, h_p, w_p) patches of maps ``types`` at rows [y, y + h_p), columns [x, x + w_p)."""
        (ph, pw), w = size, self.shape[2]
        if self.mirrored:
            x = w - pw - x
        channels = self.channels[types]
        if not self.upsampled:
            patches = self.source.unfold(1, ph, 1).unfold(2, pw, 1)[channels, y, x]
        elif not lazy_upsampling(self.source.shape[1:]):  # a small map: upsampled whole
            patches = self._unmirrored().unfold(1, ph, 1).unfold(2, pw, 1)[types, y, x]
        else:
            sy, sx, (sh, sw) = _source_windows(y, x, size, self.source.shape[1:])
            source = self.source.unfold(1, sh, 1).unfold(2, sw, 1)[channels, sy, sx]
            patches = _crop(_upsample(source[:, None]), y - 2 * sy, x - 2 * sx, size)[:, 0]
        return patches.flip(-1) if self.mirrored else patches


def _as_part(part: Union[Tensor, MapPart]) -> MapPart:
    """A (K, h, w) tensor as a :class:`MapPart` (itself)."""
    if isinstance(part, MapPart):
        return part
    return MapPart(part, torch.arange(len(part), device=part.device))


class InputMaps:
    """Heatmaps and tags of one image at the input resolution (dense).

    What the decoder reads: the positive heatmap pixels with their values and tags
    (:meth:`positive`: candidates, ``refine``), the heatmap around them (:meth:`heat_at`: NMS,
    ``adjust``), and blocks of ``block_shape`` pixels with bounds of their tags
    (:meth:`tag_block_bounds`, :meth:`blocks`: ``refine``'s search of the rest of the map).

    Args:
        heatmaps (Tensor): (K, H, W).
        tags (Tensor): (L*K, H, W), the K maps of each tag dimension in turn.
        block_shape (Tuple[int, int]): block rows and columns. Defaults to (16, 128).

    Attributes:
        shape (Tuple[int, int, int]): (K, H, W) of the heatmaps.
        block_shape (Tuple[int, int]): as the argument, at most the map.
    """

    def __init__(self, heatmaps: Tensor, tags: Tensor,
                 block_shape: Tuple[int, int] = (16, 128)) -> None:
        K, H, W = self.shape = tuple(heatmaps.shape)
        self.heatmaps = heatmaps.detach().float()
        self.tags = tags.detach().float().reshape(-1, K, H * W)  # (L, K, H*W)
        self.block_shape = (min(block_shape[0], H), min(block_shape[1], W))

    def heat_at(self, types: Tensor, pixels: Tensor) -> Tensor:
        """Heatmap values of maps ``types`` at flat pixels ``pixels`` (same shape)."""
        return self.heatmaps.reshape(self.shape[0], -1)[types, pixels]

    def _block_pixels(self, by: Tensor, bx: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
        """Rows (N, bh), columns (N, bw) and flat pixels (N, Q) of the blocks (``by``, ``bx``)."""
        bh, bw = self.block_shape
        rows = (by * bh)[:, None] + torch.arange(bh, device=by.device)
        cols = (bx * bw)[:, None] + torch.arange(bw, device=bx.device)
        return rows, cols, (rows[:, :, None] * self.shape[2] + cols[:, None, :]).flatten(1)

    def dense(self) -> Tuple[Tensor, Tensor]:
        """The dense heatmaps (K, H, W) and tags (L*K, H, W)."""
        K, H, W = self.heatmaps.shape
        return self.heatmaps, self.tags.reshape(-1, H, W)

    def positive(self) -> Tuple[Tensor, Tensor, Tensor, Tensor]:
        """Every positive heatmap pixel: keypoint types, flat pixels and values (P,) and tags
        (L, P), grouped by type (types non-decreasing; any pixel order within a type)."""
        K = self.heatmaps.shape[0]
        flat = self.heatmaps.reshape(K, -1)
        types, pixels = (flat > 0).nonzero(as_tuple=True)
        return types, pixels, flat[types, pixels], self.tags[:, types, pixels]

    def _padded(self, maps: Tensor, value: float) -> Tensor:
        """(C, H, W) maps padded with ``value`` to whole blocks."""
        H, W = maps.shape[-2:]
        bh, bw = self.block_shape
        return F.pad(maps, (0, (-W) % bw, 0, (-H) % bh), value=value)

    def tag_block_bounds(self, types: Tensor) -> Tuple[Tensor, Tensor]:
        """Lower and upper bounds (L, T, B_y, B_x) of the tags of keypoint types ``types``
        (T,) in each block."""
        K, H, W = self.heatmaps.shape
        bh, bw = self.block_shape
        tags = self.tags[:, types].view(-1, H, W)  # (L*T, H, W)
        lower = self._padded(tags, inf).unfold(1, bh, bh).unfold(2, bw, bw).flatten(3)
        upper = self._padded(tags, -inf).unfold(1, bh, bh).unfold(2, bw, bw).flatten(3)
        shape = (len(self.tags), len(types)) + lower.shape[1:3]
        return lower.amin(dim=3).view(shape), upper.amax(dim=3).view(shape)

    def blocks(self, types: Tensor, by: Tensor, bx: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
        """Heatmap (N, Q), tags (L, N, Q) and flat pixels (N, Q) of the blocks (``by``,
        ``bx``) (N,) of keypoint types ``types`` (N,); pixels beyond the map have heatmap
        -inf."""
        K, H, W = self.shape
        heat = self._padded(self.heatmaps, -inf)
        tags = self._padded(self.tags.view(-1, H, W), 0.0)
        tags = tags.view(len(self.tags), K, *tags.shape[1:])
        rows, cols, pixels = self._block_pixels(by, bx)
        index = (types[:, None, None], rows[:, :, None], cols[:, None, :])
        return heat[index].flatten(1), tags[(slice(None), ) + index].flatten(2), pixels


def _combine(parts: Sequence[Tensor], num_heatmaps: int) -> Tuple[Tensor, List[Tensor]]:
    """Projected parts -> heatmap (the mean of the first ``num_heatmaps``, as ``(a + b) / 2``
    for two, as the official test) and the tags (the other parts)."""
    heat = parts[0] if num_heatmaps == 1 else torch.add(parts[0], parts[1]).div_(2.0)
    return heat, list(parts[num_heatmaps:])


class ProjectedInputMaps(InputMaps):
    """:class:`InputMaps` projected from 1/2-resolution maps where the decoder reads them.

    The input-resolution heatmap is the mean of the bilinear projections of ``heatmap_parts``
    (the image and its mirror flipped back; one part without flip test), the tags are the
    projections of ``tag_parts``. A projected pixel is a convex combination of the source
    pixels within one pixel of its source position, so it can be positive only where a
    source pixel is: the tiles (``tile`` source pixels) within two source pixels of a positive
    one are projected, which covers every positive pixel and its neighbours. Only these
    tiles of the heatmap are kept (:meth:`heat_at`), the tags only at the positive pixels, and
    :meth:`blocks` projects the blocks it is asked for (their tag bounds come from the
    1/4-resolution tags, :meth:`MapPart.block_bounds`).

    Args:
        heatmap_parts (Sequence[Tensor]): one or two (K, h, w) maps.
        tag_parts (Sequence[Tensor | MapPart]): L (K, h, w) maps.
        size (Tuple[int, int]): input size (H, W); an exact 2x projection is computed lazily,
            any other size densely.
        tile (Tuple[int, int]): source tile size (rows, columns, powers of two) of the
            projection around positive pixels (halved until it divides the map). Defaults to
            (8, 64).
        block (Tuple[int, int]): source block size (rows, columns, powers of two) of
            ``refine``'s search of the rest of the map (halved until it divides the map).
            Defaults to (8, 32).
        lazy (bool): project lazily where possible (else densely, e.g. for multi-scale
            aggregation). Defaults to True.

    Shapes:
        ``heatmaps`` (K, H, W) as for :class:`InputMaps`.
    """

    def __init__(self,
                 heatmap_parts: Sequence[Tensor],
                 tag_parts: Sequence[Union[Tensor, MapPart]],
                 size: Tuple[int, int],
                 tile: Tuple[int, int] = (8, 64),
                 block: Tuple[int, int] = (8, 32),
                 lazy: bool = True) -> None:
        if len(heatmap_parts) not in (1, 2):
            raise ValueError(f'one or two heatmap parts, got {len(heatmap_parts)}')
        self.num_heatmaps = len(heatmap_parts)
        self.heatmap_parts = [part.detach().float() for part in heatmap_parts]
        self.parts = [_as_part(part) for part in list(self.heatmap_parts) + list(tag_parts)]
        if any(t < 1 or t & (t - 1) for t in tuple(tile) + tuple(block)):
            raise ValueError(f'tile and block sizes must be powers of two, got {tile}, {block}')
        K, h, w = self.heatmap_parts[0].shape
        self.size = (H, W) = size
        self.tile = tuple(_even_divisor(t, n) for t, n in zip(tile, (h, w)))
        self.lazy = (lazy and (H, W) == (2 * h, 2 * w) and lazy_upsampling((h, w))
                     and min(self.tile) > 1)
        if not self.lazy:
            super().__init__(*self._dense_projection())
            return
        self.shape = (K, H, W)
        self.block_shape = tuple(2 * _even_divisor(b, n) for b, n in zip(block, (h, w)))
        self._positive = self._project_tiles()

    def dense(self) -> Tuple[Tensor, Tensor]:
        """The dense heatmaps (K, H, W) and tags (L*K, H, W), as the official test has them."""
        return self._dense_projection() if self.lazy else super().dense()

    def _dense_projection(self) -> Tuple[Tensor, Tensor]:
        """Every part projected to the input size (the official dense computation)."""
        K, h, w = self.heatmap_parts[0].shape
        projected = torch.stack([part.dense() for part in self.parts])
        if (h, w) != self.size:
            projected = F.interpolate(projected.reshape(1, -1, h, w), size=self.size,
                                      mode='bilinear', align_corners=False)
            projected = projected.reshape(len(self.parts), K, *self.size)
        heat, tags = _combine(projected.unbind(0), self.num_heatmaps)
        return heat, torch.cat(tags)

    def _projected_windows(self, types: Tensor, y: Tensor, x: Tensor, size: Tuple[int, int]
                           ) -> Tuple[Tensor, Tensor, Tensor]:
        """Every part of maps ``types`` projected on windows (N, S, h_w, w_w) that hold the
        input rows [y, y + h_p), columns [x, x + w_p) (``size``), at offsets ``oy``, ``ox``
        (N,) in the windows."""
        sy, sx, (sh, sw) = _source_windows(y, x, size, self.heatmap_parts[0].shape[1:])
        patches = torch.stack([part.patches(types, sy, sx, (sh, sw)) for part in self.parts],
                              dim=1)  # (N, S, sh, sw)
        return _upsample(patches), y - 2 * sy, x - 2 * sx

    def _projected_patches(self, types: Tensor, y: Tensor, x: Tensor,
                           size: Tuple[int, int]) -> Tuple[Tensor, List[Tensor]]:
        """Heatmap (N, h_p, w_p) and tags (L of them) of maps ``types`` at input rows
        [y, y + h_p), columns [x, x + w_p)."""
        windows, oy, ox = self._projected_windows(types, y, x, size)
        return _combine(_crop(windows, oy, ox, size).unbind(1), self.num_heatmaps)

    def _project_tiles(self) -> Tuple[Tensor, Tensor, Tensor, Tensor]:
        """Project the heatmap tiles near positive source pixels (kept for :meth:`heat_at`, no
        full-size map: allocating one cost more than the tiles); return the positive pixels
        with their values and tags (as :meth:`positive`)."""
        K, h, w = self.heatmap_parts[0].shape
        W = self.size[1]
        th, tw = self.tile
        # the tiles within two source pixels of a positive one
        positive = self.heatmap_parts[0] > 0
        if self.num_heatmaps == 2:
            positive |= self.heatmap_parts[1] > 0
        types, ty, tx = _block_reduce(positive.to(torch.uint8), (th, tw), 2, 0,
                                      torch.amax).nonzero(as_tuple=True)
        y, x, size = 2 * th * ty, 2 * tw * tx, (2 * th, 2 * tw)
        windows, oy, ox = self._projected_windows(types, y, x, size)  # (N, S, h_w, w_w)
        # the heatmap is combined on the windows and cropped, the tags read where it is positive
        heat, _ = _combine(windows.unbind(1), self.num_heatmaps)
        heat = _crop(heat[:, None], oy, ox, size)[:, 0]  # (N, 2 th, 2 tw)
        self._tiles = heat
        tile = torch.arange(len(types), device=heat.device)
        self._tile_index = torch.full((K, h // th, w // tw), -1, dtype=torch.long,
                                      device=heat.device)
        self._tile_index[types, ty, tx] = tile
        flat = (heat.view(-1) > 0).nonzero()[:, 0]  # tiles come in type order
        # tile sizes are powers of two: shifts and masks, not divisions
        (ph, pw), (S, hw, ww) = size, windows.shape[1:]
        n, i, j = (flat >> (ph * pw).bit_length() - 1, (flat >> pw.bit_length() - 1) & (ph - 1),
                   flat & (pw - 1))
        pixels = (y * W + x)[n] + i * W + j
        at = ((tile * S * hw + oy) * ww + ox)[n] + i * ww + j  # in the first part's windows
        tags = torch.stack([windows.take(at + part * hw * ww)
                            for part in range(self.num_heatmaps, S)])
        return types[n], pixels, heat.take(flat), tags

    def positive(self) -> Tuple[Tensor, Tensor, Tensor, Tensor]:
        if not self.lazy:
            return super().positive()
        return self._positive

    def heat_at(self, types: Tensor, pixels: Tensor) -> Tensor:
        """As :meth:`InputMaps.heat_at`, in the projected tiles (the decoder reads no other
        pixel: the tiles hold every positive pixel and the pixels within 2 of it, NMS windows
        and ``adjust``'s neighbours)."""
        if not self.lazy:
            return super().heat_at(types, pixels)
        _, ph, pw = self._tiles.shape
        y, x = pixels // self.size[1], pixels % self.size[1]
        tile = self._tile_index[types, y // ph, x // pw]
        return self._tiles[tile, y % ph, x % pw]

    def tag_block_bounds(self, types: Tensor) -> Tuple[Tensor, Tensor]:
        if not self.lazy:
            return super().tag_block_bounds(types)
        # a block reads its 1/2-resolution block and one pixel beyond
        half = (self.block_shape[0] // 2, self.block_shape[1] // 2)
        bounds = [part.block_bounds(half, 1) for part in self.parts[self.num_heatmaps:]]
        return _widen(torch.stack([lower[types] for lower, _ in bounds]),
                      torch.stack([upper[types] for _, upper in bounds]))

    def blocks(self, types: Tensor, by: Tensor, bx: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
        if not self.lazy:
            return super().blocks(types, by, bx)
        bh, bw = self.block_shape
        heat, tags = self._projected_patches(types, by * bh, bx * bw, (bh, bw))
        return heat.flatten(1), torch.stack(tags).flatten(2), self._block_pixels(by, bx)[2]
