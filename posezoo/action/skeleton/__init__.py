"""Skeleton-based action recognition: LSTM over pose sequences, seed text-format reader.

Importing this package registers :class:`LSTMSkeleton`, :class:`SkeletonClsHead` (``MODELS``) and
:class:`SeedSkeletonDataset` (``DATASETS``) into mmaction's registries.
"""
from .body_norm import SKELETON_LAYOUTS, BodyRelativeNorm
from .lstm_skeleton import LSTMSkeleton
from .pose_tracking import PoseTracker, track_poses, tracks_to_arrays
from .seed_dataset import SeedSkeletonDataset
from .seed_format import SeedFormatError, read_seed_file, write_seed_file
from .skeleton_cls_head import SkeletonClsHead
from .skeleton_file import load_skeleton_file, seed_to_annotation
from .sliding_window import sliding_window_inference, window_starts

__all__ = [
    'SKELETON_LAYOUTS', 'BodyRelativeNorm', 'LSTMSkeleton', 'PoseTracker', 'SkeletonClsHead',
    'SeedSkeletonDataset', 'SeedFormatError', 'read_seed_file', 'write_seed_file',
    'load_skeleton_file', 'seed_to_annotation', 'sliding_window_inference', 'track_poses',
    'tracks_to_arrays', 'window_starts'
]
