"""spacebot: crawler and inspection robot for public teacher network learning spaces.

This package is the app: the CLI and the pipeline composing ``crawler``, ``inspectors``,
``store`` and ``reports``; nothing else lives here.
"""

from __future__ import annotations

from .pipeline import CheckResult, check_space

__all__ = ["CheckResult", "check_space"]
__version__ = "0.1.0"
