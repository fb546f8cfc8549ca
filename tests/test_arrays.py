"""Array inputs of the public API (broadcasting, shapes, the mpmath loop is the
scalar call point by point) and the export of results (repr, dict, JSON,
DataFrame, HTML, LaTeX)."""
import json
from fractions import Fraction

import numpy as np
import pytest

import rmtheory as rt


def test_broadcast_shape_and_digit_identical_points():
    w = np.array([0.4, 1.0])
    lam = [[0.0], [0.3], [2.0]]
    grid = rt.limiting_risk(w, "spiked", lam=lam, gamma=2.0, dps=15)
    assert grid.shape == (3, 2) and grid.bias.dtype == object
    for (i, j), total in np.ndenumerate(grid.total):
        one = rt.limiting_risk(float(w[j]), "spiked", lam=lam[i][0], gamma=2.0, dps=15)
        assert total == one.total and grid[i, j] == one      # the same digits, every one
    assert [r.shape for r in grid] == [(2,)] * 3 and len(grid) == 3


def test_every_broadcast_argument():
    res = rt.limiting_risk(0.5, lam=0.2, gamma=[1.5, 2.5], kappa_s=[[1.0], [2.0]],
                           t=[[3], [5]], dps=12)
    assert res.shape == (2, 2)
    assert res[1, 0] == rt.limiting_risk(0.5, lam=0.2, gamma=1.5, kappa_s=2.0, t=5, dps=12)
    opt = rt.optimal_w(lam=[0.0, 0.5], gamma=2.0, kappa_s=[[1.0], [3.0]], dps=12)
    assert opt.shape == (2, 2) and opt.on_boundary.dtype == bool
    assert opt[1, 1] == rt.optimal_w(lam=0.5, kappa_s=3.0, dps=12)
    k = rt.kappa([0.0, 1.0], gamma=[[0.5], [2.0]], dps=12)
    assert k.shape == (2, 2) and k[1, 1] == rt.kappa(1.0, gamma=2.0, dps=12)
    lc = rt.critical_lambda(gamma=(1.5, 2.0), dps=12)
    assert lc.shape == (2,) and lc[1] == rt.critical_lambda(gamma=2.0, dps=12)


def test_scalars_in_give_scalars_out():
    r = rt.limiting_risk(0.5, lam=0.1, dps=15)
    assert r.shape == () and not r.is_grid and isinstance(float(r), float)
    with pytest.raises(TypeError, match="one point has no len"):
        len(r)
    grid = rt.limiting_risk([0.5, 0.7], lam=0.1, dps=15)
    with pytest.raises(TypeError, match=r"shape \(2,\)"):
        float(grid)


def test_w_star_curve_is_the_array_call():
    curve = rt.w_star_curve([0.0, 0.1, 1.0], gamma=2.0, dps=15)
    grid = rt.optimal_w(lam=[0.0, 0.1, 1.0], gamma=2.0, dps=15)
    assert curve == list(grid)
    fast = rt.w_star_curve([0.1, 1.0], gamma=2.0, backend="float64")
    assert [abs(a.w - float(b.w)) < 1e-10 for a, b in zip(fast, curve[1:])] == [True, True]


def test_bad_arrays_are_named_before_computing():
    with pytest.raises(ValueError, match=r"^lam\[1, 0\] must be in \[0, inf\), received -1"):
        rt.optimal_w(lam=[[0.1], [-1]])
    with pytest.raises(ValueError, match="do not broadcast together"):
        rt.limiting_risk([0.5, 0.6], lam=[0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="do not broadcast together"):
        rt.limiting_risk([0.5, 0.6], lam=[0.1, 0.2, 0.3], backend="float64")
    with pytest.raises(ValueError, match=r"^t\[1\] must be an int in \[0, "):
        rt.limiting_risk(0.5, lam=0.1, t=[1, -2])
    with pytest.raises(ValueError, match="rectangular"):
        rt.limiting_risk([[0.5], [0.5, 0.6]])


@pytest.mark.parametrize("backend", ["mpmath", "float64"])
def test_repr_round_trips(backend):
    namespace = vars(rt) | {"Fraction": Fraction}
    for result in (rt.limiting_risk(0.3, "spiked", lam=0.2, backend=backend, dps=18),
                   rt.optimal_w("spiked", lam=0.2, backend=backend, dps=18),
                   rt.limiting_risk([0.3, 1.0], lam=[[0.0], [0.4]], backend=backend, dps=18),
                   rt.optimal_w(lam=[0.0, 0.3, 9.0], gamma=Fraction(5, 2) if backend == "mpmath"
                                else 2.5, backend=backend, dps=18)):
        again = eval(repr(result), namespace)
        assert again == result and repr(again) == repr(result)
        assert type(result).from_dict(json.loads(result.to_json())) == result


def test_to_dict_keeps_every_digit_as_strict_json():
    res = rt.optimal_w(lam=0.1, dps=40)
    data = res.to_dict()
    text = json.dumps(data, allow_nan=False)          # strict JSON
    w = rt.OptimalWeight.from_dict(json.loads(text)).w
    assert w == res.w and w._mpf_ == res.w._mpf_        # bit for bit
    assert len(data["w"].replace("0.", "")) >= 40
    assert data["gain"] and data["risk"]["total"]
    inf = rt.limiting_risk(0.5, lam=0.0, gamma=1.0, dps=15).to_dict()
    assert inf["variance"] == "+inf" and json.dumps(inf, allow_nan=False)


def test_to_dataframe_is_tidy():
    pd = pytest.importorskip("pandas")
    grid = rt.optimal_w(lam=[0.0, 0.5, 8.0], gamma=[[1.5], [3.0]], backend="float64")
    frame = grid.to_dataframe()
    assert isinstance(frame, pd.DataFrame) and len(frame) == 6
    assert {"lam", "gamma", "w", "on_boundary", "risk", "gain", "spectrum"} <= set(frame.columns)
    row = frame[(frame.lam == 0.5) & (frame.gamma == 3.0)].iloc[0]
    assert row.w == grid.w[1, 1] and row.spectrum == "isotropic"
    exact = rt.limiting_risk([0.5, 0.9], lam=0.1, dps=25).to_dataframe(numbers="str")
    assert exact.total[0] == rt.limiting_risk(0.5, lam=0.1, dps=25).to_dict()["total"]


def test_rich_displays():
    one = rt.optimal_w("spiked", lam=0.1, dps=20)
    latex = one._repr_latex_()
    assert r"\gamma = 2" in latex and r"\lambda = 0.1" in latex and "spiked" in latex
    # w*, R(w*) with the same digits (dps − 5 confirmed, at most 12)
    assert "0.608862447031" in latex and one._repr_html_() is None
    grid = rt.limiting_risk([0.5, 1.0], lam=[0.1, 0.2], backend="float64")
    page = grid._repr_html_()
    assert page.startswith("<div>") and page.count("<tr>") == 3 and "total" in page
    assert grid._repr_latex_() is None


def test_help_lists_every_spectrum_and_its_defaults():
    from rmtheory.numeric.spectra import SPECTRUM_DEFAULTS
    for function in (rt.optimal_w, rt.limiting_risk, rt.kappa, rt.critical_lambda):
        doc = function.__doc__
        for name, defaults in SPECTRUM_DEFAULTS.items():
            assert f"``{name}``" in doc
            for key, value in defaults.items():
                shown = f"``{key}={value!r}``" if name != "random_effects" or key == "law" \
                    else f"``{key}``"
                assert shown in doc, (function.__name__, name, shown)
        assert "backend :" in doc and "Returns" in doc and "Raises" in doc
