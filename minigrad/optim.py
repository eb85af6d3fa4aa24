"""Optimizers: ``SGD`` (the seed's story: zero the gradients, backward, step), ``Adam`` and
``RMSprop`` (the optimizer of PyTorch's "Learning PyTorch with examples").

As in PyTorch, an optimizer holds ``param_groups``: a list of dicts, each with its ``'params'``
and its own settings (``'lr'``, ...), filled in from the optimizer's ``defaults``. ``step()``
reads the settings from the groups every time, so ``opt.param_groups[0]['lr'] = 0.01`` changes
the next step (that is how learning-rate schedules work). ``state[p]`` keeps what an optimizer
remembers about parameter ``p`` between steps (momentum buffers, Adam's averages).
"""

import math
from collections import defaultdict

import numpy as np

from .autograd.grad_mode import no_grad
from .tensor import Tensor


class Optimizer:
    """Base class: parameter groups, ``zero_grad``, ``add_param_group``, ``state_dict``."""

    def __init__(self, params, defaults):
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of "
                f"Tensors or dicts, but got torch.{params.type().split('.')[-1]}"
            )
        self.defaults = defaults
        self.state = defaultdict(dict)
        self.param_groups = []
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group):
        """Add a dict ``{'params': [...], 'lr': ...}``; settings left out come from ``defaults``."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, "
                "but the ordering of tensors in sets will change between runs. Please "
                "use a list instead."
            )
        params = list(params)
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(
                    f"optimizer can only optimize Tensors, but one of the params is "
                    f"{type(p).__name__}"
                )
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        taken = {id(p) for group in self.param_groups for p in group["params"]}
        if any(id(p) in taken for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        group = {"params": params}
        group.update((k, v) for k, v in param_group.items() if k != "params")
        for name, default in self.defaults.items():
            group.setdefault(name, default)
        self.param_groups.append(group)

    def zero_grad(self, set_to_none=True):
        for group in self.param_groups:
            for p in group["params"]:
                if set_to_none:
                    p.grad = None
                elif p._grad is not None:
                    p._grad.zero_()

    def state_dict(self):
        """``{'state': {index: ...}, 'param_groups': [...]}``, parameters named by their index."""
        index, groups, n = {}, [], 0
        for group in self.param_groups:
            numbered = list(range(n, n + len(group["params"])))
            index.update((id(p), i) for p, i in zip(group["params"], numbered))
            n += len(numbered)
            settings = {k: v for k, v in group.items() if k != "params"}
            groups.append({**settings, "params": numbered})
        state = {index[id(p)]: dict(s) for p, s in self.state.items() if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        groups = state_dict["param_groups"]
        if len(groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(own["params"]) for g, own in zip(groups, self.param_groups)):
            raise ValueError(
                "loaded state dict contains a parameter group that doesn't match the "
                "size of optimizer's group"
            )
        self.state = defaultdict(dict)
        for saved, own in zip(groups, self.param_groups):
            for i, p in zip(saved["params"], own["params"]):
                if i in state_dict["state"]:
                    self.state[p] = {
                        k: v.clone() if isinstance(v, Tensor) else v
                        for k, v in state_dict["state"][i].items()
                    }
            own.update((k, v) for k, v in saved.items() if k != "params")

    def __repr__(self):
        text = type(self).__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}"
            for key in sorted(k for k in group if k != "params"):
                text += f"\n    {key}: {group[key]}"
            if i + 1 < len(self.param_groups):
                text += "\n"
        return text + "\n)"

    @staticmethod
    def _gradients(group):
        """(parameter, its gradient as an array) for each parameter of ``group`` that has one."""
        for p in group["params"]:
            if p._grad is not None:
                g = p._grad._array
                yield p, (-g if group["maximize"] else g)

    @staticmethod
    def _changed(p):
        p._version_counter[0] += 1


def _check(value, message):
    if not value:
        raise ValueError(message)


class SGD(Optimizer):
    """p ← p - lr · (grad + weight_decay·p), with optional momentum (PyTorch's update rule):
    buf ← momentum·buf + (1 - dampening)·g, then g = buf (or g + momentum·buf with nesterov)."""

    def __init__(
        self,
        params,
        lr=1e-3,
        momentum=0,
        dampening=0,
        weight_decay=0,
        nesterov=False,
        maximize=False,
        foreach=None,
        differentiable=False,
        fused=None,
    ):
        _check(lr >= 0, f"Invalid learning rate: {lr}")
        _check(momentum >= 0, f"Invalid momentum value: {momentum}")
        _check(weight_decay >= 0, f"Invalid weight_decay value: {weight_decay}")
        _check(
            not nesterov or (momentum > 0 and dampening == 0),
            "Nesterov momentum requires a momentum and zero dampening",
        )
        # foreach, differentiable and fused only complete PyTorch's parameter group: one way here
        super().__init__(
            params,
            dict(
                lr=lr,
                momentum=momentum,
                dampening=dampening,
                weight_decay=weight_decay,
                nesterov=nesterov,
                maximize=maximize,
                foreach=foreach,
                differentiable=differentiable,
                fused=fused,
            ),
        )

    @no_grad()
    def step(self, closure=None):
        loss = _run_closure(closure)
        for group in self.param_groups:
            lr, momentum, weight_decay = group["lr"], group["momentum"], group["weight_decay"]
            for p, g in self._gradients(group):
                if weight_decay:
                    g = g + weight_decay * p._array
                if momentum:
                    state = self.state[p]
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        buf = state["momentum_buffer"] = Tensor._make(g.copy(), False, None)
                    else:
                        buf._array *= momentum
                        buf._array += (1 - group["dampening"]) * g
                    g = g + momentum * buf._array if group["nesterov"] else buf._array
                p._array -= lr * g
                self._changed(p)
        return loss


class Adam(Optimizer):
    """Adam (PyTorch's update rule), per parameter, with g the gradient (+ weight_decay·p):
    m ← β₁·m + (1-β₁)·g,  v ← β₂·v + (1-β₂)·g²,  after t steps
    p ← p - lr/(1-β₁ᵗ) · m / (√v/√(1-β₂ᵗ) + eps)  (amsgrad: the largest v so far instead of v).
    ``decoupled_weight_decay=True`` (AdamW) shrinks p by lr·weight_decay instead of adding to g."""

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0,
        amsgrad=False,
        *,
        foreach=None,
        maximize=False,
        capturable=False,
        differentiable=False,
        fused=None,
        decoupled_weight_decay=False,
    ):
        _check(lr >= 0, f"Invalid learning rate: {lr}")
        _check(eps >= 0, f"Invalid epsilon value: {eps}")
        _check(0 <= betas[0] < 1, f"Invalid beta parameter at index 0: {betas[0]}")
        _check(0 <= betas[1] < 1, f"Invalid beta parameter at index 1: {betas[1]}")
        _check(weight_decay >= 0, f"Invalid weight_decay value: {weight_decay}")
        super().__init__(
            params,
            dict(
                lr=lr,
                betas=betas,
                eps=eps,
                weight_decay=weight_decay,
                amsgrad=amsgrad,
                maximize=maximize,
                foreach=foreach,
                capturable=capturable,
                differentiable=differentiable,
                fused=fused,
                decoupled_weight_decay=decoupled_weight_decay,
            ),
        )

    @no_grad()
    def step(self, closure=None):
        loss = _run_closure(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
            weight_decay = group["weight_decay"]
            for p, g in self._gradients(group):
                state = self.state[p]
                if not state:
                    state["step"] = Tensor._make(np.array(0.0, np.float32), False, None)
                    state["exp_avg"] = Tensor._make(np.zeros_like(p._array), False, None)
                    state["exp_avg_sq"] = Tensor._make(np.zeros_like(p._array), False, None)
                    if group["amsgrad"]:
                        state["max_exp_avg_sq"] = Tensor._make(np.zeros_like(p._array), False, None)
                if weight_decay and group["decoupled_weight_decay"]:
                    p._array *= 1 - lr * weight_decay
                elif weight_decay:
                    g = g + weight_decay * p._array
                m, v = state["exp_avg"]._array, state["exp_avg_sq"]._array
                state["step"]._array += 1
                t = state["step"].item()
                m += (1 - beta1) * (g - m)  # PyTorch's lerp
                v *= beta2
                v += (1 - beta2) * g * g
                if group["amsgrad"]:
                    np.maximum(
                        state["max_exp_avg_sq"]._array, v, out=state["max_exp_avg_sq"]._array
                    )
                    v = state["max_exp_avg_sq"]._array
                denom = np.sqrt(v) / math.sqrt(1 - beta2**t) + eps
                p._array -= (lr / (1 - beta1**t)) * (m / denom)
                self._changed(p)
        return loss


class AdamW(Adam):
    """Adam with decoupled weight decay (p shrinks by lr·weight_decay each step), as PyTorch's
    AdamW: Adam(decoupled_weight_decay=True) with weight_decay 0.01 by default."""

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=1e-2,
        amsgrad=False,
        *,
        maximize=False,
        foreach=None,
        capturable=False,
        differentiable=False,
        fused=None,
    ):
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            foreach=foreach,
            maximize=maximize,
            capturable=capturable,
            differentiable=differentiable,
            fused=fused,
            decoupled_weight_decay=True,
        )


class RMSprop(Optimizer):
    """RMSprop (PyTorch's update rule), per parameter, with g the gradient (+ weight_decay·p):
    s ← α·s + (1-α)·g², then p ← p - lr · g / (√s + eps). ``centered=True`` subtracts the
    squared running mean of g under the root; ``momentum`` keeps buf ← momentum·buf + g/(√s + eps)
    and steps p ← p - lr·buf."""

    def __init__(
        self,
        params,
        lr=1e-2,
        alpha=0.99,
        eps=1e-8,
        weight_decay=0,
        momentum=0,
        centered=False,
        capturable=False,
        foreach=None,
        maximize=False,
        differentiable=False,
    ):
        _check(lr >= 0, f"Invalid learning rate: {lr}")
        _check(eps >= 0, f"Invalid epsilon value: {eps}")
        _check(momentum >= 0, f"Invalid momentum value: {momentum}")
        _check(weight_decay >= 0, f"Invalid weight_decay value: {weight_decay}")
        _check(alpha >= 0, f"Invalid alpha value: {alpha}")
        super().__init__(
            params,
            dict(
                lr=lr,
                momentum=momentum,
                alpha=alpha,
                eps=eps,
                centered=centered,
                weight_decay=weight_decay,
                capturable=capturable,
                foreach=foreach,
                maximize=maximize,
                differentiable=differentiable,
            ),
        )

    @no_grad()
    def step(self, closure=None):
        loss = _run_closure(closure)
        for group in self.param_groups:
            lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
            momentum, weight_decay = group["momentum"], group["weight_decay"]
            for p, g in self._gradients(group):
                state = self.state[p]
                if not state:
                    state["step"] = Tensor._make(np.array(0.0, np.float32), False, None)
                    state["square_avg"] = Tensor._make(np.zeros_like(p._array), False, None)
                    if momentum > 0:
                        state["momentum_buffer"] = Tensor._make(
                            np.zeros_like(p._array), False, None
                        )
                    if group["centered"]:
                        state["grad_avg"] = Tensor._make(np.zeros_like(p._array), False, None)
                state["step"]._array += 1
                if weight_decay:
                    g = g + weight_decay * p._array
                square_avg = state["square_avg"]._array
                square_avg *= alpha
                square_avg += (1 - alpha) * g * g
                if group["centered"]:
                    grad_avg = state["grad_avg"]._array
                    grad_avg += (1 - alpha) * (g - grad_avg)  # PyTorch's lerp
                    avg = np.sqrt(square_avg - grad_avg * grad_avg)
                else:
                    avg = np.sqrt(square_avg)
                avg += eps
                if momentum > 0:
                    buf = state["momentum_buffer"]._array
                    buf *= momentum
                    buf += g / avg
                    p._array += -lr * buf
                else:
                    p._array += -lr * (g / avg)
                self._changed(p)
        return loss


def _run_closure(closure):
    """``step(closure)``: re-evaluate the loss (with grad on) before stepping, as PyTorch does."""
    if closure is None:
        return None
    from .autograd.grad_mode import enable_grad

    with enable_grad():
        return closure()
