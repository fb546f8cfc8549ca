"""The command line when things go wrong: interruptions, dead workers, strict
JSON, unwritable stdout, mistyped options, and the wording of errors and claims.

Most tests call :func:`rmtheory.cli.main` in-process; a Ctrl-C is simulated by
monkeypatching the function a command calls to raise ``KeyboardInterrupt``.
Subprocesses only where the operating system is the point (``/dev/full``, a
closed pipe, a real ``SIGINT``).
"""
import dataclasses
import json
import os
import pathlib
import re
import subprocess
import sys
import textwrap

import pytest

import rmtheory as rt
from rmtheory import experiments as F
from rmtheory.cli import COMMANDS, main
from conftest import one_line

ROOT = pathlib.Path(__file__).resolve().parents[1]
VERIFY_MODULE = sys.modules["rmtheory.compare.verify"]
TINY_VERIFY = ["verify", "--n", "12", "--draws", "5", "--w", "0.5,1"]


def run(argv):
    """``main(argv)``; a ``KeyboardInterrupt`` escaping it is a failure, not
    the end of the test session."""
    try:
        return main(argv)
    except KeyboardInterrupt:   # pragma: no cover - the bug these tests catch
        pytest.fail("KeyboardInterrupt escaped main()")


def strict_json(text):
    def refuse(constant):
        raise ValueError(f"not strict JSON: {constant}")
    return json.loads(text, parse_constant=refuse)


def _interrupt(*args, **kwargs):
    raise KeyboardInterrupt


# ------------------------------------------------ 11: an interrupted report

def _old_report(folder):
    folder.mkdir()
    old = {"summary.md": "OLD summary", "formulas.tex": "OLD tex", "checks.csv": "OLD csv",
           f"{F.FIGURES[0][0]}.png": "OLD png", "notes.txt": "the user's own file"}
    for name, text in old.items():
        (folder / name).write_text(text)
    return old


