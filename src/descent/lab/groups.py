"""Several optimizers as one: each parameter goes to the optimizer of its group.

Muon updates only matrices; a network also has biases. As with the param groups of
``torch.optim``, :class:`ParamGroups` puts every parameter key in one named group, each
group with its own optimizer, and behaves like a single optimizer: ``update(params,
grads)``, a step counter ``t``, ``state_dict``/``load_state_dict``, and a learning rate
that a schedule can set. So :func:`descent.lab.training.train` and
:func:`descent.lab.runs.run` take it unchanged. :func:`by_ndim` builds the usual
split: 2-D weight matrices to one optimizer, everything else to another.

>>> import numpy as np
>>> from descent import SGD
>>> opt = ParamGroups({"slow": SGD(lr=0.1), "fast": SGD(lr=0.5)},
...                   rule={"w": "slow", "b": "fast"})
>>> params = {"w": np.array([1.0]), "b": np.array([1.0])}
>>> opt.update(params, {"w": np.array([1.0]), "b": np.array([1.0])})
>>> params["w"], params["b"]
(array([0.9]), array([0.5]))
"""

from __future__ import annotations

import copy
import numbers
from collections.abc import Callable, Mapping

import numpy as np

from descent.base import Hyperparameter, Optimizer
from descent.checks import checked_grads, listing, non_negative

__all__ = ["ParamGroups", "by_ndim", "ndim_rule"]

Rule = Mapping[str, str] | Callable[[str, np.ndarray], str]
"""Which group a parameter belongs to: a dict ``{param key: group name}``, or a function
``rule(key, param)`` that returns the group's name."""


