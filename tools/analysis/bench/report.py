"""Benchmark results: ratios to a baseline, claim ratios between model pairs, tables, JSON, CSV.

A result row is a flat dict (one model on one device at one precision) whose numeric fields are
listed in :data:`COLUMNS`. Ratios are computed per (device, precision) group, so a figure is
always divided by the baseline's figure measured in the same conditions of the same run.
"""
import csv
import json
import math
import os
import os.path as osp
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple

import yaml

Row = Dict[str, Any]


@dataclass(frozen=True)
class Column:
    """A numeric result column: its key in a row, its table header and its meaning."""
    key: str
    header: str
    fmt: str
    meaning: str


#: The numeric columns, in table order (``columns.yml`` beside this file).
with open(osp.join(osp.dirname(__file__), 'columns.yml'), encoding='utf-8') as _f:
    COLUMNS: Tuple[Column, ...] = tuple(Column(**c) for c in yaml.safe_load(_f))
COLUMN_KEYS = tuple(c.key for c in COLUMNS)
#: Identity fields of a row, in CSV order.
ID_KEYS = ('name', 'config', 'aliases', 'task', 'device', 'precision', 'threads', 'input',
           'batch_n', 'e2e_people', 'e2e_input', 'error')


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def ratio(value: Any, base: Any) -> Optional[float]:
    """``value / base``, or None when either is missing or the base is zero."""
    if not (_is_number(value) and _is_number(base)) or base == 0:
        return None
    return value / base


def add_ratios(rows: Sequence[Row], baseline: str,
               keys: Sequence[str] = COLUMN_KEYS) -> List[Row]:
    """Copies of ``rows`` with ``<key>/base`` = row[key] / baseline row[key] for every key.

    The baseline row is the one named ``baseline`` with the same device and precision; groups
    without one get no ratios (``None``).
    """
    bases = {(r['device'], r['precision']): r for r in rows if r.get('name') == baseline}
    out = []
    for row in rows:
        base = bases.get((row['device'], row['precision']))
        new = dict(row)
        for key in keys:
            new[f'{key}/base'] = ratio(row.get(key), base.get(key)) if base else None
        out.append(new)
    return out


@dataclass(frozen=True)
class Claim:
    """A cost claim of a paper: ``numerator`` / ``denominator`` for some columns.

    Attributes:
        label: what is compared, e.g. ``BK-Pose / HigherHRNet-W32``.
        numerator, denominator: row names.
        keys: the columns whose ratios are reported.
        expected: what the paper says, in words.
    """
    label: str
    numerator: str
    denominator: str
    keys: Tuple[str, ...]
    expected: str


def load_claims(paths: Sequence[str]) -> List[Claim]:
    """The claims of YAML files (``claims.yml`` beside the metafiles), in file order.

    Each file holds ``Claims:``, a list of ``{Label, Numerator, Denominator, Columns, Paper}``
    (row names, column keys of :data:`COLUMNS` and the paper's words).

    Raises:
        ValueError: a field is missing or a column is unknown (the message names the file).
    """
    claims = []
    for path in paths:
        with open(path, encoding='utf-8') as f:
            entries = (yaml.safe_load(f) or {}).get('Claims') or []
        for i, entry in enumerate(entries):
            missing = [k for k in ('Label', 'Numerator', 'Denominator', 'Columns', 'Paper')
                       if k not in entry]
            unknown = [k for k in entry.get('Columns', []) if k not in COLUMN_KEYS]
            if missing or unknown:
                raise ValueError(f'{path}: claim {i} ({entry.get("Label")}): missing fields '
                                 f'{missing}, unknown columns {unknown}')
            claims.append(Claim(entry['Label'], entry['Numerator'], entry['Denominator'],
                                tuple(entry['Columns']), entry['Paper']))
    return claims


