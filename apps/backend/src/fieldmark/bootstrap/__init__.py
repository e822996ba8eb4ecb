"""The composition root: the only package that knows every context, every driver and the process model."""
