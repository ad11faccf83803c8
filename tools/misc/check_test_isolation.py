"""Run every test module alone (a fresh interpreter each) and list those that fail.

The suite itself runs its modules in a random order (``tools/run_tests.sh``) and forgets
MMEngine's default scope after each module (``tests/conftest.py``); this script is the slower,
exhaustive check that no module depends on another having run first::

    python tools/misc/check_test_isolation.py                 # fast tests of every module
    python tools/misc/check_test_isolation.py --all tests/test_pose   # slow ones too, one folder
"""
import argparse
import subprocess
import sys
import time
from pathlib import Path

from posezoo.utils.paths import REPO_ROOT


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('paths', nargs='*', default=['tests'], help='folders or modules')
    parser.add_argument('--all', action='store_true', help='also the slow tests')
    args = parser.parse_args()
    modules = sorted({m for p in args.paths for m in (
        [Path(p)] if p.endswith('.py') else (REPO_ROOT / p).rglob('test_*.py'))})
    failed = []
    for module in modules:
        cmd = [sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', str(module)]
        if not args.all:
            cmd += ['-m', 'not slow']
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True, text=True)
        summary = (proc.stdout.strip().splitlines() or ['(no output)'])[-1]
        ok = proc.returncode in (0, 5)  # 5: every test of the module deselected (all slow)
        print(f'{"ok  " if ok else "FAIL"} {module.relative_to(REPO_ROOT)} '
              f'({time.perf_counter() - start:.0f} s): {summary}', flush=True)
        if not ok:
            failed.append(module)
            print(proc.stdout[-3000:], proc.stderr[-2000:], sep='\n')
    print(f'{len(modules) - len(failed)} of {len(modules)} modules pass alone'
          + (f'; failing: {[str(m.relative_to(REPO_ROOT)) for m in failed]}' if failed else ''))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
