"""End to end on CPU: dark clips generated from real COCO photographs, the Zero-DCE teacher
trained, then the KD student trained from its checkpoint, both through MMEngine's runner with
the darkclips configs (16 x 16 clips, 12 epochs each); top-1 printed and asserted well above
chance (0.25); the KD checkpoint
exported to a plain student checkpoint and both used through posezoo.apis.init_model."""
import subprocess
import sys

import torch
from mmengine.config import Config
from mmengine.runner import Runner

from darkvideo_helpers import (KD_CFG, REPO_ROOT, SHARED, STUDENT_CFG, set_data_root,
                               teacher_config)

EPOCHS = 12
CHANCE = 0.25


def train(cfg: Config, work_dir) -> float:
    cfg.work_dir = str(work_dir)
    cfg.randomness = dict(seed=0, deterministic=False)
    cfg.train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=EPOCHS, val_begin=EPOCHS,
                         val_interval=EPOCHS)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=2)
    runner = Runner.from_cfg(cfg)
    runner.train()
    return runner.val_loop.run()['acc/top1']


def test_teacher_then_kd_student_on_dark_clips(tmp_path):
    data = tmp_path / 'darkclips'
    subprocess.run([sys.executable, str(REPO_ROOT / 'tools' / 'misc' / 'make_dark_clips.py'),
                    str(SHARED / 'data' / 'coco-mini'), str(data), '--train-per-class', '80',
                    '--val-per-class', '12', '--size', '16', '--exposure', '0.05', '0.15',
                    '--full-well', '4000', '--read-noise', '0.002'], check=True)

    teacher_top1 = train(set_data_root(teacher_config(), str(data)), tmp_path / 'teacher')
    teacher_ckpt = tmp_path / 'teacher' / f'epoch_{EPOCHS}.pth'
    assert teacher_ckpt.is_file()

    kd_cfg = set_data_root(Config.fromfile(str(KD_CFG)), str(data))
    kd_cfg.model.teacher_ckpt = str(teacher_ckpt)
    student_top1 = train(kd_cfg, tmp_path / 'kd')
    print(f'dark clips (4 classes, {EPOCHS} epochs): teacher top-1 {teacher_top1:.3f}; '
          f'KD student top-1 {student_top1:.3f}')
    assert teacher_top1 >= 2 * CHANCE, f'teacher top-1 {teacher_top1:.3f} (chance {CHANCE})'
    assert student_top1 >= 2 * CHANCE, f'KD student top-1 {student_top1:.3f} (chance {CHANCE})'

    # the KD run loaded the trained teacher and left it untouched
    kd_state = torch.load(tmp_path / 'kd' / f'epoch_{EPOCHS}.pth', map_location='cpu',
                          weights_only=True)['state_dict']
    teacher_state = torch.load(teacher_ckpt, map_location='cpu', weights_only=True)['state_dict']
    for key, value in teacher_state.items():
        assert torch.equal(kd_state[f'teacher.{key}'], value), key

    # the KD checkpoint -> a plain student checkpoint, usable by posezoo.apis.init_model
    from posezoo.apis import init_model
    sys.path.insert(0, str(REPO_ROOT / 'tools' / 'model_converters'))
    from kd_to_student import convert
    convert(str(tmp_path / 'kd' / f'epoch_{EPOCHS}.pth'), str(tmp_path / 'student.pth'))
    kd_model = init_model(str(KD_CFG), str(tmp_path / 'kd' / f'epoch_{EPOCHS}.pth'))
    student = init_model(str(STUDENT_CFG), str(tmp_path / 'student.pth'))
    clips = torch.randn(2, 1, 3, 8, 32, 32)
    with torch.no_grad():
        torch.testing.assert_close(kd_model(clips, mode='tensor'), student(clips, mode='tensor'),
                                   rtol=0, atol=0)
