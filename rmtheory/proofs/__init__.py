r"""The machine-checked derivations, shipped with the package.

Each module ``pN_<topic>`` has a ``build()`` that re-derives one result
with SymPy from the model, checks every step exactly
(:class:`~rmtheory.symbolic.proof.Proof`) and returns the proof; run as a
script (``python -m rmtheory.proofs.p1_minnorm [--output DIR]``) it writes
the proof as Markdown. :func:`derivation` returns the same text as a
:class:`Derivation`, which renders as Markdown with LaTeX in Jupyter.

A derivation can be asked for by the module's name (``"p1_minnorm"``), by
its topic (``"minnorm"``), by its number (``1``) or by the name of a
formula it derives (``"c_w"``; see :func:`rmtheory.symbolic.formula_names`).

Examples
--------
>>> from rmtheory.proofs import derivation, derivation_names
>>> derivation_names()[:2]
['p1_minnorm', 'p2_synthetic_noise']
>>> proof = derivation("synthetic_noise")
>>> proof.title
'Result 2: the optimal weight under synthetic label noise'
>>> len(proof.steps) >= 15, proof.markdown.startswith("# Result 2")
(True, True)
>>> derivation("w_star_kappa_s").name       # the proof that derives a formula
'p2_synthetic_noise'
"""
from __future__ import annotations

import importlib
import threading
from typing import Any

from ..symbolic.proof import ProofStep

__all__ = ["Derivation", "derivation", "derivation_names", "PROOF_OF_FORMULA"]

#: module name -> one line on what it proves (the table of ``README.md`` here)
_PROOFS = {
    "p1_minnorm": "min-norm interpolation: c_t(w), c(w) and w* = 1/phi",
    "p2_synthetic_noise": "synthetic label noise kappa_s sigma^2: w*(kappa_s)",
    "p3_dynamic_mixing": "dynamic mixing: the greedy weights F_{2t+1}/F_{2t+2}",
    "p4_ridge_per_eigenvalue": "ridge per eigenvalue: the mean and variance multipliers",
    "p5_isotropic": "isotropic features: kappa, Marchenko-Pastur, the mixed risk, w*(lambda)",
    "p6_ols": "OLS (gamma < 1): the risk c(w) sigma^2 gamma/(1 - gamma)",
    "p7_schemes": "replace, dynamic and accumulate schemes per eigenvalue",
    "p8_kappa_plane": "finite-t spectral integrals in the kappa-plane",
    "p9_finite_n_gaussian": "exact finite-n Gaussian isotropic risk (inverse-Wishart moments)",
    "p10_certified_bounds": "the bounds of the certified optimum's tail (kappa >= lam, kappa' >= 1, "
                            "bias and variance floors)",
}

#: formula name (:func:`rmtheory.symbolic.formula`) -> the proof that derives it
PROOF_OF_FORMULA = {
    **dict.fromkeys(("c_t", "c_w", "minnorm_risk", "w_star_minnorm"), "p1_minnorm"),
    **dict.fromkeys(("c_w_kappa_s", "w_star_kappa_s"), "p2_synthetic_noise"),
    "dynamic_weight": "p3_dynamic_mixing",
    **dict.fromkeys(("ridge_mean_multiplier", "ridge_variance_multiplier",
                     "ridge_mean_multiplier_t", "ridge_variance_multiplier_t",
                     "mixed_bracket_w1", "mixed_risk"), "p4_ridge_per_eigenvalue"),
    **dict.fromkeys(("isotropic_kappa", "kappa_from_stieltjes", "mp_stieltjes", "mp_density",
                     "mp_edges", "mp_atom", "isotropic_bias", "isotropic_variance",
                     "isotropic_risk", "isotropic_risk_stieltjes", "isotropic_minnorm_risk",
                     "w_star_series"), "p5_isotropic"),
    "ols_risk": "p6_ols",
    **dict.fromkeys(("replace_variance_factor", "replace_variance_multiplier",
                     "accumulate_mean_multiplier", "accumulate_variance_factor",
                     "accumulate_variance_factor_limit", "dynamic_variance_factor"),
                    "p7_schemes"),
    **dict.fromkeys(("kappa_fixed_point", "df2", "kappa_prime"), "p8_kappa_plane"),
}

_lock = threading.Lock()
_built: dict[str, Derivation] = {}


