"""Item loaders. Each `load(spec)` returns (items, pool): the task's items and a disjoint few-shot
pool (possibly empty). Official-format loaders read a user-given path; generators read the
packaged vocabularies at run time."""
