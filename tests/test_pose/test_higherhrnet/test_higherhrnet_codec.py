"""MultiResolutionAssociativeEmbedding on a hand-made two-person case."""
import numpy as np
import torch
import torch.nn.functional as F

from posezoo.pose.higherhrnet import MultiResolutionAssociativeEmbedding
from posezoo.pose.higherhrnet.input_maps import InputMaps

# two people, three keypoints, in a 64x64 input
KEYPOINTS = np.array([[[8., 8.], [16., 8.], [24., 24.]],
                      [[40., 40.], [48., 40.], [56., 56.]]], dtype=np.float32)
VISIBLE = np.array([[1., 1., 1.], [1., 1., 0.]], dtype=np.float32)


def _codec(**kwargs) -> MultiResolutionAssociativeEmbedding:
    return MultiResolutionAssociativeEmbedding(
        input_size=(64, 64), heatmap_sizes=[(16, 16), (32, 32)], sigma=1.0,
        decode_keypoint_order=[0, 1, 2], decode_topk=5, **kwargs)


def test_encode_two_people() -> None:
    encoded = _codec().encode(KEYPOINTS, VISIBLE)
    heatmaps, indices = encoded['heatmaps'], encoded['keypoint_indices']
    assert [h.shape for h in heatmaps] == [(3, 16, 16), (3, 32, 32)]
    assert indices.shape == (2, 2, 3, 2)
    np.testing.assert_array_equal(encoded['keypoint_weights'], VISIBLE)
    for r, stride in enumerate((4, 2)):
        W = 64 // stride
        for n in range(2):
            for k in range(3):
                x, y = (KEYPOINTS[n, k] / stride).astype(int)
                assert indices[n, r, k, 1] == VISIBLE[n, k]
                if VISIBLE[n, k]:
                    assert indices[n, r, k, 0] == y * W + x
                    assert heatmaps[r][k, y, x] == 1.0
        # keypoint 0: the maximum of two unit Gaussians on the integer grid (sigma 1, window
        # radius 3 sigma + 1 as the official HeatmapGenerator), cut at the border
        ys, xs = np.mgrid[0:W, 0:W]
        expected = np.zeros((W, W))
        for n in range(2):
            x, y = (KEYPOINTS[n, 0] / stride).astype(int)
            near = (np.abs(xs - x) <= 4) & (np.abs(ys - y) <= 4)
            expected = np.maximum(expected,
                                  near * np.exp(-((xs - x)**2 + (ys - y)**2) / 2))
        np.testing.assert_allclose(heatmaps[r][0], expected, atol=1e-6)
        # keypoint 2 is invisible for the second person: a single peak
        assert np.count_nonzero(heatmaps[r][2] == 1.0) == 1
    empty = _codec().encode(np.zeros((0, 3, 2), np.float32), np.zeros((0, 3), np.float32))
    assert empty['keypoint_indices'].shape == (0, 2, 3, 2)
    assert all(h.max() == 0 for h in empty['heatmaps'])


def test_decode_two_people() -> None:
    codec = _codec()
    encoded = codec.encode(KEYPOINTS, np.ones((2, 3), np.float32))
    # heatmaps projected to the input size and averaged, as the head does
    heatmaps = torch.stack([
        F.interpolate(torch.from_numpy(h)[None], size=(64, 64), mode='bilinear',
                      align_corners=False)[0] for h in encoded['heatmaps']]).mean(0)
    # ideal tags: person n has tag 3n around each of its keypoints
    tags = torch.zeros(3, 64, 64)
    for n in range(2):
        for k in range(3):
            x, y = KEYPOINTS[n, k].astype(int)
            tags[k, max(y - 6, 0):y + 7, max(x - 6, 0):x + 7] = 3.0 * n
    keypoints, scores, instance_scores = codec.batch_decode(heatmaps[None], tags[None])
    assert keypoints[0].shape == (2, 3, 2) and scores[0].shape == (2, 3)
    order = np.argsort(keypoints[0][:, 0, 0])
    err = np.abs(keypoints[0][order] - KEYPOINTS).max()
    print(f'codec two-person round trip: max coordinate error {err:.2f} px')
    assert err <= 2.0
    assert np.allclose(instance_scores[0], scores[0].mean(axis=1))
    assert (scores[0] > 0.5).all()
    # no person: empty result
    keypoints, scores, instance_scores = codec.batch_decode(
        torch.zeros(1, 3, 64, 64), torch.zeros(1, 3, 64, 64))
    assert keypoints[0].shape == (0, 3, 2) and scores[0].shape == (0, 3)
    assert instance_scores[0].shape == (0, )


