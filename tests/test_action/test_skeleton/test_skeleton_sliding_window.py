"""Sliding-window inference over whole skeleton recordings (``posezoo.apis.inference``)."""

import numpy as np
import pytest
import torch
from mmengine.dataset import Compose, pseudo_collate

import posezoo.action  # noqa: F401
from posezoo.action.skeleton import (
    load_skeleton_file,
    seed_to_annotation,
    sliding_window_inference,
    window_starts,
    write_seed_file,
)
from posezoo.action.skeleton.synthetic import ACTIONS
from posezoo.apis import inference, init_model

from skeleton_helpers import SEED_SYNTHETIC_CFG, two_action_recording


def test_window_starts():
    assert window_starts(500, 30, 15) == list(range(0, 471, 15)) + [470]
    assert window_starts(60, 30, 15) == [0, 15, 30]
    assert window_starts(20, 30, 15) == [0]
    assert window_starts(30, 30, 15) == [0]


def test_windows_are_consecutive_frames_of_the_recording(tmp_path):
    torch.manual_seed(0)
    model = init_model(str(SEED_SYNTHETIC_CFG), device='cpu')
    landmarks = two_action_recording('SQUAT', 'WALK', 50, seed=3)  # 100 frames
    path = tmp_path / 'rec.txt'
    write_seed_file(path, landmarks)
    result = inference(model, str(path))
    assert result.window_starts.tolist() == [0, 15, 30, 45, 60, 70]
    assert result.window_clip_len == 30 and result.window_stride == 15
    assert result.total_frames == 100
    assert result.window_scores.shape == (6, 4)
    torch.testing.assert_close(result.pred_score, result.window_scores.mean(0))
    assert result.pred_label.item() == result.pred_score.argmax().item()
    # each window's score is the model's score on exactly that 30-frame slice
    anno = load_skeleton_file(path)
    pipeline = Compose(model.cfg.test_pipeline)
    for i, start in enumerate(result.window_starts.tolist()):
        window = seed_to_annotation(landmarks[start:start + 30])
        with torch.no_grad():
            ref = model.test_step(pseudo_collate([pipeline(window)]))[0].pred_score
        torch.testing.assert_close(result.window_scores[i], ref)
    # a pose dict gives the same as the file; explicit window settings are honoured
    torch.testing.assert_close(inference(model, anno).window_scores, result.window_scores)
    other = sliding_window_inference(model, anno, clip_len=30, stride=35)
    assert other.window_starts.tolist() == [0, 35, 70]


@pytest.mark.slow
@pytest.mark.learning
def test_500_frame_recording_with_two_actions(seed_lstm_checkpoint, tmp_path, figure):
    """A 500-frame recording: SQUAT for 250 frames, then WALK (another person) for 250.
    Windows inside each half must be classified as that half's action."""
    model = init_model(str(SEED_SYNTHETIC_CFG), str(seed_lstm_checkpoint), device='cpu')
    first, second = 'SQUAT', 'WALK'
    path = tmp_path / 'two_actions.txt'
    write_seed_file(path, two_action_recording(first, second, 250, seed=11))
    result = inference(model, str(path))
    starts = result.window_starts.numpy()
    labels = result.window_labels.numpy()
    names = [ACTIONS[i] for i in labels]
    print('window start -> predicted action:',
          ', '.join(f'{s}:{n}' for s, n in zip(starts, names)))
    print('aggregate (mean of window scores):',
          {a: round(float(s), 3) for a, s in zip(ACTIONS, result.pred_score)})
    in_first = starts + 30 <= 250
    in_second = starts >= 250
    acc_first = float(np.mean(labels[in_first] == ACTIONS.index(first)))
    acc_second = float(np.mean(labels[in_second] == ACTIONS.index(second)))
    print(f'{in_first.sum()} windows inside the {first} half: {acc_first:.2%} {first}; '
          f'{in_second.sum()} inside the {second} half: {acc_second:.2%} {second}')
    figure(f'windows inside the {first} half classified {first}', acc_first, 0.9)
    figure(f'windows inside the {second} half classified {second}', acc_second, 0.9)
    assert len(starts) == 33
    assert acc_first >= 0.9 and acc_second >= 0.9
    top2 = set(result.pred_score.topk(2).indices.tolist())
    assert top2 == {ACTIONS.index(first), ACTIONS.index(second)}
