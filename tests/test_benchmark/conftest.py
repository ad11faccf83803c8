"""The benchmark's helpers live in tools/analysis/bench (a tool, not the posezoo package)."""
import sys

from posezoo.utils.paths import REPO_ROOT

TOOLS_ANALYSIS = str(REPO_ROOT / 'tools' / 'analysis')
if TOOLS_ANALYSIS not in sys.path:
    sys.path.insert(0, TOOLS_ANALYSIS)
