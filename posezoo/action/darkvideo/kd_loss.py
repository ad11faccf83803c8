"""Soft-target distillation loss (Hinton et al., 2015)."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmaction.registry import MODELS


@MODELS.register_module()
class DistillationKLLoss(nn.Module):
    """``loss_weight * T ** 2 * KL(softmax(t / T) || softmax(s / T))``, averaged over the batch.

    Args:
        temperature (float): Softmax temperature T (> 0). The ``T ** 2`` factor keeps the
            gradient scale independent of T.
        loss_weight (float): Weight (beta of the seed's ``alpha * CE + beta * KL``).
    """

    def __init__(self, temperature: float = 1.0, loss_weight: float = 1.0) -> None:
        super().__init__()
        if temperature <= 0:
            raise ValueError(f'DistillationKLLoss: temperature must be > 0, got {temperature}')
        self.temperature = temperature
        self.loss_weight = loss_weight

    def forward(self, student_logits: torch.Tensor, teacher_logits: torch.Tensor) -> torch.Tensor:
        """
        Args:
            student_logits (Tensor): ``(N, num_classes)``.
            teacher_logits (Tensor): ``(N, num_classes)``; treated as constants.

        Returns:
            Tensor: Scalar loss.
        """
        t = self.temperature
        log_p_s = F.log_softmax(student_logits / t, dim=1)
        log_p_t = F.log_softmax(teacher_logits.detach() / t, dim=1)
        kl = F.kl_div(log_p_s, log_p_t, reduction='batchmean', log_target=True)
        return self.loss_weight * t * t * kl
