"""Kinema's training pipeline: `kinema train vae` and `kinema train dit` (see their modules)."""
