"""BKPoseHeatmap: targets (eq. 1) against closed forms, grouping on synthetic people."""
import numpy as np
import pytest
import torch

from posezoo.pose.bkpose import BKPoseHeatmap, pool_pyramid

COCO_LINKS = [(15, 13), (13, 11), (16, 14), (14, 12), (11, 12), (5, 11), (6, 12), (5, 6), (5, 7),
              (6, 8), (7, 9), (8, 10), (1, 2), (0, 1), (0, 2), (1, 3), (2, 4), (3, 5), (4, 6)]


def _person(x0: float, y0: float, scale: float = 1.0) -> np.ndarray:
    """A standing COCO-17 person (input pixels), head at (x0, y0)."""
    offsets = np.array([[0, 0], [-4, -4], [4, -4], [-9, -1], [9, -1], [-20, 20], [20, 20],
                        [-28, 55], [28, 55], [-30, 90], [30, 90], [-14, 95], [14, 95],
                        [-15, 145], [15, 145], [-16, 195], [16, 195]], dtype=np.float32)
    return np.array([x0, y0], dtype=np.float32) + offsets * scale


def test_metainfo_gives_keypoints_and_links():
    codec = BKPoseHeatmap(input_size=(512, 512), heatmap_size=(128, 128))
    assert codec.num_keypoints == 17 and codec.num_links == 19 and codec.num_channels == 36
    assert sorted(map(sorted, codec.skeleton_links)) == sorted(map(sorted, COCO_LINKS))
    halpe = BKPoseHeatmap((512, 512), (128, 128),
                          metainfo=dict(from_file='mmpose::_base_/datasets/halpe26.py'))
    assert halpe.num_keypoints == 26
    assert halpe.num_links == len(halpe.skeleton_links) > 19
    for codec in (codec, halpe):
        perm = codec.link_flip_indices()
        assert sorted(perm) == list(range(codec.num_channels))
        assert [perm[p] for p in perm] == list(range(codec.num_channels))  # an involution


def test_keypoint_gaussian_closed_form():
    codec = BKPoseHeatmap((512, 512), (128, 128), num_keypoints=2, skeleton_links=[(0, 1)],
                          sigma_k=9.0, sigma_b=7.0)
    keypoints = np.array([[[201.0, 102.0], [300.0, 102.0]]])
    heatmaps = codec.encode(keypoints, np.array([[1.0, 0.0]]))['heatmaps']
    assert heatmaps.shape == (3, 128, 128) and heatmaps.dtype == np.float32
    sigma = 9.0 / 4  # input pixels -> heatmap pixels
    cx, cy = 201.5 / 4 - 0.5, 102.5 / 4 - 0.5  # pixel centres: input 4 j + 1.5 is heatmap j
    for x, y in [(50, 25), (52, 27), (48, 22)]:
        expected = np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * sigma ** 2))
        assert heatmaps[0, y, x] == pytest.approx(expected, rel=1e-5)
    assert heatmaps[0, 25, 50 + 7] == 0  # beyond r0 = 3 sigma_k = 6.75 heatmap pixels
    assert heatmaps[1].max() == 0  # invisible keypoint
    assert heatmaps[2].max() == 0  # link with an invisible end


def test_body_part_gaussian_distance_to_segment():
    codec = BKPoseHeatmap((512, 512), (128, 128), num_keypoints=2, skeleton_links=[(0, 1)])
    keypoints = np.array([[[81.5, 201.5], [321.5, 201.5]]])  # heatmap (20, 50) -> (80, 50)
    limb = codec.encode(keypoints, np.ones((1, 2)))['heatmaps'][2]
    sigma = 7.0 / 4
    assert limb[50, 20:81].min() == pytest.approx(1.0)  # on the segment
    assert limb[52, 50] == pytest.approx(np.exp(-4 / (2 * sigma ** 2)), rel=1e-5)
    # beyond an end the distance is to that end point
    assert limb[51, 82] == pytest.approx(np.exp(-(4 + 1) / (2 * sigma ** 2)), rel=1e-5)
    assert limb[50 + 6, 50] == 0  # beyond d0 = 3 sigma_b = 5.25


def test_people_combine_with_max():
    codec = BKPoseHeatmap((512, 512), (128, 128))
    a, b = _person(150, 80), _person(170, 90)
    both = codec.encode(np.stack([a, b]), np.ones((2, 17)))['heatmaps']
    one = codec.encode(a[None], np.ones((1, 17)))['heatmaps']
    two = codec.encode(b[None], np.ones((1, 17)))['heatmaps']
    np.testing.assert_allclose(both, np.maximum(one, two))