def claim_rows(rows: Sequence[Row], claims: Sequence[Claim]) -> List[Row]:
    """One row per claim and (device, precision): the ratios of its columns.

    Claims whose rows are missing from ``rows`` are skipped.
    """
    out = []
    groups = sorted({(r['device'], r['precision']) for r in rows})
    for claim in claims:
        for device, precision in groups:
            found = {r['name']: r for r in rows
                     if r['device'] == device and r['precision'] == precision}
            num, den = found.get(claim.numerator), found.get(claim.denominator)
            if num is None or den is None:
                continue
            row: Row = dict(claim=claim.label, numerator=claim.numerator,
                            denominator=claim.denominator, device=device, precision=precision,
                            expected=claim.expected)
            for key in claim.keys:
                row[key] = ratio(num.get(key), den.get(key))
            out.append(row)
    return out


def _fmt(value: Any, fmt: str) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return '-'
    if _is_number(value):
        return format(value, fmt)
    return str(value)


def markdown_table(headers: Sequence[str], lines: Sequence[Sequence[str]]) -> str:
    """A GitHub-markdown table."""
    out = ['| ' + ' | '.join(headers) + ' |', '|' + '|'.join(' --- ' for _ in headers) + '|']
    out += ['| ' + ' | '.join(line) + ' |' for line in lines]
    return '\n'.join(out)


def results_table(rows: Sequence[Row], columns: Sequence[str] = COLUMN_KEYS,
                  with_ratios: Sequence[str] = ('params_m', 'gflops', 'fps_b1', 'fps_bn',
                                                'e2e_fps', 'ort_fps_b1')) -> str:
    """The results as a markdown table; ``with_ratios`` columns also show ``(x.xx)`` to base."""
    by_key = {c.key: c for c in COLUMNS}
    headers = ['Model', 'Dev/prec'] + [by_key[k].header for k in columns]
    lines = []
    for row in rows:
        line = [row['name'], f"{row['device']}/{row['precision']}"]
        for key in columns:
            cell = _fmt(row.get(key), by_key[key].fmt)
            rel = row.get(f'{key}/base')
            if key in with_ratios and rel is not None:
                cell += f' ({rel:.2f}x)'
            line.append(cell)
        lines.append(line)
    return markdown_table(headers, lines)


def ratio_table(rows: Sequence[Row], columns: Sequence[str] = COLUMN_KEYS) -> str:
    """Every column as a ratio to the baseline, as a markdown table."""
    by_key = {c.key: c for c in COLUMNS}
    headers = ['Model', 'Dev/prec'] + [by_key[k].header + ' /base' for k in columns]
    lines = [[row['name'], f"{row['device']}/{row['precision']}"] +
             [_fmt(row.get(f'{k}/base'), '.3f') for k in columns] for row in rows]
    return markdown_table(headers, lines)


def claims_table(claims: Sequence[Row]) -> str:
    """The claim ratios as a markdown table (one column per measured ratio)."""
    keys: List[str] = []
    for claim in claims:
        keys += [k for k in claim if k in COLUMN_KEYS and k not in keys]
    by_key = {c.key: c for c in COLUMNS}
    headers = ['Claim', 'Dev/prec'] + [by_key[k].header + ' ratio' for k in keys] + ['Paper']
    lines = [[c['claim'], f"{c['device']}/{c['precision']}"] +
             [_fmt(c.get(k), '.3f') for k in keys] + [c['expected']] for c in claims]
    return markdown_table(headers, lines)


def write_json(path: str, rows: Sequence[Row], claims: Sequence[Row],
               meta: Dict[str, Any]) -> None:
    """``{"meta": ..., "results": rows, "claims": claims}`` (NaN-free, indented)."""
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(dict(meta=meta, results=list(rows), claims=list(claims)), f, indent=2,
                  default=str)


def write_csv(path: str, rows: Sequence[Row]) -> None:
    """One line per row; identity fields first, then every other key in first-seen order."""
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    fields = [k for k in ID_KEYS if any(k in r for r in rows)]
    for row in rows:
        fields += [k for k in row if k not in fields and not k.startswith('_')]
    with open(path, 'w', newline='') as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ('' if row.get(k) is None else row.get(k)) for k in fields})
