"""Make ``mmaction.models`` importable with the mmaction2 1.2.0 distribution on the package index.

The 1.2.0 wheel and sdist lack the package ``mmaction/models/localizers/drn`` (open-mmlab/mmaction2
issue #2714), while ``mmaction/models/localizers/__init__.py`` does ``from .drn.drn import DRN``, so
``import mmaction.models`` fails and no recognizer can be built. When (and only when) that package is
missing, :func:`ensure_mmaction_importable` puts a stand-in module at its import path whose ``DRN``
raises a clear error when used. DRN is not registered, so a config asking for it still fails with
MMEngine's "not in the registry" error; nothing else in mmaction is touched.
"""
import importlib.util
import os.path as osp
import sys
import types

_DRN_PACKAGE = 'mmaction.models.localizers.drn'
_MESSAGE = ('DRN is not available: the installed mmaction2 1.2.0 distribution lacks the package '
            'mmaction/models/localizers/drn (open-mmlab/mmaction2 issue #2714). Install mmaction2 '
            'from its source repository to use DRN.')


class MissingDRN:
    """Stand-in for ``mmaction.models.localizers.drn.drn.DRN``; raises on use."""

    def __init__(self, *args, **kwargs) -> None:
        raise ImportError(_MESSAGE)


def drn_package_missing() -> bool:
    """Whether the installed mmaction lacks ``models/localizers/drn`` (without importing mmaction)."""
    spec = importlib.util.find_spec('mmaction')
    if spec is None or spec.origin is None:
        return False  # mmaction is not installed: nothing to fix; its import error will be clear
    root = osp.dirname(spec.origin)
    return not osp.isfile(osp.join(root, 'models', 'localizers', 'drn', '__init__.py'))


def ensure_mmaction_importable() -> None:
    """Install the DRN stand-in if the distribution lacks it; idempotent."""
    if _DRN_PACKAGE in sys.modules or not drn_package_missing():
        return
    package = types.ModuleType(_DRN_PACKAGE, 'Stand-in for the missing DRN package (mmaction2#2714).')
    package.__path__ = []
    module = types.ModuleType(f'{_DRN_PACKAGE}.drn', package.__doc__)
    module.DRN = MissingDRN
    package.drn = module
    sys.modules[_DRN_PACKAGE] = package
    sys.modules[module.__name__] = module