@pytest.mark.parametrize('size', [(512, 512), (640, 384), (256, 704)])
def test_round_trip_groups_people(size):
    w, h = size
    codec = BKPoseHeatmap((w, h), (w // 4, h // 4))
    people = np.stack([_person(0.2 * w, 40), _person(0.5 * w + 3.3, 60.7, 0.8),
                       _person(0.8 * w - 1.6, 45.2, 0.9)])
    visible = np.ones((3, 17))
    visible[1, [9, 15]] = 0  # a person with missing keypoints
    heatmaps = codec.encode(people, visible)['heatmaps']
    keypoints, scores, instance_scores = codec.decode(torch.from_numpy(heatmaps))
    assert keypoints.shape == (3, 17, 2) and scores.shape == (3, 17)
    assert np.all(np.diff(instance_scores) <= 0)
    order = np.argsort(keypoints[:, 0, 0])
    keypoints, scores = keypoints[order], scores[order]
    err = np.abs(keypoints - people)[visible > 0].max()
    print(f'round trip {size}: max abs error {err:.4f} px')
    assert err < 0.05
    assert (scores[visible > 0] > 0.9).all() and (scores[visible == 0] == 0).all()


def _labelled(people: dict) -> tuple:
    """(N, 17, 2) keypoints and (N, 17) visibility from ``{person: {keypoint: (x, y)}}``."""
    keypoints, visible = np.zeros((len(people), 17, 2), np.float32), np.zeros((len(people), 17))
    for n, labelled in enumerate(people.values()):
        for k, xy in labelled.items():
            keypoints[n, k], visible[n, k] = xy, 1
    return keypoints, visible


def _decoded_error(codec: BKPoseHeatmap, keypoints: np.ndarray, visible: np.ndarray) -> tuple:
    """Encode, decode; per labelled person the largest error of its labelled keypoints in the
    decoded person that fits it best, and the number of people decoded."""
    decoded, _, _ = codec.decode(codec.encode(keypoints, visible)['heatmaps'])
    return [min(float(np.abs(d - k)[v > 0].max()) for d in decoded)
            for k, v in zip(keypoints, visible)], len(decoded)


#: Two real COCO people (coco-mini train2017) as they overlap in a classroom scene of
#: tools/analysis/classroom_scenes.py, moved to a small canvas: the smaller one's shoulder line
#: continues the larger one's (left shoulder 4 px from the other's right shoulder) and their
#: right forearms run side by side. The crossed shoulder pairs lie on the union of the two
#: shoulder lines, so they score on the body-part map as well as the real pairs.
OVERLAPPING = {'large': {0: (77, 55), 1: (80, 52), 2: (75, 52), 3: (92, 53), 5: (107, 73),
                         6: (67, 70), 8: (63, 97), 10: (64, 115), 11: (95, 124), 12: (75, 124)},
               'small': {5: (71, 70), 6: (44, 72), 8: (39, 103), 10: (46, 113), 12: (46, 116)}}

#: A real COCO body (12 keypoints, 34 px shoulder width) and, 300 px away, a large person
#: labelled with a face whose right eye sits 85 px from the nose (scale ~530 px), a shoulder and
#: a wrist (coco-mini train2017, as tiled in a classroom scene).
FACE_AND_BODY = {'body': {5: (63, 5), 6: (84, 13), 7: (54, 27), 8: (82, 31), 9: (46, 42),
                          10: (72, 48), 11: (55, 46), 12: (69, 49), 13: (47, 75), 14: (60, 79),
                          15: (47, 111), 16: (50, 111)},
                 'face': {0: (384, 123), 1: (400, 126), 2: (380, 38), 5: (169, 311),
                          9: (272, 429)}}


def test_length_prior_separates_people_overlapping_along_a_line():
    """Step 3's second pass (limb lengths relative to the person's scale) picks the real
    shoulder pairs; without it (``length_prior=0``) the two people swap their right sides."""
    keypoints, visible = _labelled(OVERLAPPING)
    errors, people = _decoded_error(BKPoseHeatmap((448, 448), (112, 112)), keypoints, visible)
    assert people == 2 and max(errors) < 0.05, errors
    errors, _ = _decoded_error(BKPoseHeatmap((448, 448), (112, 112), length_prior=0),
                               keypoints, visible)
    assert max(errors) > 20, errors


def test_fragments_of_very_different_scales_do_not_merge():
    """A face fragment of scale ~530 px does not merge with a 34 px body (scales 15x apart,
    ``merge_max_scale_ratio`` 4); with no limit it does, and its shoulder and wrist are left
    as lone keypoints."""
    keypoints, visible = _labelled(FACE_AND_BODY)
    errors, people = _decoded_error(BKPoseHeatmap((448, 448), (112, 112)), keypoints, visible)
    assert people == 2 and max(errors) < 0.05, errors
    errors, people = _decoded_error(
        BKPoseHeatmap((448, 448), (112, 112), merge_max_scale_ratio=np.inf), keypoints, visible)
    assert people == 3 and max(errors) > 100, errors


def test_empty_heatmap_gives_no_people():
    codec = BKPoseHeatmap((320, 192), (80, 48))
    keypoints, scores, instance_scores = codec.decode(np.zeros((36, 48, 80), np.float32))
    assert keypoints.shape == (0, 17, 2) and scores.shape == (0, 17)
    assert instance_scores.shape == (0, )
    heatmaps = codec.encode(np.zeros((0, 17, 2)), np.zeros((0, 17)))['heatmaps']
    assert heatmaps.shape == (36, 48, 80) and heatmaps.max() == 0


def test_pool_pyramid_is_adaptive_average_or_max_pooling():
    full = torch.rand(2, 36, 64, 64)
    pyramid = pool_pyramid(full, [(4, 4), (8, 8), (64, 64)])
    assert pyramid[2] is full
    assert torch.allclose(pyramid[0][0, 3, 1, 2], full[0, 3, 16:32, 32:48].mean())
    assert pyramid[1].shape == (2, 36, 8, 8)
    maxed = pool_pyramid(full, [(4, 4)], mode='max')[0]
    assert maxed[0, 3, 1, 2] == full[0, 3, 16:32, 32:48].max()
    with pytest.raises(ValueError, match='mode'):
        pool_pyramid(full, [(4, 4)], mode='min')


def test_pixel_centre_convention():
    codec = BKPoseHeatmap((512, 384), (128, 96))
    # heatmap pixel j covers input [4j, 4j + 4): its centre is input 4j + 1.5
    np.testing.assert_allclose(codec.to_input(np.array([[0.0, 0.0], [10.0, 3.0]])),
                               [[1.5, 1.5], [41.5, 13.5]])
    points = np.array([[0.0, 0.0], [511.0, 383.0], [37.3, 200.9]])
    np.testing.assert_allclose(codec.to_input(codec.to_heatmap(points)), points, atol=1e-4)
    # mirroring the input (x -> W - 1 - x) is mirroring the heatmap (j -> W_h - 1 - j)
    mirrored = codec.to_heatmap(np.array([[511.0 - 37.3, 0.0]]))[0, 0]
    assert mirrored == pytest.approx(127 - codec.to_heatmap(np.array([[37.3, 0.0]]))[0, 0])


def test_candidates_are_mmpose_nms_maxima():
    """The codec's separable max-pool NMS (faster on CPU) keeps exactly the maxima of mmpose's
    batch_heatmap_nms (a square window), above the threshold; so do the candidates."""
    from mmpose.codecs.utils import batch_heatmap_nms
    rng = np.random.default_rng(0)
    codec = BKPoseHeatmap((256, 256), (64, 64))
    heatmaps = rng.random((17, 64, 64)).astype(np.float32) ** 4
    heatmaps[3, 10:12, 20:22] = 0.99  # a plateau
    locs, scores, valid = codec.grouping()._candidates(heatmaps)
    reference = batch_heatmap_nms(torch.from_numpy(heatmaps)[None], codec.nms_kernel)[0]
    reference = reference * (reference > codec.score_thr)
    for k in range(17):
        found = np.sort(scores[k][scores[k] > 0])
        assert np.array_equal(found, np.sort(reference[k][reference[k] > 0].numpy()))
    # the plateau's four equal maxima give one valid candidate
    plateau = (scores[3] == np.float32(0.99)) & valid[3]
    assert int(plateau.sum()) == 1


def test_bad_input_raises():
    codec = BKPoseHeatmap((512, 512), (128, 128))
    with pytest.raises(ValueError, match='keypoints must be'):
        codec.encode(np.zeros((1, 16, 2)))
    with pytest.raises(ValueError, match='expected'):
        codec.decode(np.zeros((17, 128, 128)))
    with pytest.raises(ValueError, match='together'):
        BKPoseHeatmap((512, 512), (128, 128), num_keypoints=17)
