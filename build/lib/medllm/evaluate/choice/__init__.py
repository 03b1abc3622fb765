"""Training sources built from evaluation tasks' own question generators (see rows.py)."""
