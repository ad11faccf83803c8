"""BERT-style temporal head: a transformer encoder over temporal tokens with a learned CLS token.

Replaces temporal global average pooling of 3D backbones (as in "R(2+1)D + BERT", Kalfaoglu et al.
2020, used by the dark-video KD seed): the backbone's feature map is pooled over space only, each
temporal position becomes a token, a learned CLS token and learned positional embeddings are added,
and the CLS output is classified.

Defaults follow R(2+1)D-BERT's ``BERT5`` head (``rgb_r2plus1d_64f_34_bert10``): one pre-norm
layer with 8 heads and 0.1 dropout, random token masking during training (each temporal token is
kept with probability 0.8, the CLS token always), no norm after the last layer and dropout 0.8
on the CLS output before the classifier.
"""
from typing import Optional, Tuple, Union

import torch
import torch.nn as nn
from mmaction.models.heads import BaseHead
from mmaction.registry import MODELS
from mmengine.model.weight_init import trunc_normal_


@MODELS.register_module()
class BERTHead(BaseHead):
    """Transformer encoder head with a CLS token over the temporal axis.

    Args:
        num_classes (int): Number of classes.
        in_channels (int): Channels C of the backbone features (the token width).
        max_tokens (int): Largest number of temporal tokens T' (size of the positional table,
            CLS excluded). Inputs with fewer tokens use the first ``T' + 1`` embeddings.
        num_layers (int): Transformer encoder layers.
        num_heads (int): Attention heads; must divide ``in_channels``.
        mlp_ratio (float): Hidden width of the feed-forward layers relative to ``in_channels``.
        attn_dropout (float): Dropout inside the encoder layers (attention and MLP).
        dropout_ratio (float): Dropout on the CLS feature before the classifier (0.8 in
            R(2+1)D-BERT).
        token_keep_prob (float): During training each temporal token is kept with this
            probability and the others are hidden from attention (``src_key_padding_mask``);
            the CLS token is always kept. 1 disables masking; 0.8 in R(2+1)D-BERT.
        final_norm (bool): LayerNorm on the CLS output of the last layer (R(2+1)D-BERT has none).
        init_std (float): Std of the truncated-normal initialisation.
        **kwargs: ``loss_cls``, ``topk``, ``average_clips``, ... of :class:`BaseHead`.
    """

    def __init__(self, num_classes: int, in_channels: int, max_tokens: int = 16,
                 # the transformer encoder
                 num_layers: int = 1, num_heads: int = 8, mlp_ratio: float = 4.0, attn_dropout: float = 0.1,
                 # regularisation of the CLS feature and of the tokens
                 dropout_ratio: float = 0.8, token_keep_prob: float = 0.8,
                 final_norm: bool = False, init_std: float = 0.02, **kwargs) -> None:
        super().__init__(num_classes, in_channels, **kwargs)
        if in_channels % num_heads != 0:
            raise ValueError(f'BERTHead: num_heads={num_heads} must divide in_channels={in_channels}')
        if not 0.0 < token_keep_prob <= 1.0:
            raise ValueError(f'BERTHead: token_keep_prob must be in (0, 1], got {token_keep_prob}')
        self.token_keep_prob = token_keep_prob
        self.max_tokens = max_tokens
        self.init_std = init_std
        self.cls_token = nn.Parameter(torch.zeros(1, 1, in_channels))
        self.pos_embed = nn.Parameter(torch.zeros(1, max_tokens + 1, in_channels))
        layer = nn.TransformerEncoderLayer(
            d_model=in_channels,
            nhead=num_heads,
            dim_feedforward=int(in_channels * mlp_ratio),
            dropout=attn_dropout,
            activation='gelu',
            batch_first=True,
            norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(in_channels) if final_norm else nn.Identity()
        self.dropout = nn.Dropout(dropout_ratio) if dropout_ratio > 0 else nn.Identity()
        self.fc_cls = nn.Linear(in_channels, num_classes)

    def init_weights(self) -> None:
        """Truncated-normal CLS/positional embeddings and classifier, default encoder init."""
        trunc_normal_(self.cls_token, std=self.init_std)
        trunc_normal_(self.pos_embed, std=self.init_std)
        trunc_normal_(self.fc_cls.weight, std=self.init_std)
        nn.init.zeros_(self.fc_cls.bias)

    def tokens(self, x: Union[torch.Tensor, Tuple[torch.Tensor, ...]]) -> torch.Tensor:
        """Turn backbone features into temporal tokens.

        Args:
            x (Tensor | tuple[Tensor]): ``(N, C, T, H, W)`` feature maps or ``(N, C, T)``
                features; for a tuple the last element is used.

        Returns:
            Tensor: Tokens ``(N, T, C)``.
        """
        if isinstance(x, (tuple, list)):
            x = x[-1]
        if x.dim() == 5:
            x = x.mean(dim=(3, 4))
        if x.dim() != 3 or x.shape[1] != self.in_channels:
            raise ValueError(f'BERTHead expects (N, {self.in_channels}, T[, H, W]) features, '
                             f'got {tuple(x.shape)}')
        return x.transpose(1, 2)

    def token_mask(self, n: int, t: int, device: torch.device) -> Optional[torch.Tensor]:
        """Random token masking of training: ``(N, T' + 1)`` bool, True = hidden; None otherwise.

        The CLS token (column 0) is never hidden.
        """
        if not self.training or self.token_keep_prob >= 1.0:
            return None
        hidden = torch.rand(n, t, device=device) >= self.token_keep_prob
        return torch.cat([hidden.new_zeros(n, 1), hidden], dim=1)

    def forward(self, x: Union[torch.Tensor, Tuple[torch.Tensor, ...]], **kwargs) -> torch.Tensor:
        """
        Args:
            x (Tensor | tuple[Tensor]): Backbone features ``(N, C, T, H, W)`` or ``(N, C, T)``.

        Returns:
            Tensor: Class scores ``(N, num_classes)``.
        """
        tokens = self.tokens(x)
        n, t, _ = tokens.shape
        if t > self.max_tokens:
            raise ValueError(f'BERTHead got {t} temporal tokens but max_tokens={self.max_tokens}')
        tokens = torch.cat([self.cls_token.expand(n, -1, -1), tokens], dim=1)
        mask = self.token_mask(n, t, tokens.device)
        tokens = self.encoder(tokens + self.pos_embed[:, :t + 1], src_key_padding_mask=mask)
        cls_feat = self.norm(tokens[:, 0])
        return self.fc_cls(self.dropout(cls_feat))
