"""Run ``posezoo.edge`` on images with torch, mmcv, mmengine and mmpose made unimportable.

    python tests/test_edge/run_without_torch.py [--backend openvino] MODEL.onnx OUT.npz IMAGE ...

A meta-path finder installed before anything else refuses the four packages (and their
submodules); the script checks that importing them fails and, at the end, that none of them
was loaded, and saves the predictions as ``<stem>_keypoints`` / ``_keypoint_scores`` /
``_instance_scores``. Used by ``test_edge_no_torch_subprocess_matches_pipeline``.
"""
import importlib
import importlib.abc
import sys

BLOCKED = ('torch', 'mmcv', 'mmengine', 'mmpose')


class _Blocker(importlib.abc.MetaPathFinder):

    def find_spec(self, fullname, path=None, target=None):
        if fullname.split('.')[0] in BLOCKED:
            raise ModuleNotFoundError(f'No module named {fullname!r} (blocked by {__file__})',
                                      name=fullname)
        return None


def main(argv) -> int:
    sys.meta_path.insert(0, _Blocker())
    for name in BLOCKED:
        try:
            importlib.import_module(name)
        except ImportError:
            continue
        raise SystemExit(f'{name} could still be imported')

    import os.path as osp

    import cv2
    import numpy as np

    from posezoo.edge import EdgePoseEstimator

    backend = 'onnxruntime'
    if argv[0] == '--backend':
        backend, argv = argv[1], argv[2:]
    model, out, images = argv[0], argv[1], argv[2:]
    estimator = EdgePoseEstimator(model, threads=1, backend=backend)
    arrays = {}
    for image in images:
        poses = estimator(cv2.imread(image))
        stem = osp.splitext(osp.basename(image))[0]
        arrays[f'{stem}_keypoints'] = poses.keypoints
        arrays[f'{stem}_keypoint_scores'] = poses.keypoint_scores
        arrays[f'{stem}_instance_scores'] = poses.instance_scores
        print(f'{stem}: {len(poses)} people ({backend})')
    np.savez(out, **arrays)
    loaded = sorted(m for m in sys.modules if m.split('.')[0] in BLOCKED)
    if loaded:
        raise SystemExit(f'blocked modules were loaded: {loaded}')
    print('no torch, mmcv, mmengine or mmpose module loaded')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
