"""posezoo: pose estimation and action recognition models for the OpenMMLab 2.0 stack.

Importing a domain package registers its modules into the matching OpenMMLab registries:
``posezoo.pose`` (mmpose), ``posezoo.action`` (mmaction), ``posezoo.cls`` (mmpretrain).
``posezoo.edge`` needs only onnxruntime, numpy and OpenCV (``pip install --no-deps posezoo`` plus
those three: ``docs/deployment.md``).
"""
from .version import __version__

try:  # absent in an edge (--no-deps) install, which never loads checkpoints
    import mmengine  # noqa: F401
    import torch  # noqa: F401
except ImportError:
    pass
else:
    from .utils.checkpoint import register_checkpoint_safe_globals
    from .utils.setup_env import register_config_package
    from .weights.scheme import register_weight_schemes
    register_checkpoint_safe_globals()
    register_config_package()  # `_base_ = 'posezoo::...'`, mmengine.hub.get_config('posezoo::...')
    register_weight_schemes()  # published files (URLs, official layouts) load as published

__all__ = ['__version__']
