"""posezoo makes mmaction2 1.2.0's models importable without pretending to provide DRN."""
import pytest

from posezoo.utils.mmaction_compat import MissingDRN, drn_package_missing


def test_mmaction_models_import_and_drn_is_not_registered():
    import posezoo.action  # noqa: F401  (first: see posezoo.utils.mmaction_compat)
    # isort: split
    import mmaction.models  # noqa: F401
    from mmaction.registry import MODELS
    assert MODELS.get('Recognizer3D') is not None
    if drn_package_missing():
        with pytest.raises(KeyError, match='DRN'):
            MODELS.build(dict(type='DRN'))


def test_missing_drn_stand_in_raises_a_clear_error():
    with pytest.raises(ImportError, match='2714'):
        MissingDRN()
