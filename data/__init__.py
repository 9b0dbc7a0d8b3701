"""Datasets used by the course notebooks (real loaders plus offline stand-ins)."""
