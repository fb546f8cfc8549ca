"""Keep each derivation's result on disk between processes.

Deriving every closed form takes SymPy about ten seconds; a command-line
call, a notebook kernel or a worker process should not pay it each time.
:func:`disk_cached` stores a ``derive_*`` result keyed by a hash of this
package's source and the SymPy version, so any edit to a derivation
invalidates it (a derivation defined outside this package, such as the
numeric layer's rearrangements in :mod:`rmtheory.numeric.compiled`, is
keyed by its own module's source as well). Only data is stored — SymPy
trees and plain containers, never code: callables are made from them
(``lambdify``) in each process. Set ``RMTHEORY_CACHE=off`` to derive afresh (the proofs
do), or ``RMTHEORY_CACHE=<dir>`` to choose the folder (default:
``$XDG_CACHE_HOME/rmtheory`` or ``~/.cache/rmtheory``). A cache that
cannot be read or written is ignored.

Notes
-----
Threat model: someone who can put a file where the cache reads must not
run code in this process (unpickling runs code), nor change a number (an
edited entry of the right type would be used silently), nor break later
processes with a torn or misplaced entry. So the folder (created ``0700``)
and each file are used only if owned by the current user and not writable
by group or others (files are opened without following symlinks and
checked on the open descriptor). Not covered: the same user or root, who
can run code as the user anyway; a cache folder copied from someone else
is trusted like one's own. Without POSIX owners and modes (Windows) only
the MAC below applies.

Each entry is a pickle signed with HMAC-SHA256 under a random per-user key
(``hmac-sha256.key`` in the folder, created with ``O_CREAT | O_EXCL`` and
mode ``0600``, checked for owner and mode before use). The MAC covers the
derivation's name, the source hash and the result's type with the bytes,
and is checked with :func:`hmac.compare_digest` *before* anything is
unpickled; unpickling then resolves only SymPy, mpmath and
``rmtheory.symbolic`` classes, and the result must be of the class the
signed header names, defined in the derivation's module. On any doubt the
entry is ignored, derived afresh and overwritten; the cache never raises
and never prints (reasons go to ``logging`` at debug level). HMAC rather
than plain-text ``srepr``: an edited text file would still change a
number silently, and SymPy's parser (and constructors such as
``Derivative`` that sympify strings) evaluate Python; the MAC settles both
with the standard library and keeps pickle's exact round trip.
"""
import functools
import hashlib
import hmac
import io
import json
import logging
import os
import pickle
import secrets
import stat
import sys
from pathlib import Path

import sympy

__all__ = ["disk_cached", "cache_dir"]

_log = logging.getLogger(__name__)

_MAGIC = b"rmtheory-derivation-cache 1"
_SUFFIX = ".rmcache"
_KEY_NAME = "hmac-sha256.key"
_KEY_BYTES = 32
_MAX_ENTRY_BYTES = 64 * 2**20
_POSIX = os.name == "posix" and hasattr(os, "geteuid")
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_BINARY = getattr(os, "O_BINARY", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)    # a planted FIFO must not hang us


class _Refused(Exception):
    """The cache path has a doubt; the reason is the message."""


