"""KDRecognizer: the KD loss by hand, a frozen teacher, student-only gradients and inference,
the student export."""
import importlib.util
import math

import pytest
import torch
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from mmengine.config import Config
from mmengine.optim import OptimWrapper
from mmengine.runner import load_checkpoint

import posezoo.action  # noqa: F401
from posezoo.action.darkvideo import DistillationKLLoss

from darkvideo_helpers import KD_CFG, REPO_ROOT, STUDENT_CFG, teacher_config

_spec = importlib.util.spec_from_file_location(
    'kd_to_student', REPO_ROOT / 'tools' / 'model_converters' / 'kd_to_student.py')
kd_to_student = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(kd_to_student)


def test_kd_loss_hand_computed():
    s = torch.tensor([[0.0, 0.0]])
    t = torch.tensor([[math.log(3.0), 0.0]])  # teacher probabilities 3/4, 1/4
    kl = 0.75 * math.log(0.75 / 0.5) + 0.25 * math.log(0.25 / 0.5)
    assert DistillationKLLoss()(s, t).item() == pytest.approx(kl, rel=1e-5)
    # T = 2: p_t = softmax(ln3 / 2, 0) = (sqrt3, 1) / (sqrt3 + 1); scaled by T^2; beta = 0.5
    p = math.sqrt(3) / (math.sqrt(3) + 1)
    kl_t2 = p * math.log(p / 0.5) + (1 - p) * math.log((1 - p) / 0.5)
    loss = DistillationKLLoss(temperature=2.0, loss_weight=0.5)(s, t)
    assert loss.item() == pytest.approx(0.5 * 4 * kl_t2, rel=1e-5)
    # batch mean, zero when equal, gradient only to the student
    s2 = torch.tensor([[0.0, 0.0], [math.log(3.0), 0.0]], requires_grad=True)
    t2 = torch.tensor([[math.log(3.0), 0.0], [math.log(3.0), 0.0]], requires_grad=True)
    out = DistillationKLLoss()(s2, t2)
    assert out.item() == pytest.approx(kl / 2, rel=1e-5)
    out.backward()
    assert t2.grad is None and s2.grad.abs().sum() > 0


def make_batch(n: int = 4, seed: int = 0) -> dict:
    g = torch.Generator().manual_seed(seed)
    inputs = [torch.randint(0, 60, (1, 3, 8, 32, 32), generator=g, dtype=torch.uint8)
              for _ in range(n)]
    samples = [ActionDataSample().set_gt_label(i % 4) for i in range(n)]
    return dict(inputs=inputs, data_samples=samples)


@pytest.fixture(scope='module')
def kd_setup(tmp_path_factory):
    """A KD model (tiny configs) whose teacher is loaded from a saved teacher checkpoint with
    randomised BatchNorm statistics."""
    torch.manual_seed(0)
    tmp = tmp_path_factory.mktemp('kd')
    tcfg = teacher_config()
    teacher = MODELS.build(tcfg.model)
    teacher.init_weights()
    for m in teacher.modules():
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 2.0)
    teacher_ckpt = tmp / 'teacher.pth'
    torch.save(dict(state_dict=teacher.state_dict()), teacher_ckpt)
    kd_cfg = Config.fromfile(str(KD_CFG))
    kd_cfg.model.teacher_config = tcfg.model
    kd_cfg.model.teacher_ckpt = str(teacher_ckpt)
    model = MODELS.build(kd_cfg.model)
    model.init_weights()
    return model, teacher, tmp


def test_teacher_loaded_frozen_and_in_eval(kd_setup):
    model, teacher, _ = kd_setup
    for (k, v), (k2, v2) in zip(model.teacher.state_dict().items(), teacher.state_dict().items()):
        assert k == k2 and torch.equal(v, v2)
    model.train()
    assert model.student.training and not model.teacher.training
    assert not any(m.training for m in model.teacher.modules())
    assert not any(p.requires_grad for p in model.teacher.parameters())


def test_only_student_gets_gradients(kd_setup):
    model, _, _ = kd_setup
    model.train()
    model.zero_grad()
    data = model.data_preprocessor(make_batch(), True)
    losses = model(**data, mode='loss')
    assert {'loss_cls', 'loss_kd', 'top1_acc'} <= set(losses)
    assert losses['loss_kd'].item() > 0
    (losses['loss_cls'] + losses['loss_kd']).backward()
    for name, p in model.teacher.named_parameters():
        assert p.grad is None, name
    missing = [n for n, p in model.student.named_parameters() if p.grad is None]
    assert not missing, missing
    assert sum(p.grad.abs().sum().item() for p in model.student.parameters()) > 0
    model.zero_grad()


