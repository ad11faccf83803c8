"""HigherHRNetHead: output shapes, masked heatmap loss, flip and aggregation, prediction."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.structures import InstanceData
from mmpose.structures import MultilevelPixelData, PoseDataSample

from posezoo.pose.higherhrnet import HigherHRNetHead

FLIP_INDICES = [0, 2, 1]  # keypoint 0 is central, 1 and 2 are a left/right pair


def _head(**kwargs) -> HigherHRNetHead:
    cfg = dict(in_channels=8, num_keypoints=3, deconv_out_channels=(8, ),
               decoder=dict(type='MultiResolutionAssociativeEmbedding', input_size=(64, 64),
                            heatmap_sizes=[(16, 16), (32, 32)], decode_keypoint_order=[0, 1, 2],
                            decode_topk=5))
    cfg.update(kwargs)
    return HigherHRNetHead(**cfg)


def test_output_shapes() -> None:
    feats = (torch.randn(2, 8, 16, 16), torch.randn(2, 16, 8, 8))
    assert [o.shape for o in _head()(feats)] == [(2, 6, 16, 16), (2, 3, 32, 32)]
    shared = _head(tag_per_keypoint=False, tag_dim=2)
    assert [o.shape for o in shared(feats)] == [(2, 5, 16, 16), (2, 3, 32, 32)]
    two = _head(deconv_out_channels=(8, 4), deconv_kernel_sizes=(4, 3), cat_output=(True, False),
                with_tags=(True, False, True), final_conv_kernel=3)
    assert [o.shape for o in two(feats)] == [(2, 6, 16, 16), (2, 3, 32, 32), (2, 6, 64, 64)]
    assert two.deconv_layers[0][0][0].in_channels == 8 + 6
    assert two.deconv_layers[1][0][0].in_channels == 8  # no concatenation
    with pytest.raises(ValueError, match='one entry per deconv stage'):
        _head(with_tags=(True, ))


def _samples(with_people: bool = True):
    rng = np.random.default_rng(0)
    samples = []
    for _ in range(2):
        sample = PoseDataSample()
        fields = MultilevelPixelData()
        fields.heatmaps = [torch.from_numpy(rng.random((3, 16, 16), np.float32)),
                           torch.from_numpy(rng.random((3, 32, 32), np.float32))]
        masks = [torch.ones(1, 16, 16), torch.ones(1, 32, 32)]
        masks[0][:, :8] = 0  # the top half of level 0 is an ignored (crowd) region
        fields.heatmap_mask = masks
        sample.gt_fields = fields
        # (N=2 people, R=2 levels, K=3, [index, visible]); only level 0 carries tags
        people = torch.tensor([[[0, 1], [17, 1], [34, 0]], [[0, 1], [0, 1], [0, 1]]])
        indices = people[:, None].repeat(1, 2, 1, 1)
        sample.gt_instance_labels = InstanceData(
            keypoint_indices=indices if with_people else indices[:0])
        samples.append(sample)
    return samples


def test_loss_values() -> None:
    head = _head()
    outputs = [torch.randn(2, 6, 16, 16, requires_grad=True),
               torch.randn(2, 3, 32, 32, requires_grad=True)]
    head.forward = lambda feats: outputs
    samples = _samples()
    losses = head.loss(None, samples)
    assert set(losses) == {'loss_kpt_0', 'loss_kpt_1', 'loss_pull_0', 'loss_push_0'}
    for r in range(2):
        gt = torch.stack([s.gt_fields.heatmaps[r] for s in samples])
        mask = torch.stack([s.gt_fields.heatmap_mask[r] for s in samples])
        expected = ((outputs[r][:, :3] - gt)**2 * mask).mean()
        assert losses[f'loss_kpt_{r}'].item() == pytest.approx(expected.item(), rel=1e-5)
    # masked region receives no gradient
    losses['loss_kpt_0'].backward()
    assert outputs[0].grad[:, :3, :8].abs().sum() == 0
    assert outputs[0].grad[:, :3, 8:].abs().sum() > 0
    # tags: person 0 has tags at index 0 of keypoint 0 and index 17 of keypoint 1
    tags = outputs[0][:, 3:].detach().flatten(2)
    t0, t1 = tags[:, 0, 0], tags[:, 1, 17]
    pull = (((t0 - t1) / 2)**2).mean() * 0.001  # pull of the first person, both images
    person2 = tags[:, :, 0].mean(1)
    push = (0.5 * torch.exp(-((t0 + t1) / 2 - person2)**2)).mean() * 0.001
    pull2 = (((tags[:, :, 0] - person2[:, None])**2).mean(1))
    assert losses['loss_pull_0'].item() == pytest.approx(
        (pull + (pull2 * 0.001).mean()).item() / 2, rel=1e-4)
    assert losses['loss_push_0'].item() == pytest.approx(push.item(), rel=1e-4)
    # images without people: zero AE losses, still differentiable
    empty = head.loss(None, _samples(with_people=False))
    assert empty['loss_pull_0'].item() == 0 and empty['loss_push_0'].item() == 0


def test_flip_swaps_left_right() -> None:
    head = _head()
    maps = torch.arange(2 * 6 * 4 * 5, dtype=torch.float32).view(2, 6, 4, 5)
    flipped = head._flip(maps, FLIP_INDICES)
    for c, src in enumerate([0, 2, 1, 3, 5, 4]):
        assert torch.equal(flipped[:, c], maps[:, src].flip(-1))
    assert torch.equal(head._flip(flipped, FLIP_INDICES), maps)


def test_aggregation_and_flip_test() -> None:
    """The official order: 1/4 output upsampled to 1/2 and averaged there, mirror flipped back,
    both projected to the input size, then averaged (heatmaps) / stacked (tags)."""
    head = _head().eval()
    outputs = [torch.rand(1, 6, 16, 16), torch.rand(1, 3, 32, 32)]
    heatmaps, tags = head._aggregate_outputs(outputs)
    quarter_up = F.interpolate(outputs[0], size=(32, 32), mode='bilinear', align_corners=False)
    assert torch.equal(heatmaps, (quarter_up[:, :3] + outputs[1]) / 2)
    assert torch.equal(tags, quarter_up[:, 3:])
    flipped_back, _ = head._aggregate_outputs(outputs, FLIP_INDICES)
    assert torch.equal(flipped_back, head._flip(heatmaps, FLIP_INDICES))

    def project(maps: torch.Tensor) -> torch.Tensor:
        return F.interpolate(maps, size=(64, 64), mode='bilinear', align_corners=False)

    # flip test: with mirrored "network outputs" for the flipped input, heatmaps are unchanged
    # and the tags get a second dimension
    flipped = [head._flip(o, FLIP_INDICES) for o in outputs]
    head.forward = lambda feats: feats
    sample = PoseDataSample(metainfo=dict(input_size=(64, 64), flip_indices=FLIP_INDICES))
    _, fields = head.predict([outputs, flipped], [sample],
                             dict(flip_test=True, output_heatmaps=True))
    assert torch.allclose(fields[0].heatmaps, project(heatmaps)[0], atol=1e-6)
    assert fields[0].tags.shape == (6, 64, 64)
    assert torch.allclose(fields[0].tags[3:], project(tags)[0], atol=1e-6)

    # multi-scale: a second scale at half resolution is projected to the base input size
    half = [F.interpolate(o, scale_factor=0.5, mode='bilinear') for o in outputs]
    _, fields = head.predict([tuple(outputs), tuple(half)], [sample],
                             dict(multiscale_test=True, output_heatmaps=True))
    heatmaps_half, _ = head._aggregate_outputs(half)
    assert torch.allclose(fields[0].heatmaps,
                          (project(heatmaps)[0] + project(heatmaps_half)[0]) / 2)
    assert fields[0].tags.shape == (6, 64, 64)


def test_predict_empty_image() -> None:
    head = _head().eval()
    sample = PoseDataSample(metainfo=dict(input_size=(64, 64), flip_indices=FLIP_INDICES))
    feats = (torch.zeros(1, 8, 16, 16), )
    for m in head.modules():
        if isinstance(m, (torch.nn.Conv2d, torch.nn.ConvTranspose2d)):
            torch.nn.init.zeros_(m.weight)
            if m.bias is not None:
                torch.nn.init.zeros_(m.bias)
    preds = head.predict([feats, feats], [sample], dict(flip_test=True))
    assert preds[0].keypoints.shape == (0, 3, 2) and preds[0].bbox_scores.shape == (0, )
