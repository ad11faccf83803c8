# ResNet-50 (1-channel input) on LeapGestRecog; everything else as the ResNet-18 config.
_base_ = ['./resnet18_1xb64-30e_leapgestrecog-224x84.py']

model = dict(backbone=dict(depth=50), head=dict(in_channels=2048))
