"""Fixtures shared by the whole test suite: where the real data lives.

Test data outside the repository (``../shared`` beside the checkout, or ``$POSEZOO_SHARED``) is
reached through the fixtures below. When it is missing the test is skipped with a message that
names the missing path, unless ``POSEZOO_REQUIRE_SHARED=1`` (set by ``.ci/run``): then it fails.
"""
import json
import os
import random
from pathlib import Path
from typing import Callable

import pytest

from shared_data import REPO_ROOT, SHARED, require_data, shared_file


@pytest.fixture(scope='session')
def repo_root() -> Path:
    """The posezoo checkout."""
    return REPO_ROOT


@pytest.fixture(scope='session')
def coco_sample() -> Path:
    """The bundled sample: data/coco_sample (8 train / 5 val real COCO images)."""
    return require_data(REPO_ROOT / 'data' / 'coco_sample', 'bundled COCO sample')


@pytest.fixture(scope='session')
def coco_mini() -> Path:
    """shared/data/coco-mini: 159 real COCO 2017 images (80 train, 79 val) with keypoints."""
    return require_data(SHARED / 'data' / 'coco-mini', 'coco-mini')


@pytest.fixture(scope='session')
def shared_dir() -> Path:
    """The shared/ folder beside the checkout (seeds, design, data, fixtures)."""
    return require_data(SHARED, 'shared/ folder')


@pytest.fixture(scope='session')
def shared_path() -> Callable[..., Path]:
    """``shared_path(ENV_VAR, 'data', 'videos', 'x.mp4')``: env override, else under shared/;
    skipped (or failed under ``POSEZOO_REQUIRE_SHARED=1``) when missing."""
    return shared_file


# ----------------------------------------------------------------------------------------------
# Determinism and order independence
# ----------------------------------------------------------------------------------------------
def _seed() -> int:
    return int(os.environ.get('POSEZOO_TEST_SEED', '0'))


@pytest.fixture(scope='session')
def learning_seed() -> int:
    """The seed of every learning / end-to-end test: ``$POSEZOO_TEST_SEED`` (default 0).

    ``tools/misc/seed_margin.py`` runs the learning tests under several seeds to show the margin
    of their thresholds; in-process tests seed Python, numpy and torch with it, tests that train
    through ``tools/train.py`` pass it as ``randomness.seed`` (``train_options`` below)."""
    return _seed()


@pytest.fixture(scope='session')
def train_options(learning_seed: int) -> list:
    """``--cfg-options`` that make a ``tools/train.py`` run reproducible: the seed, MMEngine's
    deterministic mode (``torch.use_deterministic_algorithms``), no data-loader workers."""
    return [f'randomness.seed={learning_seed}', 'randomness.deterministic=True']


@pytest.fixture
def figure(request) -> Callable[[str, float, float], None]:
    """``figure(name, value, threshold)``: print a learning test's figure against its threshold
    and, when ``$POSEZOO_FIGURES_FILE`` is set, append it there as a JSON line (read by
    ``tools/misc/seed_margin.py``)."""
    capmanager = request.config.pluginmanager.getplugin('capturemanager')

    def report(name: str, value: float, threshold: float) -> None:
        line = (f'FIGURE {request.node.nodeid} {name} = {value:.4f} '
                f'(threshold {threshold:.4f}, seed {_seed()})')
        if hasattr(request.config, 'workerinput'):
            # an xdist worker's output is not shown: the line travels with the test's report
            # and the controlling process prints it (FigureLines below)
            request.node.user_properties.append((_FIGURE_KEY, line))
        else:
            with capmanager.global_and_fixture_disabled():
                print('\n' + line, flush=True)
        path = os.environ.get('POSEZOO_FIGURES_FILE')
        if path:
            record = json.dumps(dict(test=request.node.nodeid, name=name, value=float(value),
                                     threshold=float(threshold), seed=_seed())) + '\n'
            # one write() on an O_APPEND file: lines from parallel workers do not interleave
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, record.encode('utf-8'))
            finally:
                os.close(fd)

    return report


_FIGURE_KEY = 'posezoo_figure'


class FigureLines:
    """In the controlling process of an xdist run: print the ``FIGURE`` lines that the workers'
    tests recorded (``figure`` fixture) as their reports arrive."""

    def __init__(self, config) -> None:
        self.config = config

    def pytest_runtest_logreport(self, report) -> None:
        lines = [value for key, value in report.user_properties if key == _FIGURE_KEY]
        reporter = self.config.pluginmanager.getplugin('terminalreporter')
        if lines and report.when == 'call' and reporter is not None:
            for line in lines:  # on a line of its own after xdist's progress dots
                reporter.write('\n' + line + '\n')


def pytest_configure(config) -> None:
    """One intra-op thread and deterministic algorithms (warnings only where an op has none) for
    the whole run: results then depend on the seed alone on a given machine; on a shared 2-core
    machine one thread is also the fastest (two threads mostly wait for each other)."""
    import torch
    threads = os.environ.get('POSEZOO_TEST_THREADS', '1')
    os.environ.setdefault('OMP_NUM_THREADS', threads)  # subprocesses: tools/train.py, demos
    torch.set_num_threads(int(threads))
    torch.use_deterministic_algorithms(True, warn_only=True)
    if config.getoption('numprocesses', None) and not hasattr(config, 'workerinput'):
        config.pluginmanager.register(FigureLines(config), 'posezoo-figure-lines')


def pytest_report_header(config) -> str:
    order = os.environ.get('POSEZOO_TEST_ORDER_SEED')
    return (f'posezoo: POSEZOO_TEST_SEED={_seed()}, shared data {SHARED}'
            f'{"" if SHARED.exists() else " (missing: tests that need it skip)"}, module order '
            f'{"shuffled with POSEZOO_TEST_ORDER_SEED=" + order if order else "as collected"}')


@pytest.hookimpl(tryfirst=True)  # before ``-m`` deselects: learning tests must count as slow
def pytest_collection_modifyitems(session, config, items) -> None:
    """Learning tests are slow tests. With ``$POSEZOO_TEST_ORDER_SEED`` set (``tools/run_tests.sh``
    draws one per run), run the test modules in a random order (tests inside a module keep
    theirs): a module that depends on state left by another then fails, whatever the order in
    which it was collected.

    In an xdist worker (``-n``), the modules that hold a slow test come first, each group in
    the random order: xdist hands out whole modules (``--dist loadfile``) in this order, and a
    long module handed out last would leave the other worker idle at the end. Every worker
    draws the same order (one seed); xdist stops the run if two workers' orders differ."""
    for item in items:
        if item.get_closest_marker('learning') and not item.get_closest_marker('slow'):
            item.add_marker(pytest.mark.slow)
    order = os.environ.get('POSEZOO_TEST_ORDER_SEED')
    if not order:
        return
    modules: dict = {}
    for item in items:
        modules.setdefault(item.nodeid.split('::')[0], []).append(item)
    names = sorted(modules)
    random.Random(int(order)).shuffle(names)
    if hasattr(config, 'workerinput'):
        names.sort(key=lambda name: not any(i.get_closest_marker('slow') for i in modules[name]))
    items[:] = [item for name in names for item in modules[name]]


@pytest.fixture(autouse=True, scope='module')
def isolated_module_state():
    """Forget MMEngine's default scope before and after each module, so no module relies on a
    scope that another module, or an import at collection time, happened to set (each module
    sets its own)."""
    from mmengine.registry import DefaultScope
    DefaultScope._instance_dict.clear()
    yield
    DefaultScope._instance_dict.clear()