class Derivation:
    r"""A verified derivation: its title, steps and Markdown text.

    Parameters
    ----------
    name : str
        The proof module, e.g. ``"p1_minnorm"``.
    title : str
        Title of the result (Markdown with inline ``$…$`` math).
    steps : tuple of ProofStep
        The checked steps in order; each has ``number``, ``description``,
        ``latex`` and ``method`` (the exact route that verified it).
    markdown : str
        The whole document, exactly as ``python -m rmtheory.proofs.<name>``
        writes it: prose, ``$$ … $$`` displays and one paragraph per step.

    Notes
    -----
    In Jupyter the object renders as its Markdown (``_repr_markdown_``),
    whose ``$$`` blocks MathJax typesets; :meth:`latex` gives the steps as
    one LaTeX ``align*`` environment for a paper's appendix.
    """

    def __init__(self, name: str, title: str, steps: tuple[ProofStep, ...], markdown: str):
        self.name = name
        self.title = title
        self.steps = tuple(steps)
        self.markdown = markdown

    def __repr__(self) -> str:
        return f"<Derivation {self.name!r}: {len(self.steps)} steps verified exactly>"

    def __str__(self) -> str:
        return self.markdown

    def _repr_markdown_(self) -> str:
        return self.markdown

    def latex(self) -> str:
        r"""The steps as LaTeX: one ``\[ … \]`` display per step, numbered,
        each with its description as a text line above it.

        Returns
        -------
        str
            LaTeX that needs ``amsmath`` only (``aligned`` inside the
            displays); the descriptions keep their inline ``$…$`` math.
        """
        blocks = []
        for step in self.steps:
            words = step.description.replace("`", "")
            blocks.append(f"\\paragraph{{Step {step.number}.}} {words}\n\\[\n{step.latex}\n\\]")
        return "\n\n".join(blocks) + "\n"


def derivation_names() -> list[str]:
    """Names of the shipped derivations, in order (``p1_minnorm``, …)."""
    return list(_PROOFS)


def _resolve(name: Any) -> str:
    if isinstance(name, bool) or not isinstance(name, (str, int)):
        raise TypeError(f"name must be a str or an int, received {type(name).__name__}")
    names = derivation_names()
    if isinstance(name, int):
        if not 1 <= name <= len(names):
            raise ValueError(f"name must be a derivation number in 1..{len(names)}, "
                             f"received {name}")
        return names[name - 1]
    if name in _PROOFS:
        return name
    by_topic = {key.split("_", 1)[1]: key for key in names}
    if name in by_topic:
        return by_topic[name]
    if name in PROOF_OF_FORMULA:
        return PROOF_OF_FORMULA[name]
    raise ValueError(f"name must be one of {names}, a topic {sorted(by_topic)} or a formula "
                     f"name derived in them {sorted(PROOF_OF_FORMULA)}, received {name!r}")


def derivation(name: str | int) -> Derivation:
    r"""The machine-checked derivation of a result, as steps that render in Jupyter.

    The proof is built afresh on first use (seconds: every step is
    re-checked exactly with SymPy) and kept for the process.

    Parameters
    ----------
    name : str or int
        The proof (``"p1_minnorm"``), its topic (``"minnorm"``), its number
        (``1`` … ``8``), or a formula it derives (``"c_w"``). The topics are
        ``minnorm``, ``synthetic_noise``, ``dynamic_mixing``,
        ``ridge_per_eigenvalue``, ``isotropic``, ``ols``, ``schemes`` and
        ``kappa_plane``.

    Returns
    -------
    Derivation
        Title, steps and the Markdown text the proof file writes.

    Raises
    ------
    ValueError
        If ``name`` is none of those (the message lists them).
    TypeError
        If ``name`` is not a str or an int.
    rmtheory.symbolic.proof.ProofStepError
        If a step fails to verify (a bug: the shipped proofs pass).

    Examples
    --------
    >>> import rmtheory as rt
    >>> d = rt.derivation("c_w")
    >>> d.name, d.steps[0].number
    ('p1_minnorm', 1)
    >>> "Verified exactly" in d._repr_markdown_()
    True
    """
    key = _resolve(name)
    with _lock:
        if key not in _built:
            module = importlib.import_module(f"{__name__}.{key}")
            proof = module.build()
            _built[key] = Derivation(key, proof.title, proof.steps, proof.to_markdown())
        return _built[key]
