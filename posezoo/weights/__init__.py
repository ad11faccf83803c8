"""Published weights: download and cache (:mod:`.download`), layouts (:mod:`.layouts`), MMEngine
schemes (:mod:`.scheme`) and the lookup of a model by its metafile name (:mod:`.model_index`)."""
from .download import WeightsDownloadError, cache_path, fetch_weights
from .layouts import convert_published, detect_layout

__all__ = ['WeightsDownloadError', 'cache_path', 'fetch_weights', 'convert_published',
           'detect_layout']