@functools.lru_cache(maxsize=None)
def _source_hash():
    digest = hashlib.sha256(sympy.__version__.encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@functools.lru_cache(maxsize=None)
def _derivation_hash(module_name):
    """The key of a derivation defined in ``module_name``: the package's
    :func:`_source_hash`, and for a module outside this package also the
    bytes of that module's source file (an edit there invalidates it)."""
    if module_name.startswith(__package__ + "."):
        return _source_hash()
    module = sys.modules.get(module_name)
    path = getattr(module, "__file__", None)
    if path is None:
        raise _Refused(f"module {module_name} has no source file to key the entry by")
    digest = hashlib.sha256(_source_hash().encode())
    digest.update(Path(path).read_bytes())
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


def _check_owner_mode(st, what, kind, loose):
    """Refuse ``st`` unless it is a ``kind`` owned by us without ``loose`` bits."""
    if not kind(st.st_mode):
        raise _Refused(f"{what} is not a {kind.__name__[2:].lower()}")
    if _POSIX:
        if st.st_uid != os.geteuid():
            raise _Refused(f"{what} is owned by uid {st.st_uid}, not {os.geteuid()}")
        if st.st_mode & loose:
            raise _Refused(f"{what} has mode {stat.S_IMODE(st.st_mode):o}")


def _prepare_folder(folder):
    """Create ``folder`` (mode 0700) if needed; refuse it unless it is ours and
    not writable by group or others."""
    if not folder.exists():
        folder.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.mkdir(folder, 0o700)
            os.chmod(folder, 0o700)       # whatever the umask
        except FileExistsError:
            pass
    _check_owner_mode(os.stat(folder), f"folder {folder}", stat.S_ISDIR, 0o022)


def _open_checked(path, loose):
    """Open an existing file for reading, refusing symlinks and files that are
    not ours or have ``loose`` mode bits; the checks are on the open file."""
    fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _BINARY)
    try:
        _check_owner_mode(os.fstat(fd), f"file {path}", stat.S_ISREG, loose)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def _new_private_file(path, data):
    """Write ``data`` to a new file at ``path`` created with mode 0600;
    fail if anything already exists there."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _BINARY, 0o600)
    try:
        if _POSIX:
            os.fchmod(fd, 0o600)          # whatever the umask
        with os.fdopen(fd, "wb") as handle:
            fd = None
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        if fd is not None:
            os.close(fd)
        _unlink_quietly(path)
        raise


def _temp_name(path):
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


def _unlink_quietly(path):
    try:
        os.unlink(path)
    except OSError:
        pass


def _read_key(path):
    with _open_checked(path, 0o077) as handle:
        key = handle.read(_KEY_BYTES + 1)
    if len(key) != _KEY_BYTES:
        raise _Refused(f"key {path} has {len(key)} bytes, not {_KEY_BYTES}")
    return key


def _key(folder):
    """The folder's HMAC key: read (after checking owner and mode) or created."""
    path = folder / _KEY_NAME
    try:
        return _read_key(path)
    except FileNotFoundError:
        replace = False
    except (OSError, _Refused) as why:
        _log.debug("replacing the cache key: %s", why)
        replace = True
    tmp = _temp_name(path)
    _new_private_file(tmp, secrets.token_bytes(_KEY_BYTES))
    try:
        if replace:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)        # atomic, and never over another key
            except FileExistsError:
                pass                      # another process made one first
    finally:
        _unlink_quietly(tmp)
    return _read_key(path)


def _mac(key, header, payload):
    return hmac.new(key, _MAGIC + b"\n" + header + b"\n" + payload, hashlib.sha256).hexdigest().encode()


def _type_name(cls):
    return f"{cls.__module__}.{cls.__qualname__}"


def _allowed_module(module):
    return (module in ("builtins", "copyreg") or module.split(".")[0] in ("sympy", "mpmath")
            or module.startswith(__package__ + "."))


def _allowed_global(module, name, found):
    """What a signed entry may name: classes of SymPy, mpmath and this
    subpackage, SymPy's ``_rebuild*`` helpers, and plain containers."""
    if module == "builtins":
        return name in {"list", "tuple", "dict", "set", "frozenset", "complex", "slice"}
    if module == "copyreg":
        return name == "_reconstructor"
    if isinstance(found, type):
        return True
    return module.startswith("sympy.") and name.startswith("_rebuild")


class _Unpickler(pickle.Unpickler):
    """Import and resolve only what :func:`_allowed_global` accepts: a
    second line behind the MAC, not a sandbox."""

    def find_class(self, module, name):
        if "." in name or name.startswith("__") or not _allowed_module(module):
            raise _Refused(f"the entry names {module}.{name}")
        found = super().find_class(module, name)
        if not _allowed_global(module, name, found):
            raise _Refused(f"the entry names {module}.{name}")
        return found


