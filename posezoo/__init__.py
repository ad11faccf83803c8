"""posezoo: pose estimation and action recognition models for the OpenMMLab 2.0 stack.

Importing a domain package registers its modules into the matching OpenMMLab registries:
``posezoo.pose`` (mmpose), ``posezoo.action`` (mmaction), ``posezoo.cls`` (mmpretrain).
"""
from .utils.checkpoint import register_checkpoint_safe_globals
from .version import __version__

register_checkpoint_safe_globals()

__all__ = ['__version__']
