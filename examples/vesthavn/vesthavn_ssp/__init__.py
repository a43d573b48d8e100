"""Vesthavn Kommune (FICTITIOUS): a plugin of TOML files only, in ``data/``; no hooks."""
