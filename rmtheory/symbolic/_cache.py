"""Keep each derivation's result on disk between processes.

Deriving every closed form takes SymPy about ten seconds; a command-line
call, a notebook kernel or a worker process should not pay it each time.
:func:`disk_cached` stores a ``derive_*`` result as a pickle keyed by a
hash of this package's source and the SymPy version, so any edit to a
derivation invalidates it. Set ``RMTHEORY_CACHE=off`` to derive afresh
(the proofs do), or ``RMTHEORY_CACHE=<dir>`` to choose the folder
(default: ``$XDG_CACHE_HOME/rmtheory`` or ``~/.cache/rmtheory``). A cache
that cannot be read or written is ignored.
"""
import functools
import hashlib
import os
import pickle
from pathlib import Path

import sympy

__all__ = ["disk_cached", "cache_dir"]


@functools.lru_cache(maxsize=None)
def _source_hash():
    digest = hashlib.sha256(sympy.__version__.encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_dir():
    """The cache folder, or ``None`` when caching is off."""
    setting = os.environ.get("RMTHEORY_CACHE", "")
    if setting.lower() in ("off", "0", "no", "false"):
        return None
    if setting:
        return Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "rmtheory"


def disk_cached(derive):
    """Memoise a no-argument ``derive_*`` function in memory and on disk."""
    @functools.lru_cache(maxsize=None)
    @functools.wraps(derive)
    def wrapper():
        folder = cache_dir()
        if folder is None:
            return derive()
        path = folder / f"{derive.__module__}.{derive.__name__}-{_source_hash()}.pickle"
        try:
            with open(path, "rb") as handle:
                return pickle.load(handle)
        except Exception:  # noqa: BLE001 - a missing or stale cache is not an error
            pass
        result = derive()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            with open(tmp, "wb") as handle:
                pickle.dump(result, handle)
            os.replace(tmp, path)
        except Exception:  # noqa: BLE001 - read-only home, unpicklable result
            pass
        return result
    return wrapper
