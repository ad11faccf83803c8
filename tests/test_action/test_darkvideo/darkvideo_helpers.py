"""Shared helpers of the dark-video tests: paths and tiny configs."""

from mmengine.config import Config

from shared_data import REPO_ROOT, require_data, shared_file

CONFIGS = REPO_ROOT / 'configs' / 'recognition' / 'darkvideo_kd'
DARKCLIPS = CONFIGS / 'darkclips'
STUDENT_CFG = DARKCLIPS / 'r2plus1d-tiny-bert_1xb16-10e_darkclips-8x32x32.py'
TEACHER_CFG = DARKCLIPS / 'zerodce-r2plus1d-tiny-bert_1xb16-10e_darkclips-8x32x32.py'
KD_CFG = DARKCLIPS / 'kd-zerodce_r2plus1d-tiny-bert_1xb16-10e_darkclips-8x32x32.py'


def zerodce_checkpoint() -> str:
    """The official Zero-DCE weights (env POSEZOO_ZERODCE_FIXTURE overrides the folder); the
    test is skipped (failed under POSEZOO_REQUIRE_SHARED=1) when they are missing."""
    folder = shared_file('POSEZOO_ZERODCE_FIXTURE', 'data', 'zerodce')
    return str(require_data(folder / 'Epoch99.pth', 'official Zero-DCE weights'))


def teacher_config() -> Config:
    """The tiny teacher config with the official Zero-DCE weights."""
    cfg = Config.fromfile(str(TEACHER_CFG))
    cfg.model.enhancer.checkpoint = zerodce_checkpoint()
    return cfg