class ParamGroups:
    r"""Update each parameter with the optimizer of its group, all in one call.

    .. math::
        \theta^{(k)}_t = \mathrm{step}_{\mathrm{opt}(k)}\bigl(\theta^{(k)}_{t-1},
        g^{(k)}_t;\ s\,\eta_{\mathrm{opt}(k)}\bigr)

    for every parameter key :math:`k`, where :math:`\mathrm{opt}(k)` is the optimizer
    of the group that ``rule`` gives :math:`k`, :math:`\eta_{\mathrm{opt}(k)}` that
    optimizer's own learning rate and :math:`s` the factor ``lr`` (1 unless a schedule
    sets it). Each group's optimizer takes one step per :meth:`update`, on the
    parameters of its group only, exactly as if it were called alone on them.

    Parameters
    ----------
    groups : dict[str, Optimizer]
        Group names and their optimizers, e.g. ``{"matrices": Muon(), "others":
        AdamW()}``. Fresh optimizers (no step taken), each in one group only.
    rule : dict[str, str] or callable
        The group of each parameter: a dict from every parameter key to a group name
        (then ``params`` must have exactly these keys), or a function ``rule(key,
        param)`` returning a group name, asked at every update.
    lr : float, default 1.0
        A *factor* :math:`s \ge 0` on every group's learning rate. A schedule given to
        :func:`~descent.lab.runs.run` or :func:`~descent.lab.training.train` sets it
        before each step, so it should be written with peak 1, e.g.
        ``schedules.cosine(1.0, n_steps)``: it then scales all groups together and
        keeps the ratio of their rates, as ``torch.optim.lr_scheduler.LambdaLR`` does
        with param groups. The groups' own ``lr`` is never changed.

    Attributes
    ----------
    groups : dict[str, Optimizer]
        The optimizers, by group name.
    t : int
        Number of updates taken.

    Raises
    ------
    TypeError
        If ``groups`` is not a dict of optimizers with string names, or ``rule`` is
        neither a dict nor callable.
    ValueError
        If ``groups`` is empty, an optimizer appears in two groups or has already taken
        steps, or ``rule`` names a group that does not exist.

    Notes
    -----
    :meth:`update` checks everything first: that every key of ``params`` has a
    gradient and a group, and then each group's ``params``/``grads`` with that group's
    own checks (Muon refuses a 1-D bias, naming it). Only when every group has passed
    does any group step, so a call that raises changes nothing, as for a single
    optimizer. A group that gets no parameter in a call takes no step.

    In ``torch.optim`` the groups share one optimizer class and differ in
    hyperparameters; here each group can be a different algorithm (Muon and AdamW),
    which torch needs two optimizers for.

    Examples
    --------
    >>> import numpy as np
    >>> from descent import AdamW, Muon
    >>> opt = by_ndim(matrices=Muon(lr=0.02), others=AdamW(lr=0.001))
    >>> params = {"W": np.ones((3, 2)), "b": np.ones(2)}
    >>> grads = {"W": np.ones((3, 2)), "b": np.ones(2)}
    >>> opt.update(params, grads)
    >>> sorted(opt.groups["matrices"].state), sorted(opt.groups["others"].state)
    (['W'], ['b'])
    >>> opt.t
    1
    """

    lr = Hyperparameter(non_negative)

    def __init__(self, groups: Mapping[str, Optimizer], rule: Rule, lr: float = 1.0) -> None:
        if not isinstance(groups, Mapping):
            raise TypeError(
                f"ParamGroups: groups must be a dict {{name: optimizer}}, got "
                f"{type(groups).__name__}"
            )
        if not groups:
            raise ValueError("ParamGroups: groups is empty; give at least one optimizer")
        seen = {}
        for name, optimizer in groups.items():
            if not isinstance(name, str):
                raise TypeError(f"ParamGroups: group names must be strings, got {name!r}")
            if not (callable(getattr(optimizer, "update", None)) and hasattr(optimizer, "t")):
                raise TypeError(
                    f"ParamGroups: group {name!r} must be an optimizer, got {optimizer!r}"
                )
            if id(optimizer) in seen:
                raise ValueError(
                    f"ParamGroups: groups {seen[id(optimizer)]!r} and {name!r} share one "
                    "optimizer, which would step twice per update; give each its own"
                )
            if optimizer.t != 0:
                raise ValueError(
                    f"ParamGroups: the optimizer of group {name!r} has already taken "
                    f"{optimizer.t} steps; give fresh optimizers"
                )
            seen[id(optimizer)] = name
        if isinstance(rule, Mapping):
            unknown = {key: group for key, group in rule.items() if group not in groups}
            if unknown:
                key, group = next(iter(unknown.items()))
                raise ValueError(
                    f"ParamGroups: rule puts param {key!r} in group {group!r}, which does "
                    f"not exist (groups: {listing(groups)})"
                )
        elif not callable(rule):
            raise TypeError(
                "ParamGroups: rule must be a dict {param key: group name} or a function "
                f"(key, param) -> group name, got {rule!r}"
            )
        self.groups = dict(groups)
        self.rule = rule
        self.lr = lr
        self.t = 0

    def group_of(self, key: str, param: np.ndarray) -> str:
        """The name of the group that ``rule`` gives the parameter ``key``."""
        if isinstance(self.rule, Mapping):
            if key not in self.rule:
                raise ValueError(
                    f"ParamGroups.update: param {key!r} has no group in rule "
                    f"(rule covers: {listing(self.rule)})"
                )
            return self.rule[key]
        group = self.rule(key, param)
        if not isinstance(group, str) or group not in self.groups:
            raise ValueError(
                f"ParamGroups.update: rule puts param {key!r} in group {group!r}, which "
                f"does not exist (groups: {listing(self.groups)})"
            )
        return group

    def split(
        self, params: Mapping[str, np.ndarray], grads: Mapping[str, object]
    ) -> dict[str, tuple[dict, dict]]:
        """``{group name: (its params, its grads)}`` for the groups that get a parameter.

        Checks that ``params`` and ``grads`` are dicts with the same keys and that
        every key has a group; the groups' own checks come in :meth:`update`.
        """
        owner = "ParamGroups.update"
        for name, value in (("params", params), ("grads", grads)):
            if not isinstance(value, Mapping):
                raise TypeError(f"{owner}: {name} must be a dict, got {type(value).__name__}")
        if not params:
            raise ValueError(f"{owner}: params is empty; there is nothing to update")
        both = f"(params: {listing(params)}; grads: {listing(grads)})"
        for key in params:
            if key not in grads:
                raise ValueError(f"{owner}: grads has no entry for param {key!r} {both}")
        for key in grads:
            if key not in params:
                raise ValueError(f"{owner}: grads has an entry {key!r} with no param {both}")
        if isinstance(self.rule, Mapping):
            for key in self.rule:
                if key not in params:
                    raise ValueError(
                        f"{owner}: rule names param {key!r}, which is not in params "
                        f"(params: {listing(params)})"
                    )
        split: dict[str, tuple[dict, dict]] = {}
        for key, param in params.items():
            group = self.group_of(key, param)
            group_params, group_grads = split.setdefault(group, ({}, {}))
            group_params[key] = param
            group_grads[key] = grads[key]
        return {name: split[name] for name in self.groups if name in split}

    def update(self, params: Mapping[str, np.ndarray], grads: Mapping[str, object]) -> None:
        """Take one step: each group's optimizer updates its own parameters in place.

        Raises
        ------
        TypeError
            As :meth:`descent.base.Optimizer.update` does (a parameter that is not a
            float array, ...), naming the offending key.
        ValueError
            As :meth:`descent.base.Optimizer.update` does (missing or extra keys, shapes,
            NaN, a 1-D parameter for Muon, ...), naming the offending key, and if a key
            of ``params`` has no group. Every group is checked before any group steps:
            nothing has been changed when it raises.
        """
        split = self.split(params, grads)
        for name, (group_params, group_grads) in split.items():
            checked_grads(self.groups[name], group_params, group_grads)
        # Every group has passed its checks: from here on no update can fail.
        self.t += 1
        for name, (group_params, group_grads) in split.items():
            optimizer = self.groups[name]
            own_lr = optimizer.lr
            optimizer.lr = own_lr * self.lr
            try:
                optimizer.update(group_params, group_grads)
            finally:
                optimizer.lr = own_lr

    @property
    def state(self) -> dict[str, dict[str, np.ndarray]]:
        """Every group's per-parameter buffers in one dict, by parameter key (not copies)."""
        return {key: buffers for opt in self.groups.values() for key, buffers in opt.state.items()}

    @property
    def hyperparams(self) -> dict[str, float]:
        """``{"lr": factor}``: the one hyperparameter a schedule may set."""
        return {"lr": self.lr}

    def set_hyperparams(self, values: Mapping[str, object]) -> None:
        """Set the factor ``lr``; the groups' own hyperparameters are theirs to set."""
        for name in values:
            if name != "lr":
                raise ValueError(
                    f"ParamGroups: only lr, a factor on every group's learning rate, can "
                    f"be set here; got {name!r} (set it on the group's optimizer)"
                )
        if "lr" in values:
            self.lr = values["lr"]

    def state_dict(self) -> dict:
        """``{"lr": factor, "step": t, "groups": {name: optimizer.state_dict()}}``, as copies."""
        return {
            "lr": self.lr,
            "step": self.t,
            "groups": {name: opt.state_dict() for name, opt in self.groups.items()},
        }

    def load_state_dict(self, state_dict: Mapping) -> None:
        """Restore what :meth:`state_dict` saved, after checking all of it.

        Raises
        ------
        TypeError
            If it is not a dict, or a group's part has a value of the wrong type.
        ValueError
            If the dictionary does not have the keys ``groups``, ``lr`` and ``step``,
            names other groups, or any group's part does not fit its optimizer (as
            :meth:`descent.base.Optimizer.load_state_dict` checks it). Every group is
            checked before any is changed: nothing has been changed when it raises.
        """
        owner = "ParamGroups.load_state_dict"
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"{owner}: expected a dict, got {type(state_dict).__name__}")
        if set(state_dict) != {"groups", "lr", "step"}:
            raise ValueError(f"{owner}: expected keys groups, lr, step; got {listing(state_dict)}")
        lr = non_negative(owner, "lr", state_dict["lr"])
        step = state_dict["step"]
        if isinstance(step, bool) or not isinstance(step, numbers.Integral) or step < 0:
            raise ValueError(f"{owner}: step must be an integer >= 0, got {step!r}")
        saved = state_dict["groups"]
        if not isinstance(saved, Mapping) or set(saved) != set(self.groups):
            got = listing(saved) if isinstance(saved, Mapping) else type(saved).__name__
            raise ValueError(f"{owner}: groups must be {listing(self.groups)}; got {got}")
        for name, optimizer in self.groups.items():
            trial = copy.deepcopy(optimizer)  # checks this group's part without touching it
            try:
                trial.load_state_dict(saved[name])
            except (TypeError, ValueError) as error:
                raise type(error)(f"{owner}: group {name!r}: {error}") from error
        for name, optimizer in self.groups.items():
            optimizer.load_state_dict(saved[name])
        self.lr = lr
        self.t = int(step)

    def __repr__(self) -> str:
        groups = ", ".join(f"{name!r}: {opt!r}" for name, opt in self.groups.items())
        rule = self.rule if isinstance(self.rule, Mapping) else self.rule.__name__
        return f"ParamGroups({{{groups}}}, rule={rule}, lr={self.lr!r})"


def by_ndim(matrices: Optimizer, others: Optimizer) -> ParamGroups:
    """2-D parameters (weight matrices) to ``matrices``, all others (biases) to ``others``.

    The split Muon needs: ``by_ndim(matrices=Muon(...), others=AdamW(...))``. The
    groups are named ``"matrices"`` and ``"others"``.

    >>> import numpy as np
    >>> from descent import SGD
    >>> opt = by_ndim(matrices=SGD(lr=0.1), others=SGD(lr=0.01))
    >>> opt.group_of("W1", np.zeros((4, 3))), opt.group_of("b1", np.zeros(3))
    ('matrices', 'others')
    """
    return ParamGroups({"matrices": matrices, "others": others}, rule=ndim_rule)


def ndim_rule(key: str, param: np.ndarray) -> str:
    """The rule of :func:`by_ndim`: ``"matrices"`` for a 2-D ``param``, else ``"others"``."""
    return "matrices" if np.ndim(param) == 2 else "others"