def test_interrupted_report_keeps_the_previous_report_whole(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "rep"
    old = _old_report(folder)
    # formulas.tex is written first; the first figure is then interrupted
    monkeypatch.setattr(F, "FIGURES", [(F.FIGURES[0][0], _interrupt)])
    assert run(["report", "--quick", "--no-progress", "--output", str(folder)]) == 130
    out, err = capsys.readouterr()
    line = one_line(err, "interrupted", "unchanged", "partial")
    assert {p.name: p.read_text() for p in folder.iterdir()} == old    # untouched, unmixed
    partial = tmp_path / "rep.partial"
    assert str(partial) in line
    assert (partial / "formulas.tex").read_text().startswith(r"\documentclass")


def _cheap_report(monkeypatch, formats_seen=None):
    """A report with one small figure and no Monte Carlo tables: the file
    handling of generate_report in a fraction of a second."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from rmtheory import report as R
    name = F.FIGURES[0][0]

    def figure(sizes, seed):
        return F.FigureData(name, "A figure", "Its caption.", [], [], {}, sizes)
    monkeypatch.setattr(F, "FIGURES", [(name, figure)])
    from rmtheory import plot as P
    monkeypatch.setattr(P, "draw", lambda data: plt.figure(figsize=(1, 1)))
    monkeypatch.setattr(R, "_optimal_weight_table", lambda keys: (["spectrum"], []))
    monkeypatch.setattr(R, "_convergence", lambda sizes, seed: None)
    return name


def test_report_replaces_the_previous_report_and_keeps_other_files(tmp_path, monkeypatch,
                                                                   capsys):
    folder = tmp_path / "rep"
    _old_report(folder)
    name = _cheap_report(monkeypatch)
    assert run(["report", "--quick", "--no-progress", "--formats", "svg",
                "--output", str(folder)]) == 0
    files = {p.name for p in folder.iterdir()}
    # the old PNG is not part of the new report (svg only): removed, not mixed in
    assert files == {"summary.md", "formulas.tex", "checks.csv", f"{name}.svg", "notes.txt"}
    assert (folder / "notes.txt").read_text() == "the user's own file"
    assert "OLD" not in (folder / "summary.md").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rep"]     # no partial left
    summary = (folder / "summary.md").read_text()
    # 19: the summary links the format that was written
    assert f"]({name}.svg)" in summary and ".png)" not in summary
    out, _ = capsys.readouterr()
    assert f"{name}.svg  A figure" in out


def test_report_summary_links_pdf_when_only_pdf_is_written(tmp_path, monkeypatch):
    name = _cheap_report(monkeypatch)
    assert run(["report", "--quick", "--no-progress", "--formats", "pdf",
                "--output", str(tmp_path / "rep")]) == 0
    summary = (tmp_path / "rep" / "summary.md").read_text()
    assert f"({name}.pdf)" in summary and ".png)" not in summary


def test_report_summary_states_the_scope_of_the_band(tmp_path, monkeypatch):
    _cheap_report(monkeypatch)
    assert run(["report", "--quick", "--no-progress", "--output", str(tmp_path / "r")]) == 0
    summary = (tmp_path / "r" / "summary.md").read_text()
    band = [s for s in re.split(r"(?<=\.) ", summary) if "[1/2, 1]" in s]
    assert band and all("spiked" in s and "random-effects" in s for s in band), band
    assert "not for a general pair (H, G)" in summary and "0.4258" in summary


# ------------------------------------------------ 12 and 10: interrupted or failed runs

def test_verify_interrupted_before_the_first_draw(monkeypatch, capsys):
    import rmtheory.compare as mc
    monkeypatch.setattr(mc, "verify", _interrupt)
    assert run(TINY_VERIFY) == 130
    out, err = capsys.readouterr()
    one_line(err, "rmtheory verify", "interrupted")
    assert out == ""


def _draw_interrupted_at(monkeypatch, k):
    real, calls = VERIFY_MODULE._draw, []

    def draw(task):
        calls.append(task)
        if len(calls) == k:
            raise KeyboardInterrupt
        return real(task)
    monkeypatch.setattr(VERIFY_MODULE, "_draw", draw)


@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_verify_interrupted_mid_run_keeps_the_partial_output(json_flag, monkeypatch, capsys):
    _draw_interrupted_at(monkeypatch, 3)
    assert run(TINY_VERIFY + json_flag) == 130
    out, err = capsys.readouterr()
    one_line(err, "interrupted", "2 of 5 draws")           # no RuntimeWarning lines
    if json_flag:
        doc = strict_json(out)
        assert doc["complete"] is False and doc["draws_completed"] == 2
    else:
        assert "draws=2/5" in out


def test_verify_failure_prints_the_partial_table_and_one_line(monkeypatch, capsys):
    """A run whose worker died: ``report.failure`` set, completed draws kept."""
    import rmtheory.compare as mc
    real = mc.verify

    def died(*args, **kwargs):
        report = dataclasses.replace(real(*args, **{**kwargs, "draws": 3}), complete=False)
        object.__setattr__(report, "failure", "worker process died (exit code -9)\n")
        return report
    monkeypatch.setattr(mc, "verify", died)
    assert run(TINY_VERIFY) == 1
    out, err = capsys.readouterr()
    one_line(err, "rmtheory verify: worker process died", "completed")
    # the table of the completed draws, marked with what failed
    assert "verify isotropic" in out and "failed: worker process died" in out


def test_escaping_pool_error_is_one_line_exit_1(monkeypatch, capsys):
    from concurrent.futures.process import BrokenProcessPool
    import rmtheory.compare as mc

    def broken(*args, **kwargs):
        raise BrokenProcessPool("A process in the process pool was terminated abruptly")
    monkeypatch.setattr(mc, "verify", broken)
    assert run(TINY_VERIFY + ["--backend", "processes"]) == 1
    one_line(capsys.readouterr().err, "BrokenProcessPool", "terminated abruptly")


def _dying_draw(task):
    """A draw whose worker process dies (module level: pickled to the worker)."""
    os._exit(3)


def test_killed_worker_of_verify_processes_is_one_line_exit_1(monkeypatch, capsys):
    monkeypatch.setattr(VERIFY_MODULE, "_draw", _dying_draw)
    status = run(TINY_VERIFY + ["--draws", "2", "--backend", "processes"])
    out, err = capsys.readouterr()
    assert status == 1, err
    one_line(err, "rmtheory verify")


def test_dask_backend_needs_an_address(capsys):
    assert run(TINY_VERIFY + ["--backend", "dask"]) == 2
    one_line(capsys.readouterr().err, "--address")
    assert run(TINY_VERIFY + ["--address", "tcp://127.0.0.1:8786"]) == 2
    one_line(capsys.readouterr().err, "--address", "--backend dask")


def test_curve_interrupted_mid_way_keeps_the_rows_done(monkeypatch, capsys):
    real, calls = rt.optimal_w, []

    def optimal_w(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)
    monkeypatch.setattr(rt, "optimal_w", optimal_w)
    assert run(["curve", "--lams", "0.1,0.2,0.3,0.4", "--dps", "12", "--json"]) == 130
    out, err = capsys.readouterr()
    one_line(err, "interrupted after 2 of 4 penalties")
    doc = strict_json(out)
    assert doc["complete"] is False and [r["lam"] for r in doc["records"]] == [0.1, 0.2]


@pytest.mark.parametrize("argv, target", [
    (["optimal-w"], "optimal_w"),
    (["risk", "--w", "0.5"], "limiting_risk"),
    (["curve", "--lams", "0.1"], "critical_lambda"),
])
def test_every_numeric_command_interrupted_is_one_line_130(argv, target, monkeypatch, capsys):
    monkeypatch.setattr(rt, target, _interrupt)
    assert run(argv) == 130
    one_line(capsys.readouterr().err, "interrupted")


def test_real_sigint_during_verify_exits_130_with_the_partial_table():
    """A real SIGINT (the signal handler path), sent by the second draw itself."""
    script = textwrap.dedent("""
        import os, signal, sys, time
        from rmtheory.cli import main
        V = sys.modules["rmtheory.compare.verify"]
        real, calls = V._draw, []
        def draw(task):
            calls.append(1)
            if len(calls) == 3:
                os.kill(os.getpid(), signal.SIGINT)
                time.sleep(5)
            return real(task)
        V._draw = draw
        sys.exit(main(["verify", "--n", "12", "--draws", "6", "--w", "0.5,1"]))
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert proc.returncode == 130, proc.stderr
    one_line(proc.stderr, "interrupted", "2 of 6 draws")
    assert "draws=2/6" in proc.stdout


# ------------------------------------------------ 13: strict JSON everywhere

def _infinite_optimum(*args, **kwargs):
    """The real optimum with an infinite risk at w = 1 (as for an OLS fit at
    the interpolation threshold)."""
    from mpmath import mpf
    res = _REAL_OPTIMAL_W(*args, **kwargs)
    # total, gain and relative gain follow: inf, inf and inf/inf = nan
    return dataclasses.replace(res, risk_at_1=dataclasses.replace(res.risk_at_1,
                                                                  variance=mpf("inf")))


_REAL_OPTIMAL_W = rt.optimal_w


@pytest.mark.parametrize("argv", [
    ["formulas", "--json"],
    ["formulas", "--name", "c_w", "--json"],
    ["risk", "--w", "0.5,1", "--gamma", "1", "--lam", "0", "--json"],   # infinite variance
    TINY_VERIFY + ["--gamma", "1", "--json"],                          # infinite theory
    ["optimal-w", "--lam", "0.1", "--json"],
    ["curve", "--lams", "0.1,1", "--dps", "12", "--json"],
    ["curve", "--lams", "0.1,1", "--fast", "--json"],
])
def test_every_json_output_is_strict(argv, capsys):
    assert run(argv) in (0, 1)
    strict_json(capsys.readouterr().out)


def test_every_json_command_is_covered():
    from rmtheory.cli import build_parser
    _, sub = build_parser()
    with_json = {name for name, p in sub.choices.items()
                 if "--json" in p.long_options()}
    assert with_json == {"formulas", "optimal-w", "risk", "curve", "verify"}


def test_non_finite_numbers_are_null_in_every_command(monkeypatch, capsys):
    assert run(TINY_VERIFY + ["--gamma", "1", "--json"]) == 1
    doc = strict_json(capsys.readouterr().out)
    assert doc["records"][0]["theory"] is None and doc["records"][0]["z"] is None
    assert run(["risk", "--w", "0.5", "--gamma", "1", "--json"]) == 0
    assert strict_json(capsys.readouterr().out)["records"][0]["variance"] is None
    from mpmath import mpf
    monkeypatch.setattr(rt, "critical_lambda", lambda *a, **k: mpf("inf"))
    assert run(["curve", "--lams", "0.1", "--dps", "12", "--json"]) == 0
    assert strict_json(capsys.readouterr().out)["critical_lambda"] is None
    monkeypatch.setattr(rt, "optimal_w", _infinite_optimum)
    assert run(["optimal-w", "--lam", "0.1", "--json"]) == 0
    doc = strict_json(capsys.readouterr().out)
    assert doc["risk_at_1"] is None and doc["gain"] is None and doc["relative_gain"] is None


def test_json_mapping_is_documented():
    for name in ("optimal-w", "risk", "curve", "verify", "formulas"):
        from rmtheory.cli import build_parser
        _, sub = build_parser()
        assert "null" in sub.choices[name].format_help(), name
    readme = (ROOT / "README.md").read_text()
    assert re.search(r"--json.{0,200}not finite.{0,80}null", readme, re.S)


# ------------------------------------------------ 17: stdout that cannot be written

@pytest.mark.parametrize("argv", [
    [], ["--help"], ["optimal-w", "--dps", "12"], ["optimal-w", "--json"], ["risk", "--w", "1"],
    ["curve", "--lams", "0.1", "--dps", "12"], TINY_VERIFY, ["formulas"],
    ["latex", "--output", "-"], ["optimal-w", "--help"],
])
def test_unwritable_stdout_is_one_line_exit_1(argv, monkeypatch, capsys):
    full = open("/dev/full", "w")
    try:
        monkeypatch.setattr(sys, "stdout", full)
        assert run(argv) == 1
    finally:
        monkeypatch.undo()
        full.close()
    one_line(capsys.readouterr().err, "cannot write the output", "No space left on device")


def test_dev_full_in_a_subprocess_is_one_line_exit_1():
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "rmtheory", "optimal-w"], stdout=full,
                              stderr=subprocess.PIPE, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 1
    one_line(proc.stderr, "rmtheory optimal-w: cannot write the output")


