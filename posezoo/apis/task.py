"""Which library and task a config belongs to, read from its scope and data pipeline."""
from mmengine.config import Config

POSE = 'pose'
VIDEO_ACTION = 'video_action'
SKELETON_ACTION = 'skeleton_action'
IMAGE_CLASSIFICATION = 'image_classification'
TASKS = (POSE, VIDEO_ACTION, SKELETON_ACTION, IMAGE_CLASSIFICATION)

# MMAction2 transforms that only exist in skeleton pipelines.
_SKELETON_TRANSFORMS = {
    'PoseDecode', 'GenSkeFeat', 'PreNormalize2D', 'PreNormalize3D', 'JointToBone', 'ToMotion',
    'MergeSkeFeat', 'FormatGCNInput', 'PoseCompact', 'GeneratePoseTarget',
}


def _test_pipeline(cfg: Config) -> list:
    dataset = cfg.get('test_dataloader', {}).get('dataset', {})
    while 'pipeline' not in dataset and 'dataset' in dataset:  # wrappers (RepeatDataset, ...)
        dataset = dataset['dataset']
    return dataset.get('pipeline') or cfg.get('test_pipeline') or []


def infer_task(cfg: Config) -> str:
    """The task of a config: one of :data:`TASKS`.

    Raises:
        ValueError: the config's ``default_scope`` is not one that posezoo serves.
    """
    scope = cfg.get('default_scope')
    if scope == 'mmpose':
        return POSE
    if scope == 'mmpretrain':
        return IMAGE_CLASSIFICATION
    if scope == 'mmaction':
        types = {step.get('type') for step in _test_pipeline(cfg) if isinstance(step, dict)}
        return SKELETON_ACTION if types & _SKELETON_TRANSFORMS else VIDEO_ACTION
    raise ValueError(
        f'unknown task: the config has default_scope={scope!r}; posezoo.apis serves configs '
        "of 'mmpose' (pose), 'mmaction' (video or skeleton action) and 'mmpretrain' "
        '(image classification)')


def test_pipeline(cfg: Config) -> list:
    """The config's test-time data pipeline (a list of transform dicts)."""
    return list(_test_pipeline(cfg))
