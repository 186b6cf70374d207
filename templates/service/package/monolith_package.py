"""A package of the monolith that did not move here as a whole: the rest of it stays in the
monolith (the shared kernel, or other services), found on sys.path beside this copy."""

from pkgutil import extend_path

__path__ = extend_path(__path__, __name__)
