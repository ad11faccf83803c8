"""Knowledge-distillation recognizer: a frozen enhanced-frame teacher, a raw-frame student.

Seed ``002``: ``L = alpha * CE(y, s) + beta * T^2 * KL(softmax(t / T) || softmax(s / T))``,
after a first stage of direct learning (``L = alpha * CE(y, s)``, the teacher not run).
Only the student runs at validation, test and inference, so the deployed cost is one plain
recognizer; ``tools/model_converters/kd_to_student.py`` strips the teacher from a checkpoint.
"""
import copy
from typing import Dict, List, Optional, Tuple, Union

import torch
from mmaction.registry import MODELS
from mmaction.utils import OptSampleList, SampleList
from mmengine.config import Config
from mmengine.logging import MessageHub
from mmengine.model import BaseModel
from mmengine.runner import load_checkpoint

from .kd_loss import DistillationKLLoss  # noqa: F401  (registers the default distill_loss)


def _norm_stats(preprocessor: torch.nn.Module) -> Tuple[Union[torch.Tensor, float], ...]:
    """Mean and std of a data preprocessor (0 and 1 when it does not normalise)."""
    mean = getattr(preprocessor, 'mean', None)
    std = getattr(preprocessor, 'std', None)
    return (0.0 if mean is None else mean), (1.0 if std is None else std)


