"""Dark-video action recognition by knowledge distillation (Zero-DCE teacher, raw-frame student).

Importing this package registers into mmaction's registries: ``ZeroDCE`` and its four losses,
``GammaIntensityCorrection`` (transform) and ``GammaEnhancer``, ``BERTHead``,
``EnhancedRecognizer3D`` (the teacher), ``KDRecognizer``, ``DistillationKLLoss``,
``CheckedOpenCVInit``/``CheckedOpenCVDecode`` and ``LowLightImageDataset``/``PackLowLightInputs``.
"""
from .bert_head import BERTHead
from .enhanced_recognizer import EnhancedRecognizer3D
from .gamma_correction import GammaEnhancer, GammaIntensityCorrection
from .kd_loss import DistillationKLLoss
from .kd_recognizer import KDRecognizer
from .lowlight_dataset import LowLightImageDataset, PackLowLightInputs
from .video_io import CheckedOpenCVDecode, CheckedOpenCVInit
from .zero_dce import ZeroDCE
from .zero_dce_losses import (ZeroDCEColorConstancyLoss, ZeroDCEExposureLoss,
                              ZeroDCEIlluminationSmoothnessLoss, ZeroDCESpatialConsistencyLoss)

__all__ = [
    'BERTHead', 'CheckedOpenCVDecode', 'CheckedOpenCVInit', 'DistillationKLLoss',
    'EnhancedRecognizer3D', 'GammaEnhancer', 'GammaIntensityCorrection', 'KDRecognizer',
    'LowLightImageDataset', 'PackLowLightInputs', 'ZeroDCE', 'ZeroDCEColorConstancyLoss',
    'ZeroDCEExposureLoss', 'ZeroDCEIlluminationSmoothnessLoss', 'ZeroDCESpatialConsistencyLoss'
]
