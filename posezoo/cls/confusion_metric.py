"""A confusion matrix metric that also writes the matrix as a PNG and as numbers (JSON), with
the per-class recall beside it."""
import json
import os
import os.path as osp
from typing import List, Optional

import numpy as np
from mmpretrain.evaluation import ConfusionMatrix
from mmpretrain.registry import METRICS


def recall_per_class(matrix: np.ndarray) -> np.ndarray:
    """Row-normalised diagonal of a (C, C) confusion matrix (rows: true class); (C,), NaN for
    a class without samples."""
    rows = matrix.sum(1).astype(float)
    with np.errstate(invalid='ignore', divide='ignore'):
        return np.where(rows > 0, np.diag(matrix) / rows, np.nan)


@METRICS.register_module()
class ConfusionMatrixReport(ConfusionMatrix):
    """MMPretrain's ``ConfusionMatrix`` (rows: true class, columns: predicted class), plus
    ``recall/<class>`` figures and, with ``out_dir``, ``confusion_matrix.png`` and
    ``confusion_matrix.json`` (classes, matrix, per-class recall) written there.

    Args:
        out_dir (str, optional): where to write the PNG and the JSON; None writes nothing.
        **kwargs: ``ConfusionMatrix``'s arguments.
    """

    default_prefix = 'confusion_matrix'

    def __init__(self, out_dir: Optional[str] = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.out_dir = out_dir

    def compute_metrics(self, results: list) -> dict:
        metrics = super().compute_metrics(results)
        matrix = metrics['result'].cpu().numpy()
        classes: List[str] = list((self.dataset_meta or {}).get('classes') or
                                  [str(i) for i in range(len(matrix))])
        recall = recall_per_class(matrix)
        for name, value in zip(classes, recall):
            metrics[f'recall/{name}'] = float(value)
        if self.out_dir is not None:
            self.write(matrix, classes, recall)
        return metrics

    def write(self, matrix: np.ndarray, classes: List[str], recall: np.ndarray) -> None:
        """``confusion_matrix.png`` and ``confusion_matrix.json`` in ``out_dir``."""
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
        import torch
        os.makedirs(self.out_dir, exist_ok=True)
        with open(osp.join(self.out_dir, 'confusion_matrix.json'), 'w') as f:
            json.dump(dict(classes=classes, rows='true class', columns='predicted class',
                           matrix=matrix.tolist(),
                           recall={c: (None if np.isnan(r) else float(r))
                                   for c, r in zip(classes, recall)}), f, indent=1)
        labels = [f'{c} ({r:.0%})' if not np.isnan(r) else c for c, r in zip(classes, recall)]
        fig = ConfusionMatrix.plot(torch.as_tensor(matrix), include_values=True, classes=labels,
                                   show=False)
        fig.axes[0].set_ylabel('true class (recall)')
        fig.axes[0].set_xticklabels(classes)  # the recall belongs to the rows only
        fig.savefig(osp.join(self.out_dir, 'confusion_matrix.png'), dpi=100, bbox_inches='tight')
        plt.close(fig)
