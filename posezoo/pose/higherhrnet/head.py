"""HigherHRNet head: AE heatmaps + tags at 1/4 and deconvolved higher-resolution heatmaps."""
from typing import List, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from mmengine.structures import InstanceData, PixelData
from mmengine.utils import is_list_of
from mmpose.models.backbones.resnet import BasicBlock
from mmpose.models.heads.base_head import BaseHead
from mmpose.registry import KEYPOINT_CODECS, MODELS
from mmpose.utils.typing import ConfigType, OptConfigType, OptSampleList
from torch import Tensor, nn

from .input_maps import InputMaps, MapPart, ProjectedInputMaps
from .threads import cpu_threads

LossCfg = Union[ConfigType, Sequence[ConfigType]]

#: (padding, output_padding) of a stride-2 transposed convolution per kernel size.
_DECONV_PADDING = {4: (1, 0), 3: (1, 1), 2: (0, 0)}


def _per_stage(cfg: LossCfg, num_stages: int, name: str) -> List[ConfigType]:
    """Broadcast one loss config to ``num_stages`` configs, or check a list has that length."""
    cfgs = [cfg] * num_stages if isinstance(cfg, dict) else list(cfg)
    if len(cfgs) != num_stages:
        raise ValueError(f'{name}: expected {num_stages} configs, got {len(cfgs)}')
    return cfgs


