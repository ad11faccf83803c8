"""Downloads of published weights: cached under torch hub's directory, verified, written atomically.

A file is cached as ``$TORCH_HOME/hub/checkpoints/<file name>`` (``torch.hub.get_dir()``, where
MMEngine's and torch hub's own downloads go), so a file fetched once, or put there by hand on an
offline machine, is not downloaded again. It is verified against

- the ``sha256`` prefix in its file name (torch hub's convention, ``name-<hex>.pth``, and
  OpenMMLab's, ``name-<hex>_<yyyymmdd>.pth``), or
- a full or prefix ``sha256`` given by the caller, or in the URL as ``#sha256=<hex>`` (pip's
  convention), which takes precedence over the file name.

The download goes to a temporary file next to the cached one, which is renamed only when it is
complete and its hash matches; any failure removes it.
"""
import hashlib
import os
import os.path as osp
import re
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from typing import Optional, Tuple

import torch

#: Seconds to wait for the connection and for each read (env ``POSEZOO_DOWNLOAD_TIMEOUT``).
DEFAULT_TIMEOUT = 60.0
#: The sha256 prefix in a published file name: torch hub's ``<name>-<hex>.<ext>`` and OpenMMLab's
#: ``<name>-<hex>_<yyyymmdd>.<ext>`` (at least 6 hex digits).
HASH_IN_NAME = re.compile(r'-([a-f0-9]{6,64})(?:_\d{8})?\.[^.]+$')


class WeightsDownloadError(OSError):
    """A published weights file could not be fetched or does not have the expected hash."""


def split_url(url: str) -> Tuple[str, Optional[str]]:
    """``(url without fragment, sha256 from '#sha256=<hex>' or None)``."""
    base, _, fragment = url.partition('#')
    query = urllib.parse.parse_qs(fragment)
    return base, (query['sha256'][0].lower() if 'sha256' in query else None)


def expected_hash(url: str, sha256: Optional[str] = None) -> Optional[str]:
    """The sha256 (prefix) that the file at ``url`` must have; ``None`` when nothing names one."""
    base, from_url = split_url(url)
    if sha256 or from_url:
        return (sha256 or from_url).lower()
    found = HASH_IN_NAME.search(osp.basename(urllib.parse.urlparse(base).path))
    return found.group(1) if found else None


def cache_path(url: str, cache_dir: Optional[str] = None) -> str:
    """Where the file of ``url`` is cached (``torch.hub.get_dir()/checkpoints/<file name>``)."""
    base, _ = split_url(url)
    name = osp.basename(urllib.parse.urlparse(base).path)
    if not name:
        raise WeightsDownloadError(f'{url}: the URL names no file')
    return osp.join(cache_dir or osp.join(torch.hub.get_dir(), 'checkpoints'), name)


def file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def _timeout(timeout: Optional[float]) -> float:
    return float(timeout if timeout is not None else
                 os.environ.get('POSEZOO_DOWNLOAD_TIMEOUT', DEFAULT_TIMEOUT))


def fetch_weights(url: str, sha256: Optional[str] = None, timeout: Optional[float] = None,
                  cache_dir: Optional[str] = None) -> str:
    """Return the local path of the published file at ``url``, downloading it once.

    Args:
        url (str): ``http(s)://`` URL, optionally with ``#sha256=<hex>``.
        sha256 (str, optional): Expected sha256 (or a prefix of it); overrides the URL's.
        timeout (float, optional): Seconds for the connection and each read; defaults to env
            ``POSEZOO_DOWNLOAD_TIMEOUT`` or 60.
        cache_dir (str, optional): Defaults to ``torch.hub.get_dir()/checkpoints``.

    Raises:
        WeightsDownloadError: network failure, HTTP error, timeout or a hash that does not match;
            the message names the URL, the expected hash and the path to place the file by hand.
    """
    base, _ = split_url(url)
    dst = cache_path(url, cache_dir)
    want = expected_hash(url, sha256)
    if osp.isfile(dst):
        return dst
    hint = (f'expected sha256 {want or "(none given)"}; on an offline machine put the file at '
            f'{dst}')
    os.makedirs(osp.dirname(dst), exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=osp.basename(dst) + '.', suffix='.partial',
                               dir=osp.dirname(dst))
    try:
        digest = hashlib.sha256()
        request = urllib.request.Request(base, headers={'User-Agent': 'posezoo'})
        with os.fdopen(fd, 'wb') as out, urllib.request.urlopen(
                request, timeout=_timeout(timeout)) as response:
            for block in iter(lambda: response.read(1 << 20), b''):
                out.write(block)
                digest.update(block)
        got = digest.hexdigest()
        if want and not got.startswith(want):
            raise WeightsDownloadError(f'{base}: downloaded file has sha256 {got}; {hint}')
        os.replace(tmp, dst)
    except WeightsDownloadError:
        raise
    except (urllib.error.URLError, OSError, ValueError) as err:  # HTTPError, timeout, refused
        raise WeightsDownloadError(f'{base}: download failed ({err}); {hint}') from err
    finally:
        if osp.exists(tmp):
            os.remove(tmp)
    return dst
