"""The lazy test maps of HigherHRNet give the decoder the dense official values, bit for bit.

:class:`ProjectedInputMaps` and :class:`MapPart` compute the official aggregation and
projection (upsampling 1/4 -> 1/2, mirror flip back, projection 1/2 -> input size) only where
the decoder reads them. Checked against the dense computation (``F.interpolate`` on the whole
maps, as the official test): patches of every kind of part, the positive pixels with their
values and tags, the heatmap around them, the blocks read on demand and their tag bounds; and
whole decodes (the head's
lazy path against the codec on the dense maps) on the recorded outputs of the official e2e
fixture (``$POSEZOO_HIGHERHRNET_E2E_FIXTURE``) and on variants of them (noise, shifts, other
limits), plus random maps of sizes that are not multiples of the tile.
"""
import json
from pathlib import Path
from typing import List

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmpose.registry import MODELS
from mmpose.utils import register_all_modules
from torch import Tensor

import posezoo.pose  # noqa: F401  (registers the HigherHRNet modules)
from posezoo.pose.higherhrnet.input_maps import InputMaps, MapPart, ProjectedInputMaps

CONFIG = 'configs/body_2d_keypoint/higherhrnet/coco/higherhrnet_hrnet-w32_8xb24-300e_coco-512x512.py'
COCO_FLIP = [0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15]


def _blobs(rng: np.random.Generator, shape: tuple, count: int) -> Tensor:
    """(C, h, w) maps: small negative noise with ``count`` Gaussian blobs per map, some of
    them touching the borders."""
    C, h, w = shape
    ys, xs = np.mgrid[:h, :w]
    maps = rng.normal(-0.02, 0.02, shape)
    for c in range(C):
        for _ in range(count):
            y, x = rng.uniform(-2, h + 2), rng.uniform(-2, w + 2)
            sigma = rng.uniform(0.8, 3)
            maps[c] += rng.uniform(0.05, 1.1) * np.exp(-((ys - y)**2 + (xs - x)**2) / (2 * sigma**2))
    return torch.from_numpy(maps.astype(np.float32))


@pytest.mark.parametrize('upsampled', [False, True])
@pytest.mark.parametrize('mirrored', [False, True])
def test_map_part_patches_are_the_dense_map(upsampled: bool, mirrored: bool) -> None:
    """Every patch of a part, at the borders too, equals the same window of its dense map
    (small maps are upsampled whole, larger ones patch by patch)."""
    rng = np.random.default_rng(0)
    for shape in [(5, 12, 20), (3, 7, 9), (3, 40, 60), (4, 30, 36), (3, 10, 60)]:
        source = torch.from_numpy(rng.normal(0, 1, shape).astype(np.float32))
        channels = torch.from_numpy(rng.permutation(shape[0])[:3])
        part = MapPart(source, channels, upsampled, mirrored)
        dense = part.dense()
        _, h, w = part.shape
        assert dense.shape == part.shape
        for _ in range(60):
            ph, pw = int(rng.integers(1, h + 1)), int(rng.integers(1, w + 1))
            k = torch.from_numpy(rng.integers(0, 3, 4))
            y = torch.from_numpy(rng.integers(0, h - ph + 1, 4))
            x = torch.from_numpy(rng.integers(0, w - pw + 1, 4))
            patches = part.patches(k, y, x, (ph, pw))
            for n in range(4):
                assert torch.equal(patches[n], dense[k[n], y[n]:y[n] + ph, x[n]:x[n] + pw])


def _dense_reference(heat_parts: List[Tensor], tag_parts: List[Tensor], size: tuple) -> tuple:
    """The official dense projection: every part projected, heatmaps averaged, tags stacked."""
    def project(maps: Tensor) -> Tensor:
        if maps.shape[-2:] == size:
            return maps
        return F.interpolate(maps[None], size=size, mode='bilinear', align_corners=False)[0]

    heat = [project(part) for part in heat_parts]
    heat = heat[0] if len(heat) == 1 else torch.add(heat[0], heat[1]).div_(2.0)
    return heat, torch.stack([project(part) for part in tag_parts])


