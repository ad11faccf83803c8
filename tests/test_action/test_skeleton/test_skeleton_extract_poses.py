"""tools/misc/extract_poses.py: a bottom-up pose model over a short video made from real COCO images
-> an MMAction2 PoseDataset pickle with consistent person tracks; per-track labels; bounded memory
on a real 1080p video (streaming)."""
import json
import os
import pickle
import subprocess
import sys

import cv2
import mmcv
import numpy as np
import pytest
import torch
from mmaction.datasets import PoseDataset
from mmengine.registry import DefaultScope

import posezoo.action  # noqa: F401

from shared_data import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / 'tools' / 'misc'))
import extract_poses  # noqa: E402

FRAME_W, FRAME_H = 320, 240
IMAGES = ('000000488571.jpg', '000000183872.jpg')
PIPELINE = [
    dict(type='GenSkeFeat', dataset='coco', feats=['j']),
    dict(type='UniformSampleFrames', clip_len=8, num_clips=1, test_mode=True),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', num_person=2),
    dict(type='PackActionInputs')
]


# posezoo's BK-Pose (bottom-up, COCO-17), 256 x 256 input; the weights stay random, so the
# "people" are arbitrary, but detection, tracking and the pickle are exercised end to end.
POSE_CONFIG = 'configs/body_2d_keypoint/bkpose/coco/bkpose_1xb4-quickstart_coco-sample-256x256.py'


@pytest.fixture(autouse=True)
def in_repo_root(monkeypatch):
    monkeypatch.chdir(REPO_ROOT)  # the config refers to configs/_base_/datasets/coco.py


@pytest.fixture(scope='module')
def clip_frames(coco_sample) -> list:
    """Four frames: two of one real COCO image, then two of another (a cut)."""
    frames = []
    for name in IMAGES:
        img = mmcv.imread(str(coco_sample / 'train2017' / name))
        frames += [mmcv.imresize(img, (FRAME_W, FRAME_H))] * 2
    return frames


@pytest.fixture
def gt_detector(coco_sample, clip_frames, monkeypatch):
    """``detect_poses`` replaced by the real people of each frame's COCO image (annotated
    keypoints, scaled to the frame; score 0.9 where annotated): the random-weight pose model
    finds no reliable people, the tracker and the pickle get real ones."""
    ann = json.loads((coco_sample / 'annotations' / 'person_keypoints_train2017.json').read_text())
    people = {}
    for name in IMAGES:
        image = next(i for i in ann['images'] if i['file_name'] == name)
        kpts = np.array([a['keypoints'] for a in ann['annotations']
                         if a['image_id'] == image['id'] and a['num_keypoints'] >= 5],
                        dtype=np.float32).reshape(-1, 17, 3)
        scale = np.array([FRAME_W / image['width'], FRAME_H / image['height']], np.float32)
        people[name] = (kpts[..., :2] * scale * (kpts[..., 2:] > 0),
                        np.where(kpts[..., 2] > 0, 0.9, 0.0).astype(np.float32))
    by_frame = {clip_frames[2 * i].tobytes(): people[name] for i, name in enumerate(IMAGES)}

    def detect(model, frame, min_score):
        kpts, scores = by_frame[frame.tobytes()]
        keep = scores.mean(-1) >= min_score
        return kpts[keep], scores[keep]

    monkeypatch.setattr(extract_poses, 'detect_poses', detect)
    return people


