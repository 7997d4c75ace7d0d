"""Kinema: an open, self-hostable text-to-video system."""

__version__ = "0.1.0"