def _check_maps(maps: ProjectedInputMaps, heat: Tensor, tags: Tensor) -> int:
    """What the decoder reads from ``maps`` equals the dense ``heat`` (K, H, W) and ``tags``
    (L, K, H, W), and the tag bounds of its blocks hold; returns the number of positive
    pixels."""
    K, H, W = heat.shape
    types, pixels, values, pixel_tags = maps.positive()
    assert (types[1:] >= types[:-1]).all(), 'positive pixels grouped by type'
    order = (types * H * W + pixels).argsort()
    ref_types, ref_pixels = (heat.reshape(K, -1) > 0).nonzero(as_tuple=True)
    assert torch.equal(types[order], ref_types) and torch.equal(pixels[order], ref_pixels)
    assert torch.equal(values[order], heat.reshape(K, -1)[ref_types, ref_pixels])
    assert torch.equal(pixel_tags[:, order], tags.reshape(len(tags), K, -1)[:, ref_types,
                                                                          ref_pixels])
    # the heatmap at the positive pixels and the pixels within 2 of them (NMS, adjust)
    y, x = ref_pixels // W, ref_pixels % W
    for dy in range(-2, 3):
        for dx in range(-2, 3):
            ny, nx = (y + dy).clamp(0, H - 1), (x + dx).clamp(0, W - 1)
            assert torch.equal(maps.heat_at(ref_types, ny * W + nx), heat[ref_types, ny, nx])
    # blocks read on demand (refine's search of the rest of the map) and their tag bounds
    bh, bw = maps.block_shape
    all_lower, all_upper = maps.tag_block_bounds(torch.arange(K))  # (L, K, B_y, B_x)
    for k in range(K):
        lower, upper = maps.tag_block_bounds(torch.tensor([k]))
        assert torch.equal(lower[:, 0], all_lower[:, k])
        assert torch.equal(upper[:, 0], all_upper[:, k])
        lower, upper = lower[:, 0], upper[:, 0]  # (L, B_y, B_x)
        by, bx = torch.meshgrid(torch.arange(lower.shape[1]), torch.arange(lower.shape[2]),
                                indexing='ij')
        heat_blocks, tag_blocks, index = maps.blocks(torch.full((by.numel(), ), k),
                                                     by.flatten(), bx.flatten())
        inside = heat_blocks > -float('inf')
        assert torch.equal(heat_blocks[inside], heat[k].flatten()[index[inside]])
        assert torch.equal(tag_blocks[:, inside], tags[:, k].flatten(1)[:, index[inside]])
        assert torch.equal(index[inside].sort().values, torch.arange(H * W))
        block_of = (index // W // bh) * lower.shape[2] + (index % W) // bw
        flat_lower, flat_upper = lower.flatten(1), upper.flatten(1)
        assert (tag_blocks[:, inside] >= flat_lower[:, block_of[inside]]).all()
        assert (tag_blocks[:, inside] <= flat_upper[:, block_of[inside]]).all()
    # blocks of several types in one call (refine reads them for all types at once)
    kinds = torch.arange(K).repeat_interleave(2)
    by, bx = torch.zeros_like(kinds), kinds % lower.shape[2]
    heat_blocks, tag_blocks, index = maps.blocks(kinds, by, bx)
    inside = heat_blocks > -float('inf')
    row = kinds[:, None].expand_as(index)
    assert torch.equal(heat_blocks[inside], heat.flatten(1)[row[inside], index[inside]])
    assert torch.equal(tag_blocks[:, inside], tags.flatten(2)[:, row[inside], index[inside]])
    dense_heat, dense_tags = maps.dense()
    assert torch.equal(dense_heat, heat)
    assert torch.equal(dense_tags, tags.flatten(0, 1))
    return len(types)


@pytest.mark.parametrize('size', [(64, 96), (72, 104), (88, 48)])
@pytest.mark.parametrize('flip', [False, True])
@pytest.mark.parametrize('tile', [(8, 64), (2, 8)])
def test_projected_maps_are_the_dense_projection(size: tuple, flip: bool, tile: tuple) -> None:
    """Random blob maps, with and without the mirror part, for sizes whose 1/2 resolution is a
    multiple of the tile or not (smaller tiles), and tags that are views of a 1/4 output."""
    rng = np.random.default_rng(1)
    H, W = size
    K = 5
    heat_parts = [_blobs(rng, (K, H // 2, W // 2), 3) for _ in range(2 if flip else 1)]
    quarter = torch.from_numpy(rng.normal(0, 1, (2 * K, H // 4, W // 4)).astype(np.float32))
    perm = torch.from_numpy(rng.permutation(K))
    tag_parts = [MapPart(quarter, K + perm, upsampled=True, mirrored=flip),
                 MapPart(quarter, perm, upsampled=True, mirrored=False)]
    maps = ProjectedInputMaps(heat_parts, tag_parts, size, tile=tile)
    assert maps.lazy
    heat, tags = _dense_reference(heat_parts, [part.dense() for part in tag_parts], size)
    positives = _check_maps(maps, heat, tags)
    print(f'{size} flip={flip}: {positives} positive pixels of {heat.numel()}, tile {maps.tile}')


def test_tiles_and_blocks_are_powers_of_two() -> None:
    parts = [torch.zeros(1, 32, 48)]
    for tile, block in (((6, 64), (8, 32)), ((8, 64), (8, 24)), ((0, 64), (8, 32))):
        with pytest.raises(ValueError, match='powers of two'):
            ProjectedInputMaps(parts, parts, (64, 96), tile=tile, block=block)


def test_not_a_2x_projection_is_dense() -> None:
    """Sizes that are not twice the 1/2-resolution maps, and small maps, are projected densely
    (same values)."""
    rng = np.random.default_rng(2)
    heat_parts = [_blobs(rng, (3, 20, 30), 2)]
    tag_parts = [torch.from_numpy(rng.normal(0, 1, (3, 20, 30)).astype(np.float32))]
    for size in [(45, 61), (20, 30), (40, 60)]:
        maps = ProjectedInputMaps(heat_parts, tag_parts, size)
        assert not maps.lazy
        heat, tags = _dense_reference(heat_parts, tag_parts, size)
        _check_maps(maps, heat, tags)


@pytest.fixture(scope='module')
def e2e_fixture(e2e_fixtures: List[Path]) -> Path:
    return e2e_fixtures[0]


@pytest.fixture(scope='module')
def head(repo_root: Path):
    register_all_modules()
    head = MODELS.build(Config.fromfile(str(repo_root / CONFIG)).model.head).eval()
    head.forward = lambda feats: feats  # recorded outputs stand for the network
    return head


def _variants(data: dict, rng: np.random.Generator):
    """The recorded outputs and altered copies: noise, a shift, a brighter / dimmer map."""
    base = [torch.from_numpy(data[key]) for key in
            ('output_quarter', 'output_half', 'output_quarter_flip', 'output_half_flip')]
    yield 'recorded', base
    yield 'noise', [o + torch.from_numpy(rng.normal(0, 0.02, o.shape).astype(np.float32))
                    for o in base]
    yield 'shifted', [o.roll((4 * (i % 2 + 1), -8), (-2, -1)) for i, o in enumerate(base)]
    yield 'scaled', [o * torch.tensor([0.6] * 17 + [1.0] * (o.shape[1] - 17))[:, None, None]
                     for o in base]


@pytest.mark.slow
def test_lazy_decoding_is_the_dense_decoding(e2e_fixture: Path, head, capsys) -> None:
    """The head's lazy flip-test path predicts exactly what the codec predicts from the dense
    official maps, on the fixture's recorded outputs and altered copies, with the official and
    with other limits."""
    from mmpose.structures import PoseDataSample
    rng = np.random.default_rng(0)
    index = json.loads((e2e_fixture / 'index.json').read_text())['images']
    cases = 0
    for entry in index:
        data = dict(np.load(e2e_fixture / (Path(entry['file_name']).stem + '.npz')))
        input_w, input_h = entry['input_size']
        sample = PoseDataSample(metainfo=dict(input_size=(input_w, input_h),
                                              flip_indices=COCO_FLIP))
        for name, outputs in _variants(data, rng):
            feats = [outputs[:2], outputs[2:]]
            for limits in (dict(), dict(decode_topk=5, decode_max_instances=3)):
                saved = {key: getattr(head.decoder, key) for key in limits}
                for key, value in limits.items():
                    setattr(head.decoder, key, value)
                try:
                    with torch.no_grad():
                        lazy = head.predict(feats, [sample], dict(flip_test=True))[0]
                        heatmaps, tags = head._aggregate_outputs(feats[0])
                        heatmaps_flip, tags_flip = head._aggregate_outputs(feats[1], COCO_FLIP)
                        heat, all_tags = _dense_reference(
                            [heatmaps[0], heatmaps_flip[0]],
                            list(torch.cat((tags[0], tags_flip[0])).view(-1, 17, *tags.shape[-2:])),
                            (input_h, input_w))
                        dense = head.decoder.decode_maps(InputMaps(heat, all_tags.flatten(0, 1)))
                finally:
                    for key, value in saved.items():
                        setattr(head.decoder, key, value)
                assert np.array_equal(lazy.keypoints, dense[0]), (entry['file_name'], name)
                assert np.array_equal(lazy.keypoint_scores, dense[1]), (entry['file_name'], name)
                assert np.array_equal(lazy.bbox_scores, dense[2]), (entry['file_name'], name)
                cases += 1
                with capsys.disabled():
                    print(f'\n{entry["file_name"]} {name} {limits or "official limits"}: '
                          f'{len(dense[0])} people, identical')
    assert cases == 8 * len(index)