def test_refine_search_is_the_full_search() -> None:
    """The staged refine search returns the official full-map first maximum of
    ``heatmap - round(tag distance)`` whenever its heatmap value is positive (and -1 only when
    it is not), on maps with negative values, exact zeros and ties, for persons of several
    keypoint types searched at once, given the positive pixels in a random order within each
    type, read in blocks of several shapes, with several refine floors."""
    codec = _codec()
    rng = np.random.default_rng(0)
    K, H, W = 3, 48, 40
    for trial in range(40):
        heatmaps = rng.normal(0, 0.05, (K, H * W)).astype(np.float32)
        if trial % 2:
            heatmaps = np.maximum(heatmaps, 0)  # exact zeros, as a Gaussian-only network
        for k in range(K - (trial % 3 == 2)):  # one type without a bright pixel
            heatmaps[k, rng.integers(0, H * W, 6)] = rng.choice([0.05, 0.5, 0.9], 6)  # tied
        if trial % 5 == 4:
            heatmaps[1] = np.minimum(heatmaps[1], 0)  # a type without a positive pixel
        heatmaps = torch.from_numpy(heatmaps)
        tags = torch.from_numpy(rng.choice([0., 1., 2.5, 3.], (2, K, H * W)).astype(np.float32))
        if trial % 4 >= 2:  # constant over 8 x 8 regions: blocks far from a person are skipped
            regions = torch.from_numpy(rng.choice([0., 1., 2.5, 3.], (2, K, 6, 5)).astype(
                np.float32))
            tags = regions.repeat_interleave(8, 2).repeat_interleave(8, 3).reshape(2, K, H * W)
        people = torch.from_numpy(rng.uniform(-1, 4, (9, 2)).astype(np.float32))
        person_types = torch.from_numpy(rng.integers(0, K, 9))
        # the positive pixels grouped by type, in any order within a type (the lazy
        # projection lists them tile by tile)
        types, pixels = (heatmaps > 0).nonzero(as_tuple=True)
        order = torch.from_numpy(np.lexsort((rng.permutation(len(types)), types.numpy())))
        types, pixels = types[order], pixels[order]
        positive = (types, pixels, heatmaps[types, pixels], tags[:, types, pixels])
        # blocks of several shapes, some cut by the map's border, and several floors
        for block_shape, floors in (((16, 128), [0.1]), ((5, 7), [0.5, 0.1, 0.001]),
                                    ((48, 40), [])):
            codec.refine_floors = floors
            maps = InputMaps(heatmaps.view(K, H, W), tags.view(2 * K, H, W), block_shape)
            best = codec._refine_search(positive, person_types, people, maps)
            for m, (person, k) in enumerate(zip(people, person_types.tolist())):
                dist = ((tags[:, k] - person[:, None])**2).sum(0).sqrt()
                full = int(torch.argmax(heatmaps[k] - dist.round()))
                expected = full if heatmaps[k, full] > 0 else -1
                assert int(best[m]) == expected, (trial, m, block_shape)


def test_top_peaks_is_the_full_map_topk() -> None:
    """NMS + top-k on the pixels above the threshold returns what the official dense form
    returns (max pooling, peak map with 0 elsewhere, torch.topk over the whole map), with the
    same order among equal peaks, on maps with plateaus, for small and large maps."""
    rng = np.random.default_rng(0)
    for trial, (size, topk) in enumerate([((40, 48), 5), ((64, 96), 30), ((20, 20), 30)] * 4):
        codec = _codec()
        codec.decode_topk = topk
        H, W = size
        heatmaps = rng.uniform(0, 1, (2, 3, H, W)).astype(np.float32) ** 4
        heatmaps = np.round(heatmaps * 8) / 8  # plateaus: equal neighbouring peaks
        heatmaps = torch.from_numpy(heatmaps.astype(np.float32))
        flat = heatmaps.flatten(0, 1)
        maps = InputMaps(flat, torch.zeros_like(flat))
        vals, inds = codec._top_peaks(
            maps, (flat.flatten(1) > codec.decode_keypoint_thr).nonzero(as_tuple=True))
        pooled = F.max_pool2d(flat[:, None], 5, 1, 2)[:, 0]
        peaks = flat * ((pooled == flat) & (flat > codec.decode_keypoint_thr))
        ref_vals, ref_inds = peaks.flatten(1).topk(topk, dim=1)
        assert torch.equal(vals, ref_vals), trial
        found = ref_vals > 0  # slots without a peak (score 0) are discarded by the grouping
        assert torch.equal(inds[found], ref_inds[found]), trial
