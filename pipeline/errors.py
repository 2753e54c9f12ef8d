"""The project's exceptions: one small hierarchy, messages that say what to do next.

Each subclasses a built-in type as well, so existing ``except ValueError`` /
``except OSError`` handlers keep working.
"""


class VanbanError(Exception):
    """Base class of every error this package raises on purpose."""


class InputError(VanbanError, ValueError):
    """A file or folder given to the pipeline cannot be used (missing, undecodable, binary...)."""


class CorpusError(VanbanError, ValueError):
    """A corpus folder or one of its records is invalid."""


class ModelError(VanbanError, RuntimeError):
    """A model directory is missing, incomplete or fails its integrity check."""


class NotFittedError(VanbanError, ValueError, AttributeError):
    """An estimator was used before ``fit``."""


class ConfigError(VanbanError, ValueError):
    """A pipeline config names an unknown component, factory or setting."""

