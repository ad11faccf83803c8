# ResNet-152 (1-channel input) on LeapGestRecog, the depth shown in seed 001; everything else
# as the ResNet-18 config.
_base_ = ['./resnet18_1xb64-30e_leapgestrecog-224x84.py']

model = dict(backbone=dict(depth=152), head=dict(in_channels=2048))
