"""``posezoo-demo``: run a demo of the installed package (``posezoo/.mim/demo``).

    posezoo-demo                       # lists the demos
    posezoo-demo pose_demo IMAGE --config bkpose_1xb8-60e_coco-512x512 --out-file out.jpg
    posezoo-demo pose_demo --help

mim's ``mim run posezoo <script>`` only looks in ``.mim/tools``; this console script runs the
demo scripts the wheel ships in ``.mim/demo`` with the remaining arguments.
"""
import runpy
import sys
from typing import List, Optional

from posezoo.utils.paths import MIM_DIR

DEMO_DIR = MIM_DIR / 'demo'


def demos() -> List[str]:
    """The demo names (script stems) of the installed package."""
    return sorted(p.stem for p in DEMO_DIR.glob('*_demo.py'))


def main(argv: Optional[List[str]] = None) -> None:
    """Run ``posezoo-demo <name> [args ...]`` as ``python <.mim/demo/name.py> [args ...]``."""
    argv = sys.argv[1:] if argv is None else list(argv)
    names = demos()
    if not argv or argv[0] in ('-h', '--help'):
        print(f'usage: posezoo-demo DEMO [ARGS ...]\ndemos ({DEMO_DIR}): {", ".join(names)}\n'
              'posezoo-demo DEMO --help shows the arguments of one demo')
        return
    name = argv[0][:-3] if argv[0].endswith('.py') else argv[0]
    if name not in names:
        sys.exit(f'posezoo-demo: no demo {argv[0]!r} in {DEMO_DIR}; demos: {", ".join(names)}')
    script = str(DEMO_DIR / f'{name}.py')
    sys.argv = [script] + argv[1:]
    runpy.run_path(script, run_name='__main__')


if __name__ == '__main__':
    main()
