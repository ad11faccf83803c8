"""posezoo's pose models, registered into mmpose's registries."""
from . import bkpose, higherhrnet  # noqa: F401