def test_teacher_bit_identical_after_kd_steps(kd_setup):
    model, _, _ = kd_setup
    before_teacher = {k: v.clone() for k, v in model.teacher.state_dict().items()}
    before_student = {k: v.clone() for k, v in model.student.state_dict().items()}
    optim = OptimWrapper(torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2))
    model.train()
    for step in range(3):
        log = model.train_step(make_batch(seed=step), optim)
        assert torch.isfinite(log['loss'])
    after = model.teacher.state_dict()
    assert before_teacher.keys() == after.keys()
    for k, v in before_teacher.items():
        assert torch.equal(v, after[k]), f'teacher {k} changed'
    changed = [k for k, v in model.student.state_dict().items()
               if not torch.equal(v, before_student[k])]
    assert any('running_mean' in k for k in changed) and any('weight' in k for k in changed)


def test_inference_runs_student_only(kd_setup):
    model, _, _ = kd_setup
    calls = []
    hook = model.teacher.register_forward_pre_hook(lambda *a: calls.append(1))
    hooks = [m.register_forward_pre_hook(lambda *a: calls.append(1))
             for m in model.teacher.modules()]
    try:
        model.eval()
        out = model.test_step(make_batch())
        assert len(out) == 4 and out[0].pred_score.shape == (4, )
        model(torch.zeros(2, 1, 3, 8, 32, 32), mode='tensor')
    finally:
        hook.remove()
        for h in hooks:
            h.remove()
    assert not calls
    assert model.inference_model is model.student


def test_exported_student_predicts_identically(kd_setup):
    model, _, tmp = kd_setup
    kd_ckpt = tmp / 'kd.pth'
    torch.save(dict(state_dict=model.state_dict(), meta=dict(epoch=1)), kd_ckpt)
    n = kd_to_student.convert(str(kd_ckpt), str(tmp / 'student.pth'))
    assert n == len(model.student.state_dict())
    student = MODELS.build(Config.fromfile(str(STUDENT_CFG)).model)
    load_checkpoint(student, str(tmp / 'student.pth'), map_location='cpu', strict=True)
    model.eval()
    student.eval()
    batch = make_batch(seed=7)
    kd_scores = torch.stack([d.pred_score for d in model.test_step(batch)])
    st_scores = torch.stack([d.pred_score for d in student.test_step(batch)])
    print(f'KD model vs exported student: max abs score difference '
          f'{(kd_scores - st_scores).abs().max().item():.3e}')
    assert torch.equal(kd_scores, st_scores)
    with pytest.raises(KeyError, match='student'):
        kd_to_student.student_state_dict(student.state_dict())


def test_teacher_ckpt_required_and_renormalisation(kd_setup):
    model, _, _ = kd_setup
    cfg = Config.fromfile(str(KD_CFG))
    cfg.model.teacher_config = teacher_config().model
    cfg.model.teacher_ckpt = None
    bare = MODELS.build(cfg.model)
    with pytest.raises(ValueError, match='teacher_ckpt'):
        bare.init_weights()
    # same statistics: the teacher sees the student's inputs unchanged
    x = torch.randn(1, 1, 3, 2, 4, 4)
    assert model.teacher_inputs(x) is x
    cfg.model.teacher_config.data_preprocessor.mean = [0., 0., 0.]
    cfg.model.teacher_config.data_preprocessor.std = [255., 255., 255.]
    other = MODELS.build(cfg.model)
    raw = x * other.data_preprocessor.std + other.data_preprocessor.mean
    torch.testing.assert_close(other.teacher_inputs(x), raw / 255.0)


def test_enhanced_recognizer_enhances_pixels():
    torch.manual_seed(0)
    teacher = MODELS.build(teacher_config().model)
    teacher.init_weights()
    pre = teacher.data_preprocessor
    raw = torch.randint(0, 40, (2, 1, 3, 4, 16, 16)).float()
    normed = (raw - pre.mean) / pre.std
    expected = teacher.enhancer.enhance_clip(raw[:, 0] / 255.0)[:, None] * 255.0
    torch.testing.assert_close(teacher.enhance(normed) * pre.std + pre.mean, expected,
                               rtol=1e-4, atol=1e-3)
    assert (expected.mean() > raw.mean())
    teacher.train()
    assert not teacher.enhancer.training and teacher.backbone.training
