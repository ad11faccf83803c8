"""Plateau detection on a validation metric history (patience and minimum improvement)."""
from dataclasses import dataclass, field
from math import inf
from typing import Dict


@dataclass
class Plateau:
    """Tracks one metric and says when it has stopped improving.

    A value improves on the best one so far when it beats it by more than ``min_delta`` in the
    direction of ``rule``; after ``patience`` validations in a row without improvement the metric
    is on a plateau. :meth:`reset` starts a new history (the best value is forgotten).

    Args:
        rule (str): ``'greater'`` (e.g. AP) or ``'less'`` (e.g. a loss).
        patience (int): validations without improvement that make a plateau (>= 1).
        min_delta (float): the smallest change that counts as an improvement (>= 0).
    """

    rule: str = 'greater'
    patience: int = 3
    min_delta: float = 0.0
    best: float = field(default=-inf, init=False)
    wait: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        if self.rule not in ('greater', 'less'):
            raise ValueError(f"rule must be 'greater' or 'less', not {self.rule!r}")
        if self.patience < 1 or self.min_delta < 0:
            raise ValueError('patience must be >= 1 and min_delta >= 0')
        self.reset()

    def reset(self) -> None:
        """Forget the history: the next value is the new best."""
        self.best = -inf if self.rule == 'greater' else inf
        self.wait = 0

    def update(self, value: float) -> bool:
        """Record one validation value; returns whether the metric is now on a plateau."""
        sign = 1.0 if self.rule == 'greater' else -1.0
        if sign * (value - self.best) > self.min_delta:
            self.best, self.wait = value, 0
        else:
            self.wait += 1
        return self.wait >= self.patience

    def state_dict(self) -> Dict[str, float]:
        """The best value and the wait count, for checkpoints."""
        return {'best': self.best, 'wait': self.wait}

    def load_state_dict(self, state: Dict[str, float]) -> None:
        """Restore what :meth:`state_dict` returned."""
        self.best, self.wait = float(state['best']), int(state['wait'])
