"""``python -m rmtheory``: the same as the ``rmtheory`` command."""
import sys

from .cli import main

if __name__ == "__main__":  # importing this module (doctest collection) runs nothing
    sys.exit(main())
