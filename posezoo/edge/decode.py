"""BK-Pose decoding for the edge runtime: the numpy grouping built from a sidecar.

The algorithm lives in :mod:`posezoo.edge.grouping` (numpy and OpenCV only), which the torch
codec ``BKPoseHeatmap`` uses as well: edge and full pipeline group with the same code (tested
equal in ``tests/test_edge``).
"""
from typing import Any, Dict

from .grouping import BKPoseGrouping


class EdgeBKPoseDecoder(BKPoseGrouping):
    """The BK-Pose keypoint-assignment decoder (``BKPoseHeatmap.decode``) in numpy; the
    arguments are :class:`posezoo.edge.grouping.BKPoseGrouping`'s."""

    @classmethod
    def from_sidecar(cls, codec: Dict[str, Any]) -> 'EdgeBKPoseDecoder':
        """Build from the ``codec`` entry of an edge sidecar."""
        return cls(**{k: v for k, v in codec.items() if k != 'type'})