def test_tracks_are_consistent_on_a_real_clip(clip_frames, gt_detector, tmp_path):
    from mmpose.apis import init_model
    torch.manual_seed(0)
    model = init_model(POSE_CONFIG, None, device='cpu')
    folder = tmp_path / 'clip'
    folder.mkdir()
    for i, frame in enumerate(clip_frames):
        cv2.imwrite(str(folder / f'{i:04d}.png'), frame)
    frames = list(extract_poses.read_frames(str(folder)))
    assert len(frames) == 4 and frames[0].shape == (FRAME_H, FRAME_W, 3)
    anno = extract_poses.extract_annotation(model, frames, 'clip', label=2, min_score=0.0)
    m, t, v, c = anno['keypoint'].shape
    print(f'extracted tracks: {m} people x {t} frames x {v} keypoints')
    assert (t, v, c) == (4, 17, 2)
    assert m == sum(len(k) for k, _ in gt_detector.values())  # everyone, a new track at the cut
    assert anno['keypoint_score'].shape == (m, 4, 17)
    assert anno['img_shape'] == (FRAME_H, FRAME_W) and anno['total_frames'] == 4
    present = anno['keypoint_score'].sum(-1) > 0  # (M, T)
    assert present.any()
    for track in range(m):
        frames_in = np.flatnonzero(present[track])
        for a, b in zip(frames_in[:-1], frames_in[1:]):
            if a // 2 == b // 2:  # same shot: the same person has the same pose in every frame
                np.testing.assert_allclose(anno['keypoint'][track, a], anno['keypoint'][track, b])
        # every track that is there at the start of a shot stays for the whole shot
        for shot in (0, 1):
            seen = present[track, 2 * shot:2 * shot + 2]
            assert seen.all() or not seen[0]
    # PoseDataset loads the pickle, the skeleton pipeline formats it for RecognizerGCN
    ann_file = tmp_path / 'poses.pkl'
    ann_file.write_bytes(pickle.dumps([anno]))
    with DefaultScope.overwrite_default_scope('mmaction'):
        dataset = PoseDataset(str(ann_file), pipeline=PIPELINE, test_mode=True)
    sample = dataset[0]
    assert tuple(sample['inputs'].shape) == (1, 2, 8, 17, 3)
    assert sample['data_samples'].gt_label.item() == 2


@pytest.mark.slow  # over 4 s; the fast loop (-m "not slow") stays under 3 minutes
def test_cli_on_a_video_file(clip_frames, tmp_path):
    video_dir = tmp_path / 'videos' / 'hand-raising'
    video_dir.mkdir(parents=True)
    video = video_dir / 'cut.avi'
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*'MJPG'), 10, (FRAME_W, FRAME_H))
    for frame in clip_frames[:3]:
        writer.write(frame)
    writer.release()
    out = tmp_path / 'bksad.pkl'
    cmd = [sys.executable, 'tools/misc/extract_poses.py', str(video), '--pose-config',
           POSE_CONFIG, '--out', str(out), '--classes', 'doze', 'hand-raising', 'normal',
           '--val-ratio', '0.5', '--max-persons', '2', '--min-score', '0']
    proc = subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    data = pickle.loads(out.read_bytes())
    assert set(data) == {'split', 'annotations'}
    (anno, ) = data['annotations']
    assert anno['label'] == 1 and anno['total_frames'] == 3
    assert anno['keypoint'].shape[1:] == (3, 17, 2) and anno['keypoint'].shape[0] <= 2
    split = 'train' if data['split']['train'] else 'val'
    assert data['split'][split] == [anno['frame_dir']]
    with DefaultScope.overwrite_default_scope('mmaction'):
        dataset = PoseDataset(str(out), pipeline=PIPELINE, split=split, test_mode=True)
    assert len(dataset) == 1 and tuple(dataset[0]['inputs'].shape) == (1, 2, 8, 17, 3)


def test_mediapipe_backend_without_the_package(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, 'mediapipe', None)  # as if not installed
    with pytest.raises(ImportError, match='optional `mediapipe` package'):
        extract_poses.extract_mediapipe(str(tmp_path / 'v.avi'), str(tmp_path))


