"""Docs, demos and metafiles point at things a user has: every ``configs/...py`` path named in a
tracked document or script exists, and every metafile paper link is a web address, not a path
outside the repository."""
import re
import subprocess
from pathlib import Path

import mmpose
import pytest
import yaml

from shared_data import REPO_ROOT

CONFIG_PATH = re.compile(r'configs/[A-Za-z0-9_./{}-]+\.py')
MMPOSE_CONFIGS = Path(mmpose.__file__).parent / '.mim'


def _tracked(*patterns: str):
    out = subprocess.run(['git', 'ls-files', *patterns], cwd=REPO_ROOT, capture_output=True,
                         text=True, check=True).stdout.split()
    return [REPO_ROOT / p for p in out if not p.startswith('tests/')]


def test_named_configs_exist():
    missing = []
    for path in _tracked('*.md', '*.py', '*.yml', '*.sh'):
        for name in set(CONFIG_PATH.findall(path.read_text(encoding='utf-8', errors='replace'))):
            if '...' in name or '{' in name:
                continue  # an abbreviation or a template, not a file name
            # MMPose's configs/_base_/datasets/*.py metainfo resolves in MMPose's package
            if not (REPO_ROOT / name).exists() and not (MMPOSE_CONFIGS / name).exists():
                missing.append(f'{path.relative_to(REPO_ROOT)}: {name}')
    assert not missing, missing


def _papers(node):
    if isinstance(node, dict):
        if isinstance(node.get('Paper'), dict):
            yield node['Paper']
        for value in node.values():
            yield from _papers(value)
    elif isinstance(node, list):
        for value in node:
            yield from _papers(value)


@pytest.mark.parametrize('metafile', sorted((REPO_ROOT / 'configs').rglob('*.yml')),
                         ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_paper_links_are_web_addresses(metafile):
    for paper in _papers(yaml.safe_load(metafile.read_text())):
        assert paper.get('Title'), paper
        assert 'shared/' not in paper['Title'] and 'seeds/' not in paper['Title'], paper
        if 'URL' in paper:
            assert re.match(r'https://(doi\.org|arxiv\.org)/', paper['URL']), paper
