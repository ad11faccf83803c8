"""End to end on CPU: dark clips generated from real COCO photographs, the Zero-DCE teacher
trained, then the KD student trained from it, both through MMEngine's runner with the
darkclips configs; top-1 reported; the exported student used through posezoo.apis."""
import subprocess
import sys

import torch
from mmengine.config import Config
from mmengine.runner import Runner

from darkvideo_helpers import (KD_CFG, REPO_ROOT, SHARED, STUDENT_CFG, set_data_root,
                               teacher_config)

CHANCE = 0.25  # 4 pan directions


def train(cfg: Config, work_dir) -> float:
    cfg.work_dir = str(work_dir)
    cfg.randomness = dict(seed=0, deterministic=False)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=6)
    runner = Runner.from_cfg(cfg)
    runner.train()
    return runner.val_loop.run()['acc/top1']


def test_teacher_then_kd_student_on_dark_clips(tmp_path):
    data = tmp_path / 'darkclips'
    subprocess.run([sys.executable, str(REPO_ROOT / 'tools' / 'misc' / 'make_dark_clips.py'),
                    str(SHARED / 'data' / 'coco-mini'), str(data)], check=True)

    teacher_cfg = set_data_root(teacher_config(), str(data))
    teacher_top1 = train(teacher_cfg, tmp_path / 'teacher')
    teacher_ckpt = tmp_path / 'teacher' / 'epoch_10.pth'
    assert teacher_ckpt.is_file()

    kd_cfg = set_data_root(Config.fromfile(str(KD_CFG)), str(data))
    kd_cfg.model.teacher_ckpt = str(teacher_ckpt)
    student_top1 = train(kd_cfg, tmp_path / 'kd')
    print(f'dark clips (4 classes, chance {CHANCE:.2f}): teacher (Zero-DCE + R(2+1)D-tiny + BERT) '
          f'top-1 {teacher_top1:.3f}; KD student (raw frames) top-1 {student_top1:.3f}')
    assert teacher_top1 > CHANCE + 0.2
    assert student_top1 > CHANCE + 0.3

    # the KD checkpoint -> a plain student checkpoint, usable by posezoo.apis.init_model
    from posezoo.apis import init_model
    sys.path.insert(0, str(REPO_ROOT / 'tools' / 'model_converters'))
    from kd_to_student import convert
    convert(str(tmp_path / 'kd' / 'epoch_10.pth'), str(tmp_path / 'student.pth'))
    kd_model = init_model(str(KD_CFG), str(tmp_path / 'kd' / 'epoch_10.pth'))
    student = init_model(str(STUDENT_CFG), str(tmp_path / 'student.pth'))
    clips = torch.randn(2, 1, 3, 8, 32, 32)
    with torch.no_grad():
        torch.testing.assert_close(kd_model(clips, mode='tensor'), student(clips, mode='tensor'),
                                   rtol=0, atol=0)