def _expected_type(derive, header):
    """The class the entry must hold: the derivation's return annotation if
    it has one, else the class the signed header names, which must be
    defined in the derivation's own module."""
    wanted = getattr(derive, "__annotations__", {}).get("return")
    if isinstance(wanted, type):
        if header.get("type") != _type_name(wanted):
            raise _Refused(f"the entry holds {header.get('type')}, not {_type_name(wanted)}")
        return wanted
    module = sys.modules.get(derive.__module__)
    prefix = derive.__module__ + "."
    name = str(header.get("type", ""))
    if module is None or not name.startswith(prefix):
        raise _Refused(f"the entry holds {name!r}, not a class of {derive.__module__}")
    found = getattr(module, name[len(prefix):], None)
    if not isinstance(found, type) or _type_name(found) != name:
        raise _Refused(f"the entry holds {name!r}, not a class of {derive.__module__}")
    return found


def _load(path, key, derive, label):
    """The verified result in ``path``; ``_Refused``/``OSError`` on any doubt."""
    with _open_checked(path, 0o022) as handle:
        data = handle.read(_MAX_ENTRY_BYTES + 1)
    if len(data) > _MAX_ENTRY_BYTES:
        raise _Refused("the entry is too large")
    parts = data.split(b"\n", 3)
    if len(parts) != 4 or parts[0] != _MAGIC:
        raise _Refused("the entry is not in the signed format")
    _, header_bytes, mac, payload = parts
    if not hmac.compare_digest(mac, _mac(key, header_bytes, payload)):
        raise _Refused("the entry's MAC does not match")
    header = json.loads(header_bytes)     # signed by us: only now is it read
    if not isinstance(header, dict):
        raise _Refused("the entry's header is not a mapping")
    source = _derivation_hash(derive.__module__)
    if header.get("derivation") != label or header.get("source") != source:
        raise _Refused(f"the entry is for {header.get('derivation')} "
                       f"at {header.get('source')}, not {label} at {source}")
    wanted = _expected_type(derive, header)
    result = _Unpickler(io.BytesIO(payload)).load()
    if type(result) is not wanted:
        raise _Refused(f"the entry holds a {_type_name(type(result))}, not {_type_name(wanted)}")
    return result


def _store(path, key, derive, label, result):
    fields = {"derivation": label, "source": _derivation_hash(derive.__module__),
              "sympy": sympy.__version__, "type": _type_name(type(result))}
    _expected_type(derive, fields)        # an entry that could never be loaded is not written
    header = json.dumps(fields, sort_keys=True).encode()
    payload = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    data = b"\n".join([_MAGIC, header, _mac(key, header, payload), payload])
    tmp = _temp_name(path)
    _new_private_file(tmp, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        _unlink_quietly(tmp)
        raise


def disk_cached(derive):
    """Memoise a no-argument ``derive_*`` function in memory and on disk.

    A disk entry is used only if its folder and file pass the owner and
    mode checks and its MAC, name, source hash and type all match; anything
    else is derived afresh and, where the folder allows, overwritten.
    """
    label = f"{derive.__module__}.{derive.__qualname__}"

    @functools.lru_cache(maxsize=None)
    @functools.wraps(derive)
    def wrapper():
        folder = cache_dir()
        if folder is None:
            return derive()
        key = path = None
        try:
            _prepare_folder(folder)
            key = _key(folder)
            path = folder / f"{label}-{_derivation_hash(derive.__module__)}{_SUFFIX}"
            return _load(path, key, derive, label)
        except FileNotFoundError:
            pass                          # a miss, not a doubt
        except Exception as why:  # noqa: BLE001 - any doubt means: derive afresh
            _log.debug("not using the cache for %s: %s", label, why)
        result = derive()
        if key is not None:
            try:
                _store(path, key, derive, label, result)
            except Exception as why:  # noqa: BLE001 - read-only folder, unpicklable result
                _log.debug("not caching %s: %s", label, why)
        return result
    return wrapper
