"""posezoo's action recognition models, registered into mmaction's registries."""
from posezoo.utils.mmaction_compat import ensure_mmaction_importable

ensure_mmaction_importable()

from . import darkvideo, skeleton  # noqa: E402,F401
