"""The helpers of ``tools/analysis/benchmark.py`` (not part of the posezoo package).

* ``measure``: parameters and FLOPs (``mmengine.analysis``), timing (``torch.utils.benchmark``
  statistics), peak memory, autocast;
* ``models``: config file, display name, dedup key, random input;
* ``pose_e2e``: image-to-keypoints time split into preprocess / forward / decode;
* ``runner``: every figure of one config (one row per precision);
* ``report``: ratios to a baseline, the papers' claims (``configs/**/claims.yml``), tables,
  JSON and CSV.
"""
