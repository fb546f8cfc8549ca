"""The derivation cache never runs planted code and never changes a number.

Every check runs ``derive_minnorm`` (about a second) in a fresh
``python -c`` process whose ``RMTHEORY_CACHE`` is a temporary folder, so
what is tested is what a later process reads from disk. The child reports
whether it derived afresh (a profile hook sees the undecorated function
run), and whether ``w* = (√5 − 1)/2`` and ``c(w) = (w² + (1−w)²)/(w(2−w))``
hold exactly. Entries are edited through :func:`_read_entry` and
:func:`_write_entry`, which know the signed layout of
:mod:`rmtheory.symbolic._cache` (magic line, JSON header line, hex
HMAC-SHA256 line, pickle) and fall back to a bare pickle, so the same
attacks also run against a cache that stores bare pickles.
"""
import hashlib
import hmac
import json
import os
import pickle
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import sympy as sp

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX owners and modes")

MAGIC = b"rmtheory-derivation-cache 1"
OTHER_UID = 4242

CHILD = r"""
import inspect, json, os, sys
os.umask(int(os.environ.get("TEST_UMASK", "0o022"), 8))
import sympy as sp
from rmtheory.symbolic import minnorm, symbols
target = inspect.unwrap(minnorm.derive_minnorm).__code__
derived = []
def hook(frame, event, arg):
    if event == "call" and frame.f_code is target:
        derived.append(True)
        sys.setprofile(None)
sys.setprofile(hook)
result = minnorm.derive_minnorm()
sys.setprofile(None)
if os.environ.get("TEST_ALSO_SYNTHETIC"):
    from rmtheory.symbolic import synthetic_noise
    synthetic_noise.derive_synthetic_noise()
w = symbols.w
print(json.dumps({
    "derived": bool(derived),
    "type": type(result).__name__,
    "w_star_exact": sp.expand(result.w_star - (sp.sqrt(5) - 1) / 2) == 0,
    "c_w_exact": sp.cancel(result.c_w - (w**2 + (1 - w)**2) / (w * (2 - w))) == 0,
}))
"""


def _child(cache, check_first=None, **env):
    """Run the child; ``check_first`` (a no-argument assertion) runs before
    the child's own failure, if any, is reported."""
    environ = dict(os.environ, RMTHEORY_CACHE=str(cache), **env)
    done = subprocess.run([sys.executable, "-c", CHILD], env=environ,
                          capture_output=True, text=True, timeout=120)
    if check_first is not None:
        check_first()
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr and done.stderr.strip() == "", done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def _correct(report):
    return (report["type"] == "MinNormDerivation" and report["w_star_exact"]
            and report["c_w_exact"])


def _entry(folder, name="minnorm.derive_minnorm"):
    found = [p for p in folder.glob(f"rmtheory.symbolic.{name}-*")
             if not p.name.endswith(".tmp")]
    assert len(found) == 1, sorted(p.name for p in folder.iterdir())
    return found[0]


def _key_file(folder):
    return folder / "hmac-sha256.key"


def _read_entry(path):
    """``(framing, payload)``; ``framing`` is ``None`` for a bare pickle."""
    data = path.read_bytes()
    if data.startswith(MAGIC + b"\n"):
        magic, header, mac, payload = data.split(b"\n", 3)
        return [magic, header, mac], payload
    return None, data


def _write_entry(path, framing, payload, key=None, header=None):
    """Write ``payload`` in ``framing``: with the MAC as found (stale), or
    signed with ``key`` (``header`` replaces the JSON header if given)."""
    if framing is None:
        path.write_bytes(payload)
        return
    magic, old_header, mac = framing
    header = old_header if header is None else json.dumps(header, sort_keys=True).encode()
    if key is not None:
        mac = hmac.new(key, magic + b"\n" + header + b"\n" + payload,
                       hashlib.sha256).hexdigest().encode()
    path.write_bytes(b"\n".join([magic, header, mac, payload]))


def _real_key(folder):
    path = _key_file(folder)
    return path.read_bytes() if path.exists() else None


def _tampered_payload(payload):
    result = pickle.loads(payload)        # our own entry: trusted here
    return pickle.dumps(result._replace(w_star=sp.Rational(6798, 10000),
                                        c_w=sp.Rational(6798, 10000)))


