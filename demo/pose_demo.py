"""Multi-person pose estimation on an image with any posezoo / MMPose pose config.

    python demo/pose_demo.py CONFIG CHECKPOINT IMAGE [--out-file vis.jpg] [--device cpu]
"""
import argparse

import mmcv
from mmpose.registry import VISUALIZERS

from posezoo.apis import inference, init_model


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='posezoo pose demo on one image')
    parser.add_argument('config', help='pose config file: path, posezoo::<path> or model name')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('image', help='image file')
    parser.add_argument('--out-file', default='vis_result.jpg', help='where to save the visualisation')
    parser.add_argument('--device', default='cpu', help='cpu, cuda, cuda:1, ...')
    parser.add_argument('--kpt-thr', type=float, default=0.3, help='keypoint score threshold to draw')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    model = init_model(args.config, args.checkpoint, device=args.device)
    result = inference(model, args.image)
    visualizer = VISUALIZERS.build(model.cfg.visualizer)
    visualizer.set_dataset_meta(model.dataset_meta)
    image = mmcv.imread(args.image, channel_order='rgb')
    visualizer.add_datasample(
        'result', image, data_sample=result, draw_gt=False, draw_bbox=False,
        kpt_thr=args.kpt_thr, show=False, out_file=args.out_file)
    scores = result.pred_instances.keypoint_scores
    drawn = int((scores >= args.kpt_thr).any(axis=1).sum()) if len(scores) else 0
    print(f'{len(scores)} people found in {args.image}, {drawn} with keypoints above '
          f'--kpt-thr {args.kpt_thr}; visualisation saved to {args.out_file}')


if __name__ == '__main__':
    main()
