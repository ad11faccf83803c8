"""A loopback HTTP server for the weights tests: serves one folder, counts the requests."""
import functools
import http.server
import importlib.util
import threading
from pathlib import Path
from types import ModuleType
from typing import Iterator, List

import pytest


class LoopbackServer:
    """``http.server`` on 127.0.0.1 in a thread; :meth:`stop` shuts it down (bounded)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.requests: List[str] = []
        server = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet; record the path instead
                server.requests.append(self.path)

        handler = functools.partial(Handler, directory=str(folder))
        self.httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, name: str) -> str:
        return f'http://127.0.0.1:{self.httpd.server_address[1]}/{name}'

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)
        assert not self.thread.is_alive(), 'loopback server did not stop within 5 s'


@pytest.fixture
def loopback(tmp_path, monkeypatch) -> Iterator[LoopbackServer]:
    """A server for ``tmp_path/served``; torch hub's cache in ``tmp_path/torch_home``."""
    served = tmp_path / 'served'
    served.mkdir()
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'torch_home'))
    monkeypatch.setenv('POSEZOO_DOWNLOAD_TIMEOUT', '5')
    server = LoopbackServer(served)
    try:
        yield server
    finally:
        if server.thread.is_alive():
            server.stop()


def cached_files(tmp_path: Path) -> List[str]:
    """Every file under the test's torch hub cache (complete or partial)."""
    root = tmp_path / 'torch_home'
    return sorted(str(p.relative_to(root)) for p in root.rglob('*') if p.is_file()) \
        if root.exists() else []


def load_tool(relpath: str) -> ModuleType:
    """A script under ``tools/`` as a module (the converters are scripts, not a package)."""
    path = Path(__file__).resolve().parents[1] / 'tools' / relpath
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
