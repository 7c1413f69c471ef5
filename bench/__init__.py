"""Synth-time and template-size benchmarks for quicksetup-constructs: ``python -m bench``."""