def test_closed_pipe_is_quiet_exit_141():
    proc = subprocess.Popen([sys.executable, "-m", "rmtheory", "formulas"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()            # the reader is gone before the first write
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141
    assert err == ""


# ------------------------------------------------ 19: friction

def test_latex_output_dash_prints_to_stdout(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert run(["latex", "-o", "-"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(r"\documentclass") and out.rstrip().endswith(r"\end{document}")
    assert list(tmp_path.iterdir()) == []


def test_report_output_dash_is_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert run(["report", "--quick", "--no-progress", "-o", "-"]) == 2
    one_line(capsys.readouterr().err, "--output", "stdout")
    assert list(tmp_path.iterdir()) == []


#: per command, a mistyped option (not a prefix of any) and the option meant
MISTYPED = {"report": ("--sede", "--seed"), "optimal-w": ("--lamb", "--lam"),
            "risk": ("--sigam2", "--sigma2"), "curve": ("--lasm", "--lams"),
            "verify": ("--drasw", "--draws"), "latex": ("--outptu", "--output"),
            "formulas": ("--naem", "--name"), "derivation": ("--latx", "--latex")}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_mistyped_option_suggests_the_closest(command, capsys):
    wrong, meant = MISTYPED[command]
    assert run([command, wrong, "1"]) == 2
    one_line(capsys.readouterr().err, f"rmtheory {command}", wrong, f"did you mean {meant}?")


def test_mistyped_command_and_choice_suggest_the_closest(capsys):
    assert run(["optmal-w"]) == 2
    one_line(capsys.readouterr().err, "did you mean optimal-w?")
    assert run(["optimal-w", "--spectrum", "isotrpic"]) == 2
    one_line(capsys.readouterr().err, "--spectrum", "did you mean isotropic?")
    assert run(["verify", "--method", "exakt"]) == 2
    one_line(capsys.readouterr().err, "did you mean exact?")


@pytest.mark.parametrize("argv", [["optimal-w", "--lam", "0.5"], ["optimal-w"],
                                  ["curve", "--lams", "0.5,1"]])
def test_t_zero_has_no_optimal_weight(argv, capsys):
    """At t = 0 the risk does not depend on w (at any λ): refused, not "w* = 1"."""
    assert run(argv + ["--t", "0"]) == 2
    one_line(capsys.readouterr().err, "--t", "does not depend on w")


@pytest.mark.parametrize("argv, shown, hidden", [
    (["optimal-w", "--spectrum", "discrete", "--weights", "0.3,0.3"], "received sum 0.6",
     "0.5999"),
    (["optimal-w", "--spectrum", "discrete", "--weights", "0.1,0.2"], "received sum 0.3",
     "0.3000"),
    (["optimal-w", "--spectrum", "uniform", "--a", "2", "--b", "1"], "a = 2, received 1",
     "2.0"),
    (["optimal-w", "--spectrum", "ar1", "--rho", "1"], "received 1", "1.0"),
    (["risk", "--w", "1.0000000000000002"], "received 1.0000000000000002", "received 1,"),
    (["verify", "--method", "simulate", "--w", "0.0001", "--n", "10"], "--t not set", "None"),
    (["verify", "--method", "simulate", "--w", "0.0001", "--n", "10"], "--method simulate",
     "'simulate'"),
])
def test_messages_show_numbers_as_typed_and_no_python_words(argv, shown, hidden, capsys):
    assert run(argv) == 2
    line = one_line(capsys.readouterr().err)
    assert shown in line and hidden not in line, line


# ------------------------------------------------ 18: claims with their scope

def test_readme_states_the_band_with_its_scope():
    readme = (ROOT / "README.md").read_text()
    answers = readme.split("## What it answers")[1].split("\n## ")[0]
    paragraphs = [p for p in answers.split("\n\n") if "[1/2, 1]" in p]
    assert paragraphs
    for p in paragraphs:
        assert "spiked" in p and "random-effects" in p and "0.4258" in p, p


def test_the_counterexample_of_the_readme():
    res = rt.optimal_w("discrete", eigs=(1 / 16, 1), weights=(0.5, 0.5), signal_weights=(1, 0),
                       gamma=2, lam=0.5, sigma2=1 / 16, r2=1, dps=20)
    assert float(res.w) == pytest.approx(0.4258166175, abs=1e-9)


def test_risk_of_a_scheme_from_the_command_line(capsys):
    """``rmtheory risk --scheme S`` (issue 11): the API's scheme risk, and the
    pairing of --w with the scheme enforced as usage errors."""
    import rmtheory as rt
    from rmtheory.cli import main
    assert main(["risk", "--scheme", "accumulate", "--lam", "0.5", "--t", "10", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    expected = rt.limiting_risk(None, lam=0.5, t=10, scheme="accumulate", dps=20)
    assert doc["records"][0]["total"] == pytest.approx(float(expected.total), rel=1e-15)
    assert doc["records"][0]["w"] is None and doc["params"]["scheme"] == "accumulate"
    assert main(["risk", "--scheme", "replace", "--w", "0.5"]) == 2
    assert "--scheme replace chooses its own weights" in capsys.readouterr().err
    assert main(["risk", "--lam", "0.5"]) == 2
    assert "--w is required for --scheme mix" in capsys.readouterr().err