@MODELS.register_module()
class HigherHRNetHead(BaseHead):
    """The HigherHRNet head (Cheng et al., CVPR 2020), in the layout of the official release.

    Stage 0 is a conv on the 1/4-resolution features predicting K heatmaps (+ tags). Each
    deconvolution stage i concatenates the previous features with the previous output
    (``cat_output[i]``), upsamples x2 with ``ConvTranspose -> BN -> ReLU``, refines with
    ``num_basic_blocks`` basic blocks, and a conv predicts K heatmaps (+ tags if ``with_tags``).

    Module names follow the official / MMPose 0.x layout (``final_layers.<i>``,
    ``deconv_layers.<i>.0.{0,1}`` for the deconv + BN, ``deconv_layers.<i>.<1+j>.0`` for the
    basic blocks), so converted checkpoints load by renaming the prefix only.

    Args:
        in_channels (int): channels of the 1/4-resolution backbone feature (``feats[0]``).
        num_keypoints (int): K.
        tag_dim (int): tag dimension L. Defaults to 1.
        tag_per_keypoint (bool): one tag map per keypoint (K*L channels) or shared (L channels).
            Defaults to True.
        deconv_out_channels (Sequence[int]): channels of each deconv stage (their number is the
            number of deconv stages). Defaults to ``(32, )``.
        deconv_kernel_sizes (Sequence[int]): kernel of each transposed conv (2, 3 or 4).
        num_basic_blocks (int): basic blocks after each deconv. Defaults to 4.
        cat_output (Sequence[bool]): concatenate the previous prediction before each deconv.
        with_tags (Sequence[bool]): which outputs (1 + number of deconvs) predict tags.
            Defaults to ``(True, False)`` (tags at 1/4 only).
        final_conv_kernel (int): kernel of the prediction convs (1 or 3). Defaults to 1.
        heatmap_loss (dict | Sequence[dict]): heatmap loss per output (masked MSE, weights
            [1, 1] officially). Defaults to ``dict(type='KeypointMSELoss')``.
        tag_loss (dict | Sequence[dict]): AE loss per tagged output (pull/push factors 0.001
            officially). Defaults to ``dict(type='HigherHRNetAELoss')``.
        decoder (dict, optional): the :class:`MultiResolutionAssociativeEmbedding` codec.
        init_cfg (dict, optional): initialisation; defaults to the official N(0, 0.001).

    Shapes:
        ``forward``: ``feats[0]`` (B, in_channels, H, W) -> list of outputs; output 0 is
        (B, K + T0, H, W), output i is (B, K + Ti, 2^i H, 2^i W) where Ti is K*L (or L) if the
        output has tags, else 0.
    """

    def __init__(self,
                 in_channels: int,
                 num_keypoints: int,
                 tag_dim: int = 1,
                 tag_per_keypoint: bool = True,
                 deconv_out_channels: Sequence[int] = (32, ),
                 deconv_kernel_sizes: Sequence[int] = (4, ),
                 num_basic_blocks: int = 4,
                 cat_output: Sequence[bool] = (True, ),
                 with_tags: Sequence[bool] = (True, False),
                 final_conv_kernel: int = 1,
                 heatmap_loss: LossCfg = dict(type='KeypointMSELoss'),
                 tag_loss: LossCfg = dict(type='HigherHRNetAELoss'),
                 decoder: OptConfigType = None,
                 init_cfg: OptConfigType = None) -> None:
        if init_cfg is None:
            init_cfg = [
                dict(type='Normal', layer=['Conv2d', 'ConvTranspose2d'], std=0.001),
                dict(type='Constant', layer='BatchNorm2d', val=1)
            ]
        super().__init__(init_cfg)
        num_deconvs = len(deconv_out_channels)
        if not (len(deconv_kernel_sizes) == len(cat_output) == num_deconvs
                and len(with_tags) == num_deconvs + 1):
            raise ValueError('deconv_out_channels, deconv_kernel_sizes and cat_output need '
                             'one entry per deconv stage, with_tags one more')
        if not with_tags[0]:
            raise ValueError('the 1/4-resolution output must predict tags (with_tags[0])')
        self.in_channels = in_channels
        self.num_keypoints = num_keypoints
        self.tag_dim = tag_dim
        self.tag_per_keypoint = tag_per_keypoint
        self.with_tags = list(with_tags)
        self.cat_output = list(cat_output)
        tag_channels = num_keypoints * tag_dim if tag_per_keypoint else tag_dim
        self.out_channels = [num_keypoints + (tag_channels if t else 0) for t in with_tags]

        stage_channels = [in_channels] + list(deconv_out_channels)
        self.final_layers = nn.ModuleList([
            nn.Conv2d(c, out, final_conv_kernel, padding=final_conv_kernel // 2)
            for c, out in zip(stage_channels, self.out_channels)
        ])
        self.deconv_layers = nn.ModuleList()
        for i, (planes, kernel) in enumerate(zip(deconv_out_channels, deconv_kernel_sizes)):
            if kernel not in _DECONV_PADDING:
                raise ValueError(f'unsupported deconv kernel size {kernel} (2, 3 or 4)')
            padding, output_padding = _DECONV_PADDING[kernel]
            deconv_in = stage_channels[i] + (self.out_channels[i] if cat_output[i] else 0)
            layers = [
                nn.Sequential(
                    nn.ConvTranspose2d(deconv_in, planes, kernel, stride=2, padding=padding,
                                       output_padding=output_padding, bias=False),
                    nn.BatchNorm2d(planes), nn.ReLU(inplace=True))
            ]
            layers += [nn.Sequential(BasicBlock(planes, planes))
                       for _ in range(num_basic_blocks)]
            self.deconv_layers.append(nn.Sequential(*layers))

        self.heatmap_losses = nn.ModuleList(
            MODELS.build(cfg)
            for cfg in _per_stage(heatmap_loss, len(with_tags), 'heatmap_loss'))
        self.tag_losses = nn.ModuleList(
            MODELS.build(cfg) for cfg in _per_stage(tag_loss, sum(with_tags), 'tag_loss'))
        self.decoder = KEYPOINT_CODECS.build(decoder) if decoder is not None else None

    def forward(self, feats: Union[Tuple[Tensor, ...], Tensor]) -> List[Tensor]:
        """Predict the outputs of every resolution (see the class docstring for shapes)."""
        x = feats[0] if isinstance(feats, (tuple, list)) else feats
        y = self.final_layers[0](x)
        outputs = [y]
        for i, deconv in enumerate(self.deconv_layers):
            if self.cat_output[i]:
                x = torch.cat((x, y), dim=1)
            x = deconv(x)
            y = self.final_layers[i + 1](x)
            outputs.append(y)
        return outputs

    def _full_tags(self, tags: Tensor) -> Tensor:
        """(B, L*K or L, H, W) -> (B, L*K, H, W): repeat shared tags for every keypoint."""
        if self.tag_per_keypoint:
            return tags
        return tags.repeat_interleave(self.num_keypoints, dim=1)

    def loss(self,
             feats: Tuple[Tensor, ...],
             batch_data_samples: OptSampleList,
             train_cfg: ConfigType = {}) -> dict:
        """Masked heatmap MSE per output and AE pull/push losses per tagged output.

        Reads from each data sample: ``gt_fields.heatmaps`` and ``gt_fields.heatmap_mask``
        (one level per output; (K, H_r, W_r) and (1, H_r, W_r)) and
        ``gt_instance_labels.keypoint_indices`` (N, R, K, 2).

        Returns:
            dict: ``loss_kpt_<r>`` per output, ``loss_pull_<r>`` and ``loss_push_<r>`` per
            tagged output.
        """
        outputs = self.forward(feats)
        K = self.num_keypoints
        losses = dict()
        tag_idx = 0
        for r, out in enumerate(outputs):
            gt_heatmaps = torch.stack(
                [d.gt_fields.heatmaps[r] for d in batch_data_samples]).to(out)
            masks = torch.stack(
                [d.gt_fields.heatmap_mask[r] for d in batch_data_samples]).to(out)
            if masks.ndim == 3:
                masks = masks[:, None]
            losses[f'loss_kpt_{r}'] = self.heatmap_losses[r](out[:, :K], gt_heatmaps, None,
                                                            masks)
            if self.with_tags[r]:
                keypoint_indices = [
                    d.gt_instance_labels.keypoint_indices[:, r].to(out.device).long()
                    for d in batch_data_samples
                ]
                pull, push = self.tag_losses[tag_idx](self._full_tags(out[:, K:]),
                                                      keypoint_indices)
                losses[f'loss_pull_{r}'] = pull
                losses[f'loss_push_{r}'] = push
                tag_idx += 1
        return losses

    def _flip(self, maps: Tensor, flip_indices: List[int]) -> Tensor:
        """Flip (B, L*K, H, W) maps horizontally and swap left/right keypoint channels."""
        B, C, H, W = maps.shape
        K = self.num_keypoints
        maps = maps.flip(-1).view(B, C // K, K, H, W)[:, :, flip_indices]
        return maps.reshape(B, C, H, W)

    def _aggregate_parts(self, outputs: List[Tensor], flip_indices: Optional[List[int]] = None
                         ) -> Tuple[Tensor, List[List[MapPart]]]:
        """Average the resolutions at the highest one, as the official
        ``get_multi_stage_outputs``: every lower output is upsampled (bilinear,
        ``align_corners=False``) to the size of the last output, heatmaps are averaged and the
        tags of every tagged output kept. With ``flip_indices`` the outputs are those of the
        mirrored image: they are flipped back and their keypoint channels swapped.

        The tags are returned as :class:`MapPart` views of the outputs (upsampled and flipped
        only where they are read), one per tag dimension and image.

        Returns:
            tuple: heatmaps (B, K, H, W) at the last output's size, and per image the L' tag
            maps (K, H, W) as :class:`MapPart`.
        """
        K = self.num_keypoints
        size = tuple(outputs[-1].shape[-2:])
        order = torch.tensor(flip_indices if flip_indices is not None else range(K),
                             device=outputs[0].device)
        heatmaps, tags = [], [[] for _ in range(len(outputs[0]))]
        for r, out in enumerate(outputs):
            upsampled = tuple(out.shape[-2:]) != size
            heatmaps.append(F.interpolate(out[:, :K], size=size, mode='bilinear',
                                          align_corners=False) if upsampled else out[:, :K])
            if not self.with_tags[r]:
                continue
            source = out[:, K:]
            if upsampled and size != (2 * out.shape[-2], 2 * out.shape[-1]):
                source = F.interpolate(source, size=size, mode='bilinear', align_corners=False)
                upsampled = False  # not an exact 2x: upsampled densely
            dims = source.shape[1] // K if self.tag_per_keypoint else source.shape[1]
            for b, image_tags in enumerate(tags):
                for dim in range(dims):
                    channels = dim * K + order if self.tag_per_keypoint else order * 0 + dim
                    image_tags.append(
                        MapPart(source[b], channels, upsampled, flip_indices is not None))
        # the mean of two maps is (a + b) / 2, without stacking them
        heatmaps = ((heatmaps[0] + heatmaps[1]) / 2 if len(heatmaps) == 2 else
                    torch.stack(heatmaps).mean(dim=0))
        if flip_indices is not None:
            heatmaps = self._flip(heatmaps, flip_indices)
        return heatmaps, tags

    def _aggregate_outputs(self, outputs: List[Tensor], flip_indices: Optional[List[int]] = None
                           ) -> Tuple[Tensor, Tensor]:
        """:meth:`_aggregate_parts` with dense tags.

        Returns:
            tuple: heatmaps (B, K, H, W) and tags (B, L'*K, H, W) at the last output's size.
        """
        heatmaps, tags = self._aggregate_parts(outputs, flip_indices)
        return heatmaps, torch.stack([torch.cat([part.dense() for part in image_tags])
                                      for image_tags in tags])

    def predict(self,
                feats: Union[Tuple[Tensor, ...], List],
                batch_data_samples: OptSampleList,
                test_cfg: ConfigType = {}
                ) -> Union[List[InstanceData], Tuple[List[InstanceData], List[PixelData]]]:
        """Aggregate resolutions, flips and scales as the official test, then decode.

        Per scale (official ``get_multi_stage_outputs`` with ``PROJECT2IMAGE`` and
        ``aggregate_results``): the outputs of the image, and those of the mirrored image
        flipped back, are averaged over resolutions at the highest output resolution; both are
        projected to the base input size (bilinear); the heatmaps of the image and its mirror
        are averaged and their tags stacked. Heatmaps are then averaged over scales and tags of
        every scale stacked.

        Args:
            feats: as for MMPose's ``AssociativeEmbeddingHead``: the backbone features, a pair
                ``[orig, flipped]`` with ``flip_test``, or a list of either per scale with
                ``multiscale_test`` (the first scale is the base one).
            batch_data_samples (List[PoseDataSample]): metainfo with ``input_size`` (w, h) of
                the base-scale input and ``flip_indices``.
            test_cfg (dict): ``flip_test``, ``multiscale_test``, ``output_heatmaps``.

        Returns:
            List[InstanceData]: per image ``keypoints`` (N, K, 2) in input coordinates,
            ``keypoint_scores`` (N, K) and ``bbox_scores`` (N,) (instance scores); plus the
            aggregated heatmaps (B, K, h, w) and tags (B, L*K, h, w) as ``PixelData`` if
            ``output_heatmaps``.
        """
        flip_test = test_cfg.get('flip_test', False)
        multiscale = test_cfg.get('multiscale_test', False)
        if multiscale:
            assert is_list_of(feats, list if flip_test else tuple)
        else:
            feats = [feats]
        input_w, input_h = batch_data_samples[0].metainfo['input_size']
        size = (int(input_h), int(input_w))
        flip_indices = batch_data_samples[0].metainfo.get('flip_indices')

        # the head's layers per scale ([image, mirror] with flip test), then the post-network
        # steps on one intra-op thread (small operations: see cpu_threads)
        outputs = [[self.forward(f) for f in scale_feats] if flip_test else
                   [self.forward(scale_feats)] for scale_feats in feats]
        with cpu_threads(1):
            return self._predict_maps(outputs, size, flip_indices, multiscale, test_cfg)

    def _predict_maps(self, outputs: List[List[List[Tensor]]], size: Tuple[int, int],
                      flip_indices: Optional[List[int]], multiscale: bool, test_cfg: dict
                      ) -> Union[List[InstanceData], Tuple[List[InstanceData], List[PixelData]]]:
        """Aggregate the head outputs of every scale (``[image]`` or ``[image, mirror]``, each
        ``[1/4, 1/2]`` outputs) at the input size ``(h, w)`` and decode them (see
        :meth:`predict`)."""
        scale_maps = []
        for scale_outputs in outputs:
            if len(scale_outputs) == 2:
                heatmaps, tags = self._aggregate_parts(scale_outputs[0])
                heatmaps_flip, tags_flip = self._aggregate_parts(scale_outputs[1], flip_indices)
                # the heatmaps of the image and its mirror are averaged after the projection
                scale_maps.append([
                    ProjectedInputMaps([h, h_flip], t + t_flip, size, lazy=not multiscale)
                    for h, h_flip, t, t_flip in zip(heatmaps, heatmaps_flip, tags, tags_flip)
                ])
            else:
                heatmaps, tags = self._aggregate_parts(scale_outputs[0])
                scale_maps.append(
                    [ProjectedInputMaps([h], t, size, lazy=not multiscale)
                     for h, t in zip(heatmaps, tags)])
        if multiscale:
            # heatmaps averaged over scales, tags of every scale stacked (dense)
            dense = [[maps.dense() for maps in per_scale] for per_scale in scale_maps]
            batch_maps = [
                InputMaps(torch.stack([d[b][0] for d in dense]).mean(dim=0),
                          torch.cat([d[b][1] for d in dense]))
                for b in range(len(dense[0]))
            ]
        else:
            batch_maps = scale_maps[0]

        preds = self.decode(batch_maps)
        if test_cfg.get('output_heatmaps', False):
            fields = [PixelData(heatmaps=heatmaps, tags=tags)
                      for heatmaps, tags in (maps.dense() for maps in batch_maps)]
            return preds, fields
        return preds

    def decode(self, batch_outputs: Union[Tuple[Tensor, Tensor], Sequence[InputMaps]]
               ) -> List[InstanceData]:
        """Decode aggregated (heatmaps (B, K, h, w), tags (B, L*K, h, w)) at the input size, or
        one :class:`InputMaps` per image, into instances."""
        if self.decoder is None:
            raise RuntimeError('HigherHRNetHead needs a decoder (codec) to predict')
        if isinstance(batch_outputs, tuple) and isinstance(batch_outputs[0], Tensor):
            batch_outputs = [InputMaps(h, t) for h, t in zip(*batch_outputs)]
        preds = []
        for maps in batch_outputs:
            keypoints, scores, instance_scores = self.decoder.decode_maps(maps)
            preds.append(
                InstanceData(
                    keypoints=keypoints,
                    keypoint_scores=scores,
                    bbox_scores=instance_scores))
        return preds


__all__ = ['HigherHRNetHead']
