"""The seed's text format: reader, writer, malformed input, and the windowed dataset."""
from pathlib import Path

import numpy as np
import pytest

import posezoo.action  # noqa: F401  (registers the dataset; makes mmaction importable)
from posezoo.action.skeleton import SeedFormatError, SeedSkeletonDataset, read_seed_file, write_seed_file

HEADER = ',' + ','.join(str(i) for i in range(132))
# The first values of the seed's HANDSWING.txt rows 0 and 1 (seed 004).
SEED_ROW0 = [0.6255581974983215, 0.5930126905441284, -1.1593189239501953, 0.9998264908790588,
             0.6479546427726746, 0.5151227712631226]
SEED_ROW1 = [0.6050856113433838, 0.5913976430892944, -0.7987548112869263, 0.9998430013656616,
             0.6368270516395569, 0.5132938027381897]


def _row(frame: int, head: list) -> str:
    values = head + [0.25 * (i % 4) for i in range(len(head), 132)]
    return f'{frame},' + ','.join(repr(v) for v in values)


def _write(path: Path, lines: list) -> Path:
    path.write_text('\n'.join(lines) + '\n')
    return path


def test_reads_seed_rows(tmp_path):
    path = _write(tmp_path / 'HANDSWING.txt', [HEADER, _row(0, SEED_ROW0), _row(1, SEED_ROW1)])
    frames, landmarks = read_seed_file(path)
    assert frames.tolist() == [0, 1]
    assert landmarks.shape == (2, 33, 4) and landmarks.dtype == np.float32
    # landmark-major: landmark 0 = (x, y, z, visibility), then landmark 1 ...
    np.testing.assert_array_equal(landmarks[0, 0], np.float32(SEED_ROW0[:4]))
    np.testing.assert_array_equal(landmarks[1, 1, :2], np.float32(SEED_ROW1[4:6]))
    assert landmarks[0, 32, 3] == np.float32(0.25 * (131 % 4))


def test_header_without_index_cell_and_blank_lines(tmp_path):
    path = _write(tmp_path / 'a.txt', [HEADER[1:], '', _row(7, SEED_ROW0), ''])
    frames, landmarks = read_seed_file(path)
    assert frames.tolist() == [7] and landmarks.shape == (1, 33, 4)


def test_write_read_roundtrip(tmp_path):
    rng = np.random.default_rng(0)
    landmarks = rng.normal(size=(5, 33, 4)).astype(np.float32)
    write_seed_file(tmp_path / 'x.txt', landmarks, np.arange(10, 15))
    lines = (tmp_path / 'x.txt').read_text().splitlines()
    assert lines[0] == HEADER and lines[1].startswith('10,')
    frames, back = read_seed_file(tmp_path / 'x.txt')
    assert frames.tolist() == list(range(10, 15))
    np.testing.assert_array_equal(back, landmarks)  # float32 values survive the text exactly


@pytest.mark.parametrize('bad_line, message', [
    (_row(1, SEED_ROW1)[:-40], 'expected 133 comma-separated values'),
    ('x1,' + _row(1, SEED_ROW1).split(',', 1)[1], "frame index 'x1' is not an integer"),
    (_row(1, SEED_ROW1).replace('0.5913976430892944', '0.59x'), 'non-numeric value'),
    (_row(1, SEED_ROW1).replace('0.5913976430892944', 'nan'), 'non-finite'),
])
def test_malformed_row_names_file_and_line(tmp_path, bad_line, message):
    path = _write(tmp_path / 'SQUAT.txt', [HEADER, _row(0, SEED_ROW0), bad_line, _row(2, SEED_ROW0)])
    with pytest.raises(SeedFormatError, match=message) as err:
        read_seed_file(path)
    assert f'{path}:3:' in str(err.value)


def test_malformed_header_and_empty_file(tmp_path):
    with pytest.raises(SeedFormatError, match=r'a.txt:1: expected a header row'):
        read_seed_file(_write(tmp_path / 'a.txt', [',0,1,2', _row(0, SEED_ROW0)]))
    with pytest.raises(SeedFormatError, match='empty file'):
        read_seed_file(_write(tmp_path / 'b.txt', ['']))
    with pytest.raises(SeedFormatError, match='no frame rows'):
        read_seed_file(_write(tmp_path / 'c.txt', [HEADER]))


def _write_actions(root: Path, lengths: dict) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for i, (name, num_frames) in enumerate(lengths.items()):
        landmarks = np.full((num_frames, 33, 4), float(i), dtype=np.float32)
        landmarks[:, :, 0] += np.arange(num_frames)[:, None]  # x = class + frame
        write_seed_file(root / f'{name}.txt', landmarks)


def test_dataset_windows_and_labels(tmp_path):
    _write_actions(tmp_path, dict(HANDSWING=50, SQUAT=40))
    ds = SeedSkeletonDataset(str(tmp_path), pipeline=[], classes=('HANDSWING', 'SQUAT'),
                             clip_len=20, stride=10)
    # HANDSWING: starts 0, 10, 20, 30; SQUAT: 0, 10, 20
    assert len(ds) == 7
    labels = [ds[i]['label'] for i in range(len(ds))]
    assert labels == [0, 0, 0, 0, 1, 1, 1]
    sample = ds[2]
    assert sample['keypoint'].shape == (1, 20, 33, 3)
    assert sample['keypoint_score'].shape == (1, 20, 33)
    assert sample['total_frames'] == 20 and sample['modality'] == 'Pose'
    np.testing.assert_array_equal(sample['keypoint'][0, :, 0, 0], np.arange(20, 40))
    assert ds.metainfo['classes'] == ('HANDSWING', 'SQUAT')


def test_dataset_frame_range_splits_in_time(tmp_path):
    _write_actions(tmp_path, dict(WALK=100))
    train = SeedSkeletonDataset(str(tmp_path), [], classes=['WALK'], clip_len=10, stride=10,
                                frame_range=(0.0, 0.8))
    val = SeedSkeletonDataset(str(tmp_path), [], classes=['WALK'], clip_len=10, stride=10,
                              frame_range=(0.8, 1.0))
    assert len(train) == 8 and len(val) == 2
    assert train[7]['keypoint'][0, -1, 0, 0] == 79 and val[0]['keypoint'][0, 0, 0, 0] == 80


def test_dataset_errors(tmp_path):
    _write_actions(tmp_path, dict(WALK=5))
    with pytest.raises(FileNotFoundError, match='SQUAT.txt'):
        SeedSkeletonDataset(str(tmp_path), [], classes=['SQUAT'])
    with pytest.raises(ValueError, match='WALK.txt: frames 0..5 of 5 hold no window of 30'):
        SeedSkeletonDataset(str(tmp_path), [], classes=['WALK'], clip_len=30)
    (tmp_path / 'BAD.txt').write_text(HEADER + '\n0,1,2\n')
    with pytest.raises(SeedFormatError, match='BAD.txt:2:'):
        SeedSkeletonDataset(str(tmp_path), [], classes=['BAD'])
