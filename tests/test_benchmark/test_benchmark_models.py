"""Config -> name, explicit input shape and architecture key (tools/analysis/bench/models.py and
posezoo.apis.config_input_shape), on real configs."""
import pytest
import torch
from mmengine.config import Config

from posezoo.apis import config_input_shape, init_model
from posezoo.deployment import InferenceNetwork
from posezoo.utils.setup_env import resolve_config

from bench.models import architecture_key, config_name

HH = 'configs/body_2d_keypoint/higherhrnet/coco/'


def test_config_name_drops_schedule():
    assert config_name(HH + 'higherhrnet_hrnet-w32_8xb24-300e_coco-512x512.py') == \
        'higherhrnet_hrnet-w32_coco-512x512'
    assert config_name('stgcn_8xb16-joint-80e_bksad-coco17-48f.py') == \
        'stgcn_bksad-coco17-48f'
    assert config_name('kd-zerodce_r2plus1d-tiny-bert_1xb16-10e_darkclips-8x32x32.py') == \
        'kd-zerodce_r2plus1d-tiny-bert_darkclips-8x32x32'


@pytest.mark.parametrize('config, shape', [
    (HH + 'higherhrnet_hrnet-w32_8xb24-300e_coco-512x512.py', (3, 512, 512)),
    (HH + 'higherhrnet_hrnet-w48_8xb10-300e_coco-640x640.py', (3, 640, 640)),
    ('configs/body_2d_keypoint/bkpose/coco/bkpose_1xb8-60e_coco-512x512.py', (3, 512, 512)),
    ('mmpose::body_2d_keypoint/rtmo/coco/rtmo-s_8xb32-600e_coco-640x640.py', (3, 640, 640)),
    ('mmpose::body_2d_keypoint/dekr/coco/dekr_hrnet-w32_8xb10-140e_coco-512x512.py',
     (3, 512, 512)),
    ('configs/recognition/darkvideo_kd/darkclips/'
     'kd-zerodce_r2plus1d-tiny-bert_1xb16-10e_darkclips-8x32x32.py', (1, 3, 8, 32, 32)),
    ('configs/image_classification/fer2013/resnet18_1xb128-200e_fer2013-48x48.py', (1, 48, 48)),
    ('configs/skeleton/lstm/lstm_8xb16-80e_bksad-coco17-48f.py', (1, 2, 48, 17, 3)),
    ('configs/skeleton/lstm/lstm_8xb16-20e_seed-mediapipe33-30f.py', (1, 1, 30, 33, 4)),
])
def test_input_shape_from_config(config, shape, repo_root):
    path = resolve_config(config if '::' in config else str(repo_root / config))
    assert config_input_shape(Config.fromfile(path)) == shape


def test_architecture_key_merges_schedules_only(repo_root):

    def key(name):
        path = str(repo_root / HH / name)
        cfg = Config.fromfile(path)
        return architecture_key(cfg, config_input_shape(cfg))

    official = key('higherhrnet_hrnet-w32_8xb24-300e_coco-512x512.py')
    assert key('higherhrnet_hrnet-w32_1xb32-40e_coco-512x512.py') == official
    assert key('higherhrnet_se-hrnet-w32_1xb32-40e_coco-512x512.py') != official
    assert key('higherhrnet_hrnet-w32_8xb24-300e_coco-640x640.py') != official


def test_resolve_config_errors():
    with pytest.raises(FileNotFoundError, match='not found'):
        resolve_config('configs/nope.py')
    with pytest.raises(FileNotFoundError, match='no such config'):
        resolve_config('mmpose::body_2d_keypoint/nope.py')


def test_kd_inference_network_is_the_student(repo_root):
    """The KD model's measured network is its student: same parameters as the plain model."""
    folder = repo_root / 'configs/recognition/darkvideo_kd/darkclips'
    kd = init_model(str(folder / 'kd-zerodce_r2plus1d-tiny-bert_1xb16-10e_darkclips-8x32x32.py'))
    plain = init_model(str(folder / 'r2plus1d-tiny-bert_1xb16-10e_darkclips-8x32x32.py'))
    kd_net, plain_net = InferenceNetwork(kd, 'video_action'), InferenceNetwork(plain,
                                                                              'video_action')
    assert kd_net.model is kd.student
    plain_net.model.load_state_dict(kd.student.state_dict())
    x = torch.randn(2, 1, 3, 8, 32, 32)
    with torch.no_grad():
        (kd_scores, ), (plain_scores, ) = kd_net(x), plain_net(x)
    assert kd_scores.shape == (2, 4)
    torch.testing.assert_close(kd_scores, plain_scores)
