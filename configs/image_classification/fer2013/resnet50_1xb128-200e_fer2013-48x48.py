# ResNet-50 (CIFAR stem, 1-channel input) on FER2013; everything else as the ResNet-18 config.
_base_ = ['./resnet18_1xb128-200e_fer2013-48x48.py']

model = dict(backbone=dict(depth=50), head=dict(in_channels=2048))
