"""tools/analysis/benchmark.py end to end on cheap configs: the KD claim, e2e split, outputs.

Runs the tool's ``main`` in-process with one repetition (figures are printed, never asserted
against time): the CPU-sized KD pair (KD student vs plain recognizer: parameters and FLOPs
ratios must be exactly 1) and the 256x256 BK-Pose quickstart config (end-to-end pose timing on a
real COCO image, ONNX export and ONNX Runtime parity).
"""
import csv
import json
from pathlib import Path

import pytest
import torch

KD_DIR = 'configs/recognition/darkvideo_kd/darkclips/'
KD = KD_DIR + 'kd-zerodce_r2plus1d-tiny-bert_1xb16-10e_darkclips-8x32x32.py'
PLAIN = KD_DIR + 'r2plus1d-tiny-bert_1xb16-10e_darkclips-8x32x32.py'
BKPOSE = 'configs/body_2d_keypoint/bkpose/coco/bkpose_1xb4-quickstart_coco-sample-256x256.py'

pytestmark = pytest.mark.slow  # one whole benchmark run (export, ONNX Runtime, timing)


@pytest.fixture(scope='module')
def benchmark_tool():
    """The tool's module (tools/analysis is on sys.path: conftest.py)."""
    import benchmark
    return benchmark


@pytest.fixture(scope='module')
def run(benchmark_tool, repo_root, coco_mini, tmp_path_factory):
    """One benchmark run, single-threaded (fast and stable on a shared 2-core machine)."""
    out = tmp_path_factory.mktemp('bench')
    threads = torch.get_num_threads()
    args = [str(repo_root / c) for c in (KD, PLAIN, BKPOSE)] + [
        '--baseline', 'r2plus1d-tiny-bert_darkclips-8x32x32', '--warmup', '1', '--repeats', '1',
        '--repeats-n', '1', '--repeats-e2e', '1', '--image',
        str(coco_mini / 'val2017' / '000000350679.jpg'), '--out-dir', str(out), '--quiet',
        '--threads', '1'
    ]
    try:
        assert benchmark_tool.main(args) == 0
    finally:
        torch.set_num_threads(threads)
    data = json.loads((out / 'benchmark.json').read_text())
    return out, data


def test_kd_student_costs_exactly_the_plain_recognizer(run):
    _, data = run
    kd = next(c for c in data['claims'] if c['claim'].startswith('KD student'))
    print('KD student / plain recognizer:', {k: kd[k] for k in ('params_m', 'gflops',
                                                                 'lat_b1_ms', 'fps_b1')})
    assert kd['params_m'] == 1.0 and kd['gflops'] == 1.0
    rows = {r['name']: r for r in data['results']}
    plain = rows['r2plus1d-tiny-bert_darkclips-8x32x32']
    assert plain['params_m/base'] == 1.0 and plain['fps_b1/base'] == 1.0
    assert plain['params_m'] > 0 and plain['gflops'] > 0


def test_pose_row_end_to_end_split_and_onnx(run):
    _, data = run
    row = next(r for r in data['results'] if r['name'].startswith('bkpose'))
    print({k: row.get(k) for k in ('params_m', 'gflops', 'lat_b1_ms', 'e2e_pre_ms', 'e2e_fwd_ms',
                                   'e2e_dec_ms', 'e2e_ms', 'e2e_people', 'ort_b1_ms',
                                   'onnx_max_abs', 'error')})
    assert not row.get('error')
    assert row['input'] == '3x256x256' and row['e2e_input'].startswith('3x256x')
    parts = row['e2e_pre_ms'] + row['e2e_fwd_ms'] + row['e2e_dec_ms']
    assert parts == pytest.approx(row['e2e_ms'], rel=1e-6)  # one run: the parts add up
    assert min(row['e2e_pre_ms'], row['e2e_fwd_ms'], row['e2e_dec_ms']) > 0
    assert row['e2e_people'] >= 0
    assert row['onnx_max_abs'] <= 1e-4 and row['ort_b1_ms'] > 0
    assert row['fps_bn'] == pytest.approx(2 * 1000 / row['lat_bn_ms'])
    assert row['mem_b1_mib'] >= 0


def test_outputs_written(run):
    out, data = run
    assert data['meta']['baseline'] == 'r2plus1d-tiny-bert_darkclips-8x32x32'
    assert len(data['results']) == 3
    with open(out / 'benchmark.csv') as f:
        assert len(list(csv.DictReader(f))) == 3
    with open(out / 'claims.csv') as f:
        assert [r['claim'] for r in csv.DictReader(f)] == [
            'KD student / plain recognizer (r2plus1d-tiny-bert_darkclips-8x32x32)']
    table = (out / 'benchmark.md').read_text()
    assert '## Claims' in table and 'KD student / plain recognizer' in table


def test_deduplicate_keeps_one_per_network(benchmark_tool, repo_root):
    folder = repo_root / 'configs/body_2d_keypoint/higherhrnet/coco'
    configs = [str(folder / n) for n in ('higherhrnet_hrnet-w32_1xb32-40e_coco-512x512.py',
                                         'higherhrnet_hrnet-w32_8xb24-300e_coco-512x512.py',
                                         'higherhrnet_se-hrnet-w32_1xb32-40e_coco-512x512.py')]
    kept, aliases = benchmark_tool.deduplicate(configs, keep=[configs[1]])
    assert kept == configs[1:]
    assert aliases[configs[1]] == ['higherhrnet_hrnet-w32_1xb32-40e_coco-512x512',
                                   'higherhrnet_hrnet-w32_8xb24-300e_coco-512x512']


def test_claims_are_data_beside_the_metafiles(benchmark_tool, repo_root):
    """The papers' claims come from configs/**/claims.yml; every row they name is a config."""
    from bench.models import config_name
    from bench.report import load_claims
    files = [repo_root / 'configs/body_2d_keypoint/claims.yml',
             repo_root / 'configs/recognition/darkvideo_kd/claims.yml']
    # the installed package's configs (posezoo/.mim/configs, a link to the checkout's configs/
    # in an editable install): the same files
    assert sorted(Path(f).resolve() for f in benchmark_tool.CLAIM_FILES) == sorted(
        f.resolve() for f in files)
    claims = load_claims(benchmark_tool.CLAIM_FILES)
    pairs = [(c.numerator, c.denominator) for c in claims]
    assert ('bkpose_coco-512x512', 'higherhrnet_hrnet-w32_coco-512x512') in pairs
    assert ('higherhrnet_se-hrnet-w32_coco-512x512', 'higherhrnet_hrnet-w32_coco-512x512') in pairs
    assert ('kd-zerodce_r2plus1d-tiny-bert_darkclips-8x32x32',
            'r2plus1d-tiny-bert_darkclips-8x32x32') in pairs
    names = {config_name(str(p)) for p in (repo_root / 'configs').rglob('*.py')
             if '_base_' not in p.parts}
    assert {n for pair in pairs for n in pair} <= names
