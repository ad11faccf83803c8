"""Dark-video action recognition by knowledge distillation (Zero-DCE teacher, raw-frame student).

Importing this package registers into mmaction's registries: ``ZeroDCE`` and its four losses,
``GammaIntensityCorrection`` (transform) and ``GammaEnhancer``, ``BERTHead``,
``TorchvisionR2Plus1d`` (torchvision's R(2+1)D ``VideoResNet`` layout, IG65M-compatible),
``FrameViT`` (torchvision's image ViT on every frame),
``EnhancedRecognizer3D`` (the teacher), ``KDRecognizer``, ``DistillationKLLoss``,
``EnhanceFrames`` (enhance decoded frames before resizing),
``CheckedOpenCVInit``/``CheckedOpenCVDecode`` and ``LowLightImageDataset``/``PackLowLightInputs``.
"""
from .bert_head import BERTHead
from .enhance_frames import EnhanceFrames
from .enhanced_recognizer import EnhancedRecognizer3D
from .frame_vit import FrameViT
from .gamma_correction import GammaEnhancer, GammaIntensityCorrection
from .kd_loss import DistillationKLLoss
from .kd_recognizer import KDRecognizer
from .lowlight_dataset import LowLightImageDataset, PackLowLightInputs
from .video_io import CheckedOpenCVDecode, CheckedOpenCVInit
from .video_resnet import TorchvisionR2Plus1d
from .zero_dce import ZeroDCE
from .zero_dce_losses import (
    ZeroDCEColorConstancyLoss,
    ZeroDCEExposureLoss,
    ZeroDCEIlluminationSmoothnessLoss,
    ZeroDCESpatialConsistencyLoss,
)

__all__ = [
    'BERTHead', 'CheckedOpenCVDecode', 'CheckedOpenCVInit', 'DistillationKLLoss',
    'EnhanceFrames', 'EnhancedRecognizer3D', 'FrameViT', 'GammaEnhancer', 'GammaIntensityCorrection',
    'KDRecognizer', 'LowLightImageDataset', 'PackLowLightInputs', 'TorchvisionR2Plus1d', 'ZeroDCE',
    'ZeroDCEColorConstancyLoss', 'ZeroDCEExposureLoss', 'ZeroDCEIlluminationSmoothnessLoss',
    'ZeroDCESpatialConsistencyLoss'
]
