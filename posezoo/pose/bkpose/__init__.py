"""BK-Pose: a lightweight bottom-up pose model with the focal L2 loss."""
