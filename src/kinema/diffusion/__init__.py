"""Rectified flow: the noise process, samplers and guidance. Imports no network code."""
