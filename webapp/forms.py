"""Form pieces shared by every area."""

from __future__ import annotations

from flask_wtf import FlaskForm


def strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class EmptyForm(FlaskForm):
    """A button that posts: it carries the CSRF token and nothing else."""