class _Planted:
    """Unpickling this runs code: it writes the marker file."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (exec, (f"open({self.marker!r}, 'w').write('ran')",))


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """A cache folder holding good minnorm and synthetic-noise entries."""
    folder = tmp_path_factory.mktemp("seed") / "cache"
    report = _child(folder, TEST_ALSO_SYNTHETIC="1")
    assert report["derived"] and _correct(report)
    return folder


@pytest.fixture
def cache(seeded, tmp_path):
    folder = tmp_path / "cache"
    shutil.copytree(seeded, folder, symlinks=True)
    return folder


def _assert_rederived_and_repaired(cache):
    again = _child(cache)
    assert not again["derived"] and _correct(again), "the bad entry was not replaced"


# (f) a normal round trip -------------------------------------------------

def test_second_process_reads_the_entry_instead_of_deriving(cache):
    entry = _entry(cache)
    before = entry.read_bytes()
    report = _child(cache)
    assert not report["derived"] and _correct(report)
    assert entry.read_bytes() == before


def test_off_derives_and_writes_nothing(tmp_path):
    report = _child("off")
    assert report["derived"] and _correct(report)
    assert not (tmp_path / "off").exists() and not Path("off").exists()


# (a) a planted pickle that runs code -------------------------------------

@pytest.mark.parametrize("framed", [False, True], ids=["bare", "in-signed-layout"])
def test_planted_pickle_runs_no_code(cache, tmp_path, framed):
    marker = tmp_path / "marker"
    entry = _entry(cache)
    framing, _ = _read_entry(entry)
    evil = pickle.dumps(_Planted(marker))
    _write_entry(entry, framing if framed else None, evil)
    def no_marker():
        assert not marker.exists(), "unpickling the planted entry ran its code"
    report = _child(cache, check_first=no_marker)
    assert report["derived"] and _correct(report)
    if not framed:
        _assert_rederived_and_repaired(cache)
        assert not marker.exists()


# (b) an edited entry of the right type -----------------------------------

@pytest.mark.parametrize("mac", ["stale", "key-deleted"])
def test_edited_entry_changes_no_number(cache, mac):
    entry = _entry(cache)
    framing, payload = _read_entry(entry)
    edited = _tampered_payload(payload)
    _write_entry(entry, framing, edited)   # the MAC found there, or none
    if mac == "key-deleted":
        _key_file(cache).unlink(missing_ok=True)
    report = _child(cache)
    assert report["derived"] and _correct(report), report
    if mac == "stale":
        _assert_rederived_and_repaired(cache)


# (c) a valid entry of the wrong object -----------------------------------

@pytest.mark.parametrize("case", ["other-derivation", "wrong-payload-type", "wrong-header-type"])
def test_wrong_object_falls_back(cache, case):
    entry = _entry(cache)
    framing, payload = _read_entry(entry)
    key = _real_key(cache)
    if case == "other-derivation":
        # a genuine, correctly signed entry of another derivation, swapped in
        shutil.copyfile(_entry(cache, "synthetic_noise.derive_synthetic_noise"), entry)
    elif case == "wrong-payload-type":
        # correctly signed (as a bug might), but the object is not the result
        _write_entry(entry, framing, pickle.dumps(("w_star", 0.6798)), key=key)
    else:
        header = json.loads(framing[1]) if framing else None
        if header is not None:
            header["type"] = "builtins.tuple"
        _write_entry(entry, framing, pickle.dumps(tuple(pickle.loads(payload))),
                     key=key, header=header)
    report = _child(cache)
    assert report["derived"] and _correct(report), report
    if case == "other-derivation":
        _assert_rederived_and_repaired(cache)


# (d) folders and files someone else could have written --------------------

def _resign_tampered(cache):
    """Edit the entry and sign it with the real key: what anyone able to
    write in the folder (or swap its key) could do."""
    entry = _entry(cache)
    framing, payload = _read_entry(entry)
    _write_entry(entry, framing, _tampered_payload(payload), key=_real_key(cache))
    return entry


@pytest.mark.parametrize("mode", [0o770, 0o707], ids=["group-writable", "other-writable"])
def test_folder_writable_by_others_is_not_read(cache, mode):
    entry = _resign_tampered(cache)
    before = {p.name: p.read_bytes() for p in cache.iterdir()}
    os.chmod(cache, mode)
    report = _child(cache)
    assert report["derived"] and _correct(report), report
    assert {p.name: p.read_bytes() for p in cache.iterdir()} == before, \
        "the refused folder was written to"
    assert entry.exists()


def _needs_root():
    if os.geteuid() != 0:
        pytest.skip("giving a file to another user needs root")


@pytest.mark.parametrize("case", ["entry-other-owner", "entry-writable-by-others",
                                  "entry-symlink",
                                  "key-other-owner", "key-readable-by-others"])
def test_file_someone_else_could_write_is_not_read(cache, tmp_path, case):
    entry = _resign_tampered(cache)
    key = _key_file(cache)
    if case == "entry-other-owner":
        _needs_root()
        os.chown(entry, OTHER_UID, OTHER_UID)
    elif case == "entry-writable-by-others":
        os.chmod(entry, 0o622)
    elif case == "entry-symlink":
        elsewhere = tmp_path / "elsewhere"
        os.replace(entry, elsewhere)
        os.symlink(elsewhere, entry)
    elif case == "key-other-owner":
        _needs_root()
        assert key.exists()
        os.chown(key, OTHER_UID, OTHER_UID)
    else:
        assert key.exists()
        os.chmod(key, 0o644)
    report = _child(cache)
    assert report["derived"] and _correct(report), report
    st = os.lstat(_entry(cache))          # overwritten with a good entry of ours
    assert stat.S_ISREG(st.st_mode) and st.st_uid == os.geteuid()
    assert stat.S_IMODE(st.st_mode) == 0o600
    assert sp.expand(pickle.loads(_read_entry(_entry(cache))[1]).w_star
                     - (sp.sqrt(5) - 1) / 2) == 0


# (e) what the cache creates ----------------------------------------------

@pytest.mark.parametrize("umask", ["0o022", "0o000"])
def test_created_folder_is_0700_and_files_0600(tmp_path, umask):
    folder = tmp_path / "deep" / "er" / "cache"
    report = _child(folder, TEST_UMASK=umask)
    assert report["derived"] and _correct(report)
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    key = _key_file(folder)
    assert key.is_file() and not key.is_symlink()
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    assert key.stat().st_uid == os.geteuid() and key.stat().st_size >= 32
    assert stat.S_IMODE(os.stat(_entry(folder)).st_mode) == 0o600
    assert not list(folder.glob("*.tmp")) and not list(folder.glob(".*.tmp"))
