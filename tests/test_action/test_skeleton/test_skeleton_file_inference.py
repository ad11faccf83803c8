"""``load_skeleton_file`` and action scores for a skeleton sequence file (seed .txt and .pkl)."""
import pickle
from pathlib import Path

import numpy as np
import pytest
import torch

import posezoo.action  # noqa: F401
from posezoo.action.skeleton import load_skeleton_file, write_seed_file
from posezoo.action.skeleton.synthetic import make_person, make_pose_annotation, person_to_seed_landmarks
from posezoo.apis import inference, init_model

from shared_data import REPO_ROOT

CONFIGS = REPO_ROOT / 'configs' / 'skeleton'
SEED_CFG = CONFIGS / 'lstm' / 'lstm_8xb16-20e_seed-mediapipe33-30f.py'
COCO_CFG = CONFIGS / 'lstm' / 'lstm_8xb16-80e_bksad-coco17-48f.py'


@pytest.fixture(scope='module')
def seed_txt(tmp_path_factory) -> Path:
    rng = np.random.default_rng(0)
    path = tmp_path_factory.mktemp('seq') / 'SQUAT.txt'
    write_seed_file(path, person_to_seed_landmarks(make_person('SQUAT', 45, rng), rng))
    return path


def test_load_seed_txt(seed_txt):
    anno = load_skeleton_file(seed_txt)
    assert anno['keypoint'].shape == (1, 45, 33, 3) and anno['keypoint'].dtype == np.float32
    assert anno['keypoint_score'].shape == (1, 45, 33)
    assert anno['total_frames'] == 45 and anno['img_shape'] == (1, 1)
    assert anno['label'] == -1 and anno['frame_dir'] == 'SQUAT' and anno['modality'] == 'Pose'


def test_load_pkl_variants_and_errors(tmp_path):
    rng = np.random.default_rng(1)
    anno = make_pose_annotation('WALK', 30, 2, 'clip', rng)
    for i, payload in enumerate([anno, [anno], dict(split=dict(val=['clip']), annotations=[anno])]):
        path = tmp_path / f'a{i}.pkl'
        path.write_bytes(pickle.dumps(payload))
        out = load_skeleton_file(path)
        assert out['keypoint'].shape == (2, 30, 17, 2) and out['keypoint_score'].shape == (2, 30, 17)
        assert out['label'] == anno['label'] and out['img_shape'] == (480, 640)
    (tmp_path / 'two.pkl').write_bytes(pickle.dumps([anno, anno]))
    with pytest.raises(ValueError, match='two.pkl: expected one skeleton annotation, found 2'):
        load_skeleton_file(tmp_path / 'two.pkl')
    (tmp_path / 'nokey.pkl').write_bytes(pickle.dumps(dict(img_shape=(1, 1))))
    with pytest.raises(KeyError, match="nokey.pkl: the skeleton annotation has no 'keypoint'"):
        load_skeleton_file(tmp_path / 'nokey.pkl')
    bad = dict(anno, keypoint_score=np.zeros((2, 30, 5)))
    (tmp_path / 'bad.pkl').write_bytes(pickle.dumps(bad))
    with pytest.raises(ValueError, match=r'bad.pkl: keypoint_score has shape \(2, 30, 5\)'):
        load_skeleton_file(tmp_path / 'bad.pkl')
    with pytest.raises(ValueError, match='unsupported skeleton file'):
        load_skeleton_file(tmp_path / 'x.json')


def test_action_scores_for_seed_txt(seed_txt):
    from mmaction.apis import init_recognizer
    torch.manual_seed(0)
    model = init_recognizer(str(SEED_CFG), device='cpu')
    from mmengine.dataset import Compose, pseudo_collate
    data = Compose(model.cfg.test_pipeline)(load_skeleton_file(seed_txt))
    assert tuple(data['inputs'].shape) == (1, 1, 30, 33, 4)
    with torch.no_grad():
        result = model.test_step(pseudo_collate([data]))[0]
    scores = result.pred_score
    assert scores.shape == (4, )
    assert torch.allclose(scores.sum(), torch.tensor(1.0), atol=1e-5)  # softmax scores
    # posezoo's inference API: 30-frame windows at frames 0 and 15 of the 45, scores averaged
    model2 = init_model(str(SEED_CFG), device='cpu')
    model2.load_state_dict(model.state_dict())
    result = inference(model2, str(seed_txt))
    assert result.window_starts.tolist() == [0, 15]
    anno = load_skeleton_file(seed_txt)
    windows = [dict(anno, keypoint=anno['keypoint'][:, s:s + 30],
                    keypoint_score=anno['keypoint_score'][:, s:s + 30], total_frames=30)
               for s in (0, 15)]
    pipeline = Compose(model.cfg.test_pipeline)
    with torch.no_grad():
        expected = torch.stack([model.test_step(pseudo_collate([pipeline(w)]))[0].pred_score
                                for w in windows]).mean(0)
    torch.testing.assert_close(result.pred_score, expected)


def test_action_scores_for_pkl(tmp_path):
    rng = np.random.default_rng(2)
    path = tmp_path / 'clip.pkl'
    path.write_bytes(pickle.dumps(make_pose_annotation('ARMRAISE', 70, 2, 'clip', rng)))
    model = init_model(str(COCO_CFG), device='cpu')
    result = inference(model, str(path))
    assert result.pred_score.shape == (3, ) and torch.isfinite(result.pred_score).all()
