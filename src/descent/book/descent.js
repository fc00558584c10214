// descent.js: the optimizers and test functions of the Python package `descent`, ported
// to JavaScript so that the book's explorers compute runs in the page, with no kernel.
//
// Read it next to src/descent/optimizers.py. Each _step(theta, g, state) is the Python
// method of the same name, line for line, written for one coordinate i at a time: NumPy's
// element-wise `v *= self.momentum` becomes `v[i] *= this.momentum`. Numbers are float64
// in both languages and the operations come in the same order, so the results agree to
// the last digit or so; tests/site/test_descent_js.py checks run() against
// descent.lab.runs.run over hundreds of random settings.
(function (root) {
  "use strict";
  if (root.DescentMath) return;

  // --- descent/base.py: state created on first use, the step counter t -------------------
  class Optimizer {
    constructor(settings) {
      for (const name of this.constructor.hyperparameters) {
        if (settings[name] === undefined) throw new Error(`${this.constructor.name}: no ${name}`);
        this[name] = settings[name];
      }
      this.t = 0;
      this.state = null;
    }

    get stateNames() {
      return [];
    }

    update(theta, g) {
      this.t += 1;
      if (this.state === null) {
        this.state = {};
        for (const name of this.stateNames) this.state[name] = new Float64Array(theta.length);
      }
      this._step(theta, g, this.state);
    }
  }

  // --- descent/optimizers.py -------------------------------------------------------------
  class SGD extends Optimizer {
    static hyperparameters = ["lr"];

    _step(theta, g, state) {
      for (let i = 0; i < theta.length; i++) {
        theta[i] -= this.lr * g[i];
      }
    }
  }

  class Momentum extends Optimizer {
    static hyperparameters = ["lr", "momentum"];

    get stateNames() {
      return ["v"];
    }

    _step(theta, g, state) {
      const v = state.v;
      for (let i = 0; i < theta.length; i++) {
        v[i] *= this.momentum;
        v[i] -= this.lr * g[i];
        theta[i] += v[i];
      }
    }
  }

  class Nesterov extends Momentum {
    _step(theta, g, state) {
      const v = state.v;
      for (let i = 0; i < theta.length; i++) {
        v[i] *= this.momentum;
        v[i] -= this.lr * g[i];
        theta[i] += this.momentum * v[i] - this.lr * g[i];
      }
    }
  }

  class AdaGrad extends Optimizer {
    static hyperparameters = ["lr", "eps"];

    get stateNames() {
      return ["h"];
    }

    _step(theta, g, state) {
      const h = state.h;
      for (let i = 0; i < theta.length; i++) {
        h[i] += g[i] * g[i];
        theta[i] -= this.lr * g[i] / (Math.sqrt(h[i]) + this.eps);
      }
    }
  }

  class RMSProp extends Optimizer {
    static hyperparameters = ["lr", "rho", "eps"];

    get stateNames() {
      return ["h"];
    }

    _step(theta, g, state) {
      const h = state.h;
      for (let i = 0; i < theta.length; i++) {
        h[i] *= this.rho;
        h[i] += (1 - this.rho) * g[i] * g[i];
        theta[i] -= this.lr * g[i] / (Math.sqrt(h[i]) + this.eps);
      }
    }
  }

  class Adam extends Optimizer {
    static hyperparameters = ["lr", "beta1", "beta2", "eps", "amsgrad"];

    get stateNames() {
      return this.amsgrad ? ["m", "v", "v_max"] : ["m", "v"];
    }

    _step(theta, g, state) {
      const m = state.m;
      const v = state.v;
      for (let i = 0; i < theta.length; i++) {
        m[i] *= this.beta1;
        m[i] += (1 - this.beta1) * g[i];
        v[i] *= this.beta2;
        v[i] += (1 - this.beta2) * g[i] * g[i];
        const m_hat = m[i] / (1 - this.beta1 ** this.t);
        let v_hat;
        if (this.amsgrad) {
          const v_max = state.v_max;
          v_max[i] = Math.max(v_max[i], v[i]);
          v_hat = v_max[i] / (1 - this.beta2 ** this.t);
        } else {
          v_hat = v[i] / (1 - this.beta2 ** this.t);
        }
        theta[i] -= this.lr * m_hat / (Math.sqrt(v_hat) + this.eps);
      }
    }
  }

  class AdamW extends Adam {
    static hyperparameters = [...Adam.hyperparameters, "weight_decay"];

    _step(theta, g, state) {
      for (let i = 0; i < theta.length; i++) {
        theta[i] *= 1 - this.lr * this.weight_decay;
      }
      super._step(theta, g, state);
    }
  }

  class Lion extends Optimizer {
    static hyperparameters = ["lr", "beta1", "beta2", "weight_decay"];

    get stateNames() {
      return ["m"];
    }

    _step(theta, g, state) {
      const m = state.m;
      for (let i = 0; i < theta.length; i++) {
        const c = this.beta1 * m[i] + (1 - this.beta1) * g[i];
        theta[i] *= 1 - this.lr * this.weight_decay;
        theta[i] -= this.lr * Math.sign(c);
        m[i] *= this.beta2;
        m[i] += (1 - this.beta2) * g[i];
      }
    }
  }

  class ScheduleFreeAdamW extends Optimizer {
    static hyperparameters = ["lr", "beta1", "beta2", "eps", "weight_decay", "warmup_steps", "r",
                              "weight_lr_power"];

    get stateNames() {
      return ["z", "v", "weight_sum", "lr_max"];
    }

    _step(theta, g, state) {
      const [y, z, v] = [theta, state.z, state.v];
      const [weight_sum, lr_max] = [state.weight_sum, state.lr_max];
      const t = this.t;
      const gamma = this.warmup_steps ? this.lr * Math.min(1, t / this.warmup_steps) : this.lr;
      for (let i = 0; i < theta.length; i++) {
        if (t === 1) z[i] = y[i]; // z_0 = x_0 = y_0 = θ_0
        lr_max[i] = Math.max(lr_max[i], gamma);
        const w = t ** this.r * lr_max[i] ** this.weight_lr_power;
        weight_sum[i] += w;
        const c = weight_sum[i] > 0 ? w / weight_sum[i] : 0;
        v[i] *= this.beta2;
        v[i] += (1 - this.beta2) * g[i] * g[i];
        const g_hat = g[i] / (Math.sqrt(v[i] / (1 - this.beta2 ** t)) + this.eps) + this.weight_decay * y[i];
        y[i] += c * (z[i] - y[i]);
        y[i] += gamma * (this.beta1 * (1 - c) - 1) * g_hat;
        z[i] -= gamma * g_hat;
      }
    }
  }

  // --- descent/lab/objectives.py ---------------------------------------------------------
  // value(theta) and gradient(theta) at one point, theta an array of coordinates.
  class Quadratic {
    constructor({ hessian }) {
      this.hessian = hessian;
    }

    value(theta) {
      // 0.5 * θᵀHθ, summed row by row as NumPy's einsum sums it
      const H = this.hessian;
      let total = 0;
      for (let i = 0; i < theta.length; i++) {
        let row = theta[i] * H[i][0] * theta[0];
        for (let j = 1; j < theta.length; j++) row += theta[i] * H[i][j] * theta[j];
        total += row;
      }
      return 0.5 * total;
    }

    gradient(theta) {
      // Hθ
      const H = this.hessian;
      return H.map((row) => {
        let sum = row[0] * theta[0];
        for (let j = 1; j < theta.length; j++) sum += row[j] * theta[j];
        return sum;
      });
    }
  }

  // Powers are products (x * x, not x ** 2), as in objectives.py: JavaScript's ** and
  // NumPy's scalar ** call different pow functions, which may round differently.
  class Rosenbrock {
    constructor({ a, b }) {
      this.a = a;
      this.b = b;
    }

    value([x, y]) {
      const offValley = y - x * x;
      return (this.a - x) * (this.a - x) + this.b * offValley * offValley;
    }

    gradient([x, y]) {
      const offValley = y - x * x;
      const dx = -2 * (this.a - x) - 4 * this.b * x * offValley;
      const dy = 2 * this.b * offValley;
      return [dx, dy];
    }
  }

  class Beale {
    static c = [1.5, 2.25, 2.625];

    value([x, y]) {
      let sum = 0;
      Beale.c.forEach((c, index) => {
        const r = c - x + x * y ** (index + 1);
        sum += r * r;
      });
      return sum;
    }

    gradient([x, y]) {
      let dx = 0;
      let dy = 0;
      Beale.c.forEach((c, index) => {
        const k = index + 1;
        const r = c - x + x * y ** k;
        dx += 2 * r * (y ** k - 1);
        dy += 2 * r * k * x * y ** (k - 1);
      });
      return [dx, dy];
    }
  }

  class Saddle {
    value([x, y]) {
      return (x * x) / 2 + (y * y) * (y * y) / 4 - (y * y) / 2;
    }

    gradient([x, y]) {
      return [x, y * y * y - y];
    }
  }

  const objectives = { Quadratic, Rosenbrock, Beale, Saddle };
  const optimizers = { SGD, Momentum, Nesterov, AdaGrad, RMSProp, Adam, AdamW, Lion, ScheduleFreeAdamW };

  /** An objective from its description, e.g. {kind: "Quadratic", hessian: [[0.1, 0], [0, 2]]}. */
  function objective(description) {
    return new objectives[description.kind](description);
  }

  /** A fresh optimizer, e.g. optimizer("Adam", {lr: 0.3, beta1: 0.9, ...}). */
  function optimizer(name, settings) {
    return new optimizers[name](settings);
  }

  // --- descent/lab/runs.py: run ----------------------------------------------------------
  /**
   * Take nSteps steps of `opt` on `f` from `start`, as descent.lab.runs.run does:
   * points[k] after k steps, losses[k] there. The run stops, marked diverged, before an
   * update whose gradient is not finite, and after one whose loss is not finite or
   * exceeds the threshold in size (that point is not recorded).
   */
  function run(opt, f, start, nSteps, divergenceThreshold = 1e12) {
    const theta = Float64Array.from(start);
    const points = [Array.from(theta)];
    const losses = [f.value(theta)];
    let diverged = false;
    for (let t = 1; t <= nSteps; t++) {
      const gradient = f.gradient(theta);
      if (!gradient.every(Number.isFinite)) {
        diverged = true;
        break;
      }
      opt.update(theta, gradient);
      const loss = f.value(theta);
      if (!Number.isFinite(loss) || Math.abs(loss) > divergenceThreshold) {
        diverged = true;
        break;
      }
      points.push(Array.from(theta));
      losses.push(loss);
    }
    return { points, losses, diverged };
  }

  /** run() from plain data: {optimizer, settings, objective, start, n_steps}. */
  function runSetting(setting) {
    return run(
      optimizer(setting.optimizer, setting.settings),
      objective(setting.objective),
      setting.start,
      setting.n_steps,
    );
  }

  root.DescentMath = { optimizers, objectives, optimizer, objective, run, runSetting };
})(window);
