"""Ratios, claims, tables and the JSON / CSV outputs of tools/analysis/bench/report.py."""
import csv
import json

import pytest

from bench.report import (
    COLUMN_KEYS,
    Claim,
    add_ratios,
    claim_rows,
    claims_table,
    load_claims,
    ratio,
    ratio_table,
    results_table,
    write_csv,
    write_json,
)


def _rows():
    return [
        dict(name='base', device='cpu', precision='fp32', params_m=28.0, fps_b1=2.0,
             lat_b1_ms=500.0),
        dict(name='small', device='cpu', precision='fp32', params_m=2.8, fps_b1=18.0,
             lat_b1_ms=55.5),
        dict(name='base', device='cuda', precision='fp16', params_m=28.0, fps_b1=100.0),
        dict(name='small', device='cuda', precision='fp16', params_m=2.8, fps_b1=400.0),
        dict(name='broken', device='cpu', precision='fp32', error='build: boom'),
    ]


def test_ratio_edge_cases():
    assert ratio(3.0, 2.0) == 1.5
    assert ratio(None, 2.0) is None and ratio(1.0, None) is None
    assert ratio(1.0, 0.0) is None and ratio(float('nan'), 1.0) is None
    assert ratio(True, 1.0) is None


def test_add_ratios_per_device_and_precision():
    rows = add_ratios(_rows(), 'base')
    by = {(r['name'], r['device']): r for r in rows}
    assert by[('small', 'cpu')]['fps_b1/base'] == 9.0
    assert by[('small', 'cpu')]['params_m/base'] == pytest.approx(0.1)
    assert by[('small', 'cpu')]['lat_b1_ms/base'] == pytest.approx(0.111)
    assert by[('small', 'cuda')]['fps_b1/base'] == 4.0  # divided by the CUDA baseline
    assert by[('base', 'cpu')]['fps_b1/base'] == 1.0
    assert by[('broken', 'cpu')]['fps_b1/base'] is None
    assert all(f'{k}/base' in by[('small', 'cpu')] for k in COLUMN_KEYS)
    assert 'fps_b1/base' not in _rows()[1]  # the input rows are not modified


def test_add_ratios_without_baseline_in_group():
    rows = add_ratios([dict(name='x', device='cpu', precision='bf16', fps_b1=1.0)], 'base')
    assert rows[0]['fps_b1/base'] is None


def test_claim_rows():
    claims = claim_rows(_rows(), [
        Claim('small / base', 'small', 'base', ('fps_b1', 'params_m'), '9x'),
        Claim('missing', 'nope', 'base', ('fps_b1', ), '-'),
    ])
    assert [(c['claim'], c['device']) for c in claims] == [('small / base', 'cpu'),
                                                          ('small / base', 'cuda')]
    assert claims[0]['fps_b1'] == 9.0 and claims[0]['params_m'] == pytest.approx(0.1)
    assert claims[1]['fps_b1'] == 4.0
    table = claims_table(claims)
    assert '| small / base | cpu/fp32 | 9.000 | 0.100 | 9x |' in table


def test_tables_show_values_and_ratios():
    rows = add_ratios(_rows(), 'base')
    table = results_table(rows)
    lines = table.splitlines()
    assert lines[0].startswith('| Model | Dev/prec | Params (M) | GFLOPs |')
    assert len(lines) == 2 + len(rows)
    small = next(line for line in lines if line.startswith('| small | cpu/fp32'))
    assert '2.8 (0.10x)' in small and '18.00 (9.00x)' in small and '| 56 |' in small
    assert '| broken | cpu/fp32 | - |' in table
    assert '| small | cpu/fp32 | 0.100 |' in ratio_table(rows)


def test_json_and_csv_outputs(tmp_path):
    rows = add_ratios(_rows(), 'base')
    rows[1]['_traceback'] = ['Traceback ...']
    claims = claim_rows(rows, [Claim('small / base', 'small', 'base', ('fps_b1', ), '9x')])
    write_json(str(tmp_path / 'out' / 'b.json'), rows, claims, dict(baseline='base'))
    data = json.loads((tmp_path / 'out' / 'b.json').read_text())
    assert data['meta'] == dict(baseline='base')
    assert data['results'][1]['fps_b1/base'] == 9.0
    assert data['claims'][0]['fps_b1'] == 9.0

    write_csv(str(tmp_path / 'b.csv'), rows)
    with open(tmp_path / 'b.csv') as f:
        read = list(csv.DictReader(f))
    assert len(read) == len(rows)
    assert list(read[0])[:4] == ['name', 'device', 'precision', 'error']
    assert '_traceback' not in read[0]
    assert float(read[1]['fps_b1/base']) == 9.0
    assert read[0]['error'] == '' and read[4]['error'] == 'build: boom'


def test_load_claims_from_yaml(tmp_path):
    path = tmp_path / 'claims.yml'
    path.write_text("Claims:\n  - {Label: small / base, Numerator: small, Denominator: base,\n"
                    "     Columns: [fps_b1, params_m], Paper: 9x}\n")
    assert load_claims([str(path)]) == [
        Claim('small / base', 'small', 'base', ('fps_b1', 'params_m'), '9x')]
    path.write_text("Claims:\n  - {Label: x, Numerator: a, Denominator: b, Columns: [fps]}\n")
    with pytest.raises(ValueError, match=f"{path}: claim 0 .*'Paper'.*'fps'"):
        load_claims([str(path)])
