# Dataset metainfo of a custom classroom keypoint dataset (the template of
# ../bkpose_1xb8-30e_classroom-512x512.py): the 17 COCO keypoints, their skeleton, joint weights
# and OKS sigmas, under the dataset's own name. A dataset labelled with other keypoints replaces
# keypoint_info / skeleton_info / joint_weights / sigmas here (same fields as MMPose's
# configs/_base_/datasets/*.py); the codec and the head follow the number of keypoints and links.
_base_ = ['mmpose::_base_/datasets/coco.py']

dataset_info = dict(
    dataset_name='classroom',
    paper_info=dict(
        author='(your dataset)',
        title='A classroom keypoint dataset in COCO format (BK-SAD, the seed\'s dataset, is private)',
        container='',
        year='',
        homepage=''))