@MODELS.register_module()
class KDRecognizer(BaseModel):
    """Distil a frozen teacher recognizer into a student recognizer.

    The teacher (typically an ``EnhancedRecognizer3D``: enhancer + classifier) is built from its
    own config and loaded from ``teacher_ckpt`` in :meth:`init_weights` (called by the runner when
    training starts, not by inference APIs, which load a whole KD or student checkpoint instead).
    It never receives gradients and stays in eval mode even after ``model.train()``, so its
    parameters and BatchNorm statistics never change.

    Args:
        student (dict): Config of the student recognizer (e.g. ``Recognizer3D``).
        teacher_config (str | dict): Path of the teacher's config file (its ``model`` is used)
            or the teacher's model config.
        teacher_ckpt (str, optional): Teacher checkpoint; required to train.
        alpha (float): Weight of the student's cross-entropy with the labels.
        distill_loss (dict): Config of the distillation loss on ``(student_logits,
            teacher_logits)``; defaults to ``DistillationKLLoss`` with ``temperature=1`` and
            ``loss_weight=1`` (beta of ``alpha * CE + beta * T^2 * KL``).
        temperature (float, optional): Softmax temperature T of the distillation; overrides
            ``distill_loss.temperature`` when given (the seed gives none: 1 by default).
        direct_epochs (int): The seed's two-stage student training: the first
            ``direct_epochs`` training epochs are direct learning (``alpha * CE`` only, the
            teacher is not run, ``loss_kd`` is logged as 0), the following ones distillation.
            The epoch is the runner's (MMEngine's message hub ``epoch``, counted from 0);
            outside a runner it is 0. 0 distils from the start.
        teacher_view (int, optional): With ``None`` the teacher receives the student's clips.
            With an index ``v``, training batches carry several views ``(N, V, C, T, H, W)``
            (e.g. ``EnhanceFrames(keep_raw=True)``: raw frames, then frames enhanced before
            resizing): the student trains on view 0 and the teacher sees view ``v``. Validation
            and test batches (one view) go to the student unchanged.
        data_preprocessor (dict, optional): Defaults to the student's. The teacher's clips are
            re-normalised with its own preprocessor's mean/std when they differ.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 student: dict,
                 teacher_config: Union[str, dict],
                 teacher_ckpt: Optional[str] = None,
                 alpha: float = 1.0,
                 distill_loss: dict = dict(
                     type='DistillationKLLoss', temperature=1.0, loss_weight=1.0),
                 teacher_view: Optional[int] = None,
                 temperature: Optional[float] = None,
                 direct_epochs: int = 0,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = student.get('data_preprocessor', dict(type='ActionDataPreprocessor'))
        super().__init__(
            data_preprocessor=MODELS.build(copy.deepcopy(data_preprocessor)), init_cfg=init_cfg)
        self.student = MODELS.build(student)
        if isinstance(teacher_config, str):
            teacher_config = Config.fromfile(teacher_config)['model']
        self.teacher = MODELS.build(teacher_config)
        self.teacher.requires_grad_(False)
        self.teacher.eval()
        self.teacher_ckpt = teacher_ckpt
        self.alpha = alpha
        if teacher_view is not None and teacher_view < 1:
            raise ValueError(f'KDRecognizer: teacher_view must be >= 1 (view 0 is the student\'s),'
                             f' got {teacher_view}')
        self.teacher_view = teacher_view
        if direct_epochs < 0:
            raise ValueError(f'KDRecognizer: direct_epochs must be >= 0, got {direct_epochs}')
        self.direct_epochs = direct_epochs
        if temperature is not None:
            distill_loss = dict(distill_loss, temperature=temperature)
        self.distill_loss = MODELS.build(distill_loss)

    def distilling(self) -> bool:
        """Whether the current training epoch is in the distillation stage."""
        if self.direct_epochs == 0:
            return True
        epoch = MessageHub.get_current_instance().get_info('epoch', 0)
        return epoch >= self.direct_epochs

    def init_weights(self) -> None:
        """Initialise the student, then load the teacher from ``teacher_ckpt``."""
        self.student.init_weights()
        if self.teacher_ckpt is None:
            raise ValueError('KDRecognizer: teacher_ckpt is required to train (the teacher must be '
                             'trained first); set model.teacher_ckpt in the config')
        load_checkpoint(self.teacher, self.teacher_ckpt, map_location='cpu', strict=True)

    def train(self, mode: bool = True) -> 'KDRecognizer':
        """Set the student's mode; the teacher always stays in eval mode."""
        super().train(mode)
        self.teacher.eval()
        return self

    @property
    def inference_model(self) -> BaseModel:
        """The module that runs at inference (the student); for cost measurements."""
        return self.student

    def teacher_inputs(self, inputs: torch.Tensor) -> torch.Tensor:
        """Re-normalise the student's clips ``(N, V, C, T, H, W)`` for the teacher."""
        s_mean, s_std = _norm_stats(self.data_preprocessor)
        t_mean, t_std = _norm_stats(self.teacher.data_preprocessor)
        same = all(
            torch.equal(torch.as_tensor(a).cpu(), torch.as_tensor(b).cpu())
            for a, b in ((s_mean, t_mean), (s_std, t_std)))
        return inputs if same else (inputs * s_std + s_mean - t_mean) / t_std

    def logits(self, inputs: torch.Tensor,
               data_samples: OptSampleList = None) -> Tuple[torch.Tensor, torch.Tensor, dict]:
        """Student logits (with gradients) and teacher logits (without) on a training batch.

        Args:
            inputs (Tensor): Normalised clips ``(N, V, C, T, H, W)``.
            data_samples (list[ActionDataSample], optional): Batch data samples.

        Returns:
            tuple: Student logits ``(N * V', K)``, teacher logits ``(N * V', K)`` and the
            student's auxiliary losses (from a neck), possibly empty; ``V' = 1`` with
            ``teacher_view``, else ``V``.
        """
        t_inputs = inputs
        if self.teacher_view is not None:
            if inputs.dim() != 6 or inputs.shape[1] <= self.teacher_view:
                raise ValueError(f'KDRecognizer(teacher_view={self.teacher_view}) needs training '
                                 f'clips (N, V, C, T, H, W) with V > {self.teacher_view}, got '
                                 f'{tuple(inputs.shape)}: use EnhanceFrames(keep_raw=True) in '
                                 'the training pipeline')
            t_inputs = inputs[:, self.teacher_view:self.teacher_view + 1]
            inputs = inputs[:, :1]
        feats, loss_kwargs = self.student.extract_feat(inputs, data_samples=data_samples)
        loss_aux = loss_kwargs.pop('loss_aux', dict())
        student_logits = self.student.cls_head(feats, **loss_kwargs)
        with torch.no_grad():
            t_feats, t_kwargs = self.teacher.extract_feat(
                self.teacher_inputs(t_inputs), data_samples=data_samples)
            t_kwargs.pop('loss_aux', None)
            teacher_logits = self.teacher.cls_head(t_feats, **t_kwargs)
        return student_logits, teacher_logits, loss_aux

    def loss(self, inputs: torch.Tensor, data_samples: SampleList) -> Dict[str, torch.Tensor]:
        """``alpha * CE`` (as ``loss_cls``, plus the student head's accuracies) and ``loss_kd``.

        Args:
            inputs (Tensor): Normalised clips ``(N, V, C, T, H, W)``.
            data_samples (list[ActionDataSample]): With ``gt_label``.

        Returns:
            dict[str, Tensor]: Losses and logged accuracies.
        """
        if not self.distilling():
            return self.direct_loss(inputs, data_samples)
        student_logits, teacher_logits, loss_aux = self.logits(inputs, data_samples)
        losses = self.student.cls_head.loss_by_feat(student_logits, data_samples)
        losses['loss_cls'] = self.alpha * losses['loss_cls']
        losses['loss_kd'] = self.distill_loss(student_logits, teacher_logits)
        losses.update(loss_aux)
        return losses

    def direct_loss(self, inputs: torch.Tensor,
                    data_samples: SampleList) -> Dict[str, torch.Tensor]:
        """Direct-learning stage: ``alpha * CE`` on the student's view, ``loss_kd`` = 0.

        Args:
            inputs (Tensor): Normalised clips ``(N, V, C, T, H, W)``.
            data_samples (list[ActionDataSample]): With ``gt_label``.

        Returns:
            dict[str, Tensor]: Losses and logged accuracies (same keys as :meth:`loss`).
        """
        if self.teacher_view is not None and inputs.dim() == 6:
            inputs = inputs[:, :1]
        feats, loss_kwargs = self.student.extract_feat(inputs, data_samples=data_samples)
        loss_aux = loss_kwargs.pop('loss_aux', dict())
        student_logits = self.student.cls_head(feats, **loss_kwargs)
        losses = self.student.cls_head.loss_by_feat(student_logits, data_samples)
        losses['loss_cls'] = self.alpha * losses['loss_cls']
        losses['loss_kd'] = student_logits.new_zeros(())
        losses.update(loss_aux)
        return losses

    def predict(self, inputs: torch.Tensor, data_samples: SampleList) -> SampleList:
        """Student-only prediction (the teacher is not run)."""
        return self.student.predict(inputs, data_samples)

    def _forward(self, inputs: torch.Tensor, stage: str = 'backbone', **kwargs):
        """Student-only tensor forward (the teacher is not run)."""
        return self.student._forward(inputs, stage=stage, **kwargs)

    def forward(self,
                inputs: torch.Tensor,
                data_samples: OptSampleList = None,
                mode: str = 'tensor',
                **kwargs) -> Union[Dict[str, torch.Tensor], SampleList, List, torch.Tensor]:
        """Dispatch to :meth:`loss`, :meth:`predict` or :meth:`_forward` by ``mode``."""
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self._forward(inputs, **kwargs)
        raise RuntimeError(f'KDRecognizer: invalid mode {mode!r} (loss, predict or tensor)')
