"""``SGD``: the optimizer that closes the seed's story (zero the gradients, backward, step)."""
from .autograd.grad_mode import no_grad


class SGD:
    """p ← p - lr · (grad + weight_decay·p), with optional momentum (PyTorch's update rule):
    buf ← momentum·buf + (1 - dampening)·g, then g = buf (or g + momentum·buf with nesterov)."""

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False,
                 maximize=False):
        if lr < 0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        self.params = list(params)
        if not self.params:
            raise ValueError("optimizer got an empty parameter list")
        # the last three only complete PyTorch's printed parameter group (minigrad has one way)
        self.defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                             weight_decay=weight_decay, nesterov=nesterov, maximize=maximize,
                             differentiable=False, foreach=None, fused=None)
        self.lr, self.momentum, self.dampening = lr, momentum, dampening
        self.weight_decay, self.nesterov, self.maximize = weight_decay, nesterov, maximize
        self.state = {}  # id(param) -> momentum buffer (a numpy array)

    def zero_grad(self, set_to_none=True):
        for p in self.params:
            if set_to_none:
                p.grad = None
            elif p.grad is not None:
                p.grad.zero_()

    @no_grad()
    def step(self):
        for p in self.params:
            if p.grad is None:
                continue
            g = p.grad._array
            if self.maximize:
                g = -g
            if self.weight_decay:
                g = g + self.weight_decay * p._array
            if self.momentum:
                buf = self.state.get(id(p))
                if buf is None:
                    buf = self.state[id(p)] = g.copy()
                else:
                    buf *= self.momentum
                    buf += (1 - self.dampening) * g
                g = g + self.momentum * buf if self.nesterov else buf
            p._array -= self.lr * g
            p._version_counter[0] += 1

    def __repr__(self):
        lines = [f"    {k}: {self.defaults[k]}" for k in sorted(self.defaults)]
        return "SGD (\nParameter Group 0\n" + "\n".join(lines) + "\n)"