def test_per_track_labels(clip_frames, gt_detector, tmp_path):
    from mmpose.apis import init_model
    torch.manual_seed(0)
    model = init_model(POSE_CONFIG, None, device='cpu')
    tracker, num_frames, img_shape = extract_poses.track_video(
        model, iter(clip_frames), min_score=0.0,
        tracker=extract_poses.PoseTracker(max_lost=1))
    tracks = tracker.tracks()
    assert num_frames == 4 and img_shape == (FRAME_H, FRAME_W) and len(tracks) >= 2
    ids = [tr['id'] for tr in tracks][:2]
    label_file = tmp_path / 'labels.txt'
    classes = ['doze', 'hand-raising', 'normal']
    label_file.write_text('# video track class\n' + '\n'.join(
        f'cut {i} {classes[k % 3]}' for k, i in enumerate(ids)) + '\n')
    labels = extract_poses.read_track_labels(str(label_file), classes)
    assert labels == {'cut': {i: k % 3 for k, i in enumerate(ids)}}
    annos = extract_poses.track_annotations(tracks, labels['cut'], 'videos/cut', num_frames, 17,
                                            img_shape)
    assert [a['frame_dir'] for a in annos] == [f'videos/cut/track{i}' for i in sorted(ids)]
    for anno in annos:
        track = next(tr for tr in tracks if anno['frame_dir'].endswith(f'track{tr["id"]}'))
        assert anno['keypoint'].shape == (1, 4, 17, 2)
        np.testing.assert_array_equal(anno['keypoint'][0, track['frames']],
                                      np.stack(track['keypoints']))
        assert anno['label'] == labels['cut'][track['id']]
    with pytest.raises(KeyError, match='track ids \\[99\\]'):
        extract_poses.track_annotations(tracks, {99: 0}, 'videos/cut', num_frames, 17, img_shape)
    label_file.write_text('cut 0 sleeping\n')
    with pytest.raises(ValueError, match='labels.txt:1: class .sleeping.'):
        extract_poses.read_track_labels(str(label_file), classes)
    label_file.write_text('cut zero doze\n')
    with pytest.raises(ValueError, match='labels.txt:1: expected'):
        extract_poses.read_track_labels(str(label_file), classes)


MEMORY_PROBE = """
import importlib.util, json, sys
def rss_mb(key):
    for line in open('/proc/self/status'):
        if line.startswith(key):
            return int(line.split()[1]) / 1024
start = rss_mb('VmRSS:')
spec = importlib.util.spec_from_file_location('extract_poses', 'tools/misc/extract_poses.py')
tool = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tool)
marks, track_video = {}, tool.track_video
def traced(*args, **kwargs):
    marks['before_frames_mb'] = rss_mb('VmRSS:')
    return track_video(*args, **kwargs)
tool.track_video = traced
sys.argv = ['extract_poses.py'] + sys.argv[1:]
tool.main()
print('MEMORY', json.dumps(dict(start_mb=start, peak_mb=rss_mb('VmHWM:'), **marks)))
"""


@pytest.mark.slow
def test_streaming_memory_on_1080p_ntu_clip(shared_path, tmp_path):
    """The whole 1920 x 1080 NTU clip through the tool: peak RSS stays < 1.5 GB above the
    interpreter's start (keeping the decoded frames alone would take 103 x 5.9 MiB = 611 MiB)."""
    video = shared_path('POSEZOO_NTU_VIDEO', 'data', 'videos',
                        'ntu_S001C001P001R001A001_drink_water.avi')
    cap = cv2.VideoCapture(str(video))
    num_frames = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    width, height = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
    cap.release()
    out = tmp_path / 'ntu.pkl'
    env = dict(os.environ, OMP_NUM_THREADS='2')
    proc = subprocess.run([sys.executable, '-c', MEMORY_PROBE, str(video), '--pose-config',
                           POSE_CONFIG, '--out', str(out), '--min-score', '0'], cwd=REPO_ROOT,
                          env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    memory = json.loads(proc.stdout.split('MEMORY', 1)[1])
    (anno, ) = pickle.loads(out.read_bytes())
    frames_mb = num_frames * width * height * 3 / 2**20
    above = memory['peak_mb'] - memory['start_mb']
    print(f'{video.name}: {num_frames} frames {width}x{height}; peak RSS {memory["peak_mb"]:.0f} MB'
          f', {above:.0f} MB above the start ({memory["start_mb"]:.0f} MB; '
          f'{memory["before_frames_mb"]:.0f} MB with the libraries and the model loaded, before '
          f'the first frame); all decoded frames would take {frames_mb:.0f} MB')
    assert anno['total_frames'] == num_frames and anno['img_shape'] == (height, width)
    assert above < 1.5 * 1024
