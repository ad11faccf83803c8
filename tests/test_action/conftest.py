"""The action tests build mmaction models and transforms: every module starts in MMAction2's
default scope (the root conftest forgets the scope after each module)."""
import pytest


@pytest.fixture(autouse=True, scope='module')
def mmaction_scope():
    """``mmaction`` as the default scope for the whole module, with posezoo's modules
    registered (the root conftest forgets it after the module)."""
    from mmengine.registry import init_default_scope

    import posezoo.action  # noqa: F401
    init_default_scope('mmaction')
