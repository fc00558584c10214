// Descent explorer: draws trajectories that descent computed when the page was built.
// Every <div class="descent-explorer"> holds its data as JSON (see explorer.py); this
// script turns it into labelled controls and two SVG plots. Moving a control only looks
// up a precomputed run: nothing is computed here, and nothing is fetched.
(function () {
  "use strict";
  if (!window.DescentExplorer) {
    window.DescentExplorer = (function () {
      const SVG = "http://www.w3.org/2000/svg";
      const PLOT = { left: 52, top: 14, maxWidth: 450, maxHeight: 300 };
      const LOSS = { left: 52, top: 10, width: 450, height: 120 };
      let instances = 0;

      const CSS = `
        .descent-explorer { border: 1px solid #c8c8c8; border-radius: 6px; padding: .7rem; text-align: left;
          margin: 1rem 0; background: #fff; color: #1f2933; }
        .dx-title { font-weight: 600; margin: 0 0 .4rem; }
        .dx-plots svg { display: block; width: 100%; max-width: 540px; height: auto; }
        .dx-controls { display: grid; grid-template-columns: max-content minmax(8rem, 1fr) 5.5em;
          gap: .35rem .7rem; align-items: center; margin-top: .5rem; font-size: .92rem; }
        .dx-controls output { font-variant-numeric: tabular-nums; }
        .dx-buttons { display: flex; gap: .5rem; margin-top: .5rem; }
        .dx-buttons button { padding: .15rem .8rem; border: 1px solid #555; border-radius: 4px;
          background: #f4f4f4; color: #1f2933; cursor: pointer; }
        .dx-legend { display: flex; flex-wrap: wrap; gap: .2rem 1rem; list-style: none;
          padding: 0; margin: .3rem 0; font-size: .9rem; }
        .dx-legend li::before { content: ""; display: inline-block; width: 1.4em; height: 0;
          border-top: 3px solid var(--dx-colour); margin-right: .35em; vertical-align: middle; }
        .dx-legend li.dx-dashed::before { border-top-style: dashed; }
        .dx-status { font-size: .9rem; margin: .4rem 0 0; }
        @media print { .dx-controls, .dx-buttons { display: none; } }`;

      function svg(tag, attributes, parent) {
        const node = document.createElementNS(SVG, tag);
        for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
        if (parent) parent.appendChild(node);
        return node;
      }

      function html(tag, attributes, parent, text) {
        const node = document.createElement(tag);
        for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
        if (text !== undefined) node.textContent = text;
        if (parent) parent.appendChild(node);
        return node;
      }

      function number(value) {
        const size = Math.abs(value);
        if (value === 0) return "0";
        if (size >= 1e4 || size < 1e-3) return value.toExponential(2);
        return String(Number(value.toPrecision(3)));
      }

      function ticks(low, high, count) {
        const step = Math.pow(10, Math.floor(Math.log10((high - low) / count)));
        const nice = [1, 2, 5, 10].map((f) => f * step).find((s) => (high - low) / s <= count);
        const first = Math.ceil(low / nice) * nice;
        const result = [];
        for (let t = first; t <= high + 1e-9 * nice; t += nice) result.push(Number(t.toPrecision(6)));
        return result;
      }

      function addStyle() {
        if (document.getElementById("descent-explorer-style")) return;
        const style = html("style", { id: "descent-explorer-style" }, document.head);
        style.textContent = CSS;
      }

      function mount(root) {
        if (root.dataset.mounted) return;
        root.dataset.mounted = "true";
        addStyle();
        const spec = JSON.parse(root.querySelector('script[type="application/json"]').textContent);
        const id = `descent-explorer-${++instances}`;
        const state = {
          surface: 0,
          indices: spec.sliders.map((slider) => slider.initial),
          shown: spec.steps,
          timer: null,
        };

        html("p", { class: "dx-title", id: `${id}-heading` }, root, spec.title);
        const legend = html("ul", { class: "dx-legend", "aria-label": "optimizers" }, root);
        for (const contender of spec.contenders) {
          const item = html("li", { style: `--dx-colour: ${contender.color}` }, legend, contender.name);
          if (contender.dashed) item.classList.add("dx-dashed");
        }

        const plots = html("div", { class: "dx-plots" }, root);
        const paths = svg("svg", { role: "img", "aria-labelledby": `${id}-title ${id}-desc`,
                                   class: "dx-paths" }, plots);
        const title = svg("title", { id: `${id}-title` }, paths);
        title.textContent = `${spec.title}: paths over the contour lines`;
        const description = svg("desc", { id: `${id}-desc` }, paths);
        const losses = svg("svg", { viewBox: `0 0 520 ${LOSS.top + LOSS.height + 34}`, role: "img",
                                    "aria-label": `${spec.title}: loss against step, log scale`,
                                    class: "dx-losses" }, plots);

        const controls = html("div", { class: "dx-controls" }, root);
        if (spec.surfaces.length > 1) {
          html("label", { for: `${id}-surface` }, controls, "surface");
          const select = html("select", { id: `${id}-surface` }, controls);
          spec.surfaces.forEach((surface, index) =>
            html("option", { value: String(index) }, select, surface.label));
          html("span", {}, controls);
          select.addEventListener("change", () => { state.surface = Number(select.value); draw(); });
        }
        const outputs = spec.sliders.map((slider, index) => {
          const inputId = `${id}-${slider.name}`;
          html("label", { for: inputId }, controls, slider.label);
          const input = html("input", { type: "range", id: inputId, min: "0",
                                        max: String(slider.values.length - 1), step: "1",
                                        value: String(slider.initial),
                                        "data-slider": slider.name }, controls);
          const output = html("output", { for: inputId }, controls);
          input.addEventListener("input", () => { state.indices[index] = Number(input.value); draw(); });
          return [input, output, slider];
        });
        html("label", { for: `${id}-steps` }, controls, "steps shown");
        const steps = html("input", { type: "range", id: `${id}-steps`, min: "1",
                                      max: String(spec.steps), step: "1", value: String(spec.steps),
                                      "data-slider": "steps" }, controls);
        const stepsOutput = html("output", { for: `${id}-steps` }, controls);
        steps.addEventListener("input", () => { state.shown = Number(steps.value); draw(); });

        if (spec.animate) {
          const buttons = html("div", { class: "dx-buttons" }, root);
          const play = html("button", { type: "button", "aria-pressed": "false" }, buttons, "Play");
          const step = html("button", { type: "button" }, buttons, "Step");
          const stop = () => {
            clearInterval(state.timer);
            state.timer = null;
            play.textContent = "Play";
            play.setAttribute("aria-pressed", "false");
          };
          const advance = () => {
            if (state.shown >= spec.steps) { stop(); return; }
            state.shown += 1;
            steps.value = String(state.shown);
            draw();
          };
          play.addEventListener("click", () => {
            if (state.timer) { stop(); return; }
            if (state.shown >= spec.steps) { state.shown = 0; }
            play.textContent = "Pause";
            play.setAttribute("aria-pressed", "true");
            state.timer = setInterval(advance, 160);
          });
          step.addEventListener("click", () => {
            stop();
            if (state.shown >= spec.steps) { state.shown = 0; }
            advance();
          });
        }
        const status = html("p", { class: "dx-status", "aria-live": "polite" }, root);

        function scaledValue(slider, index) {
          const value = slider.values[index];
          return slider.scales ? `× ${number(value)}` : number(value);
        }

        function draw() {
          const surface = spec.surfaces[state.surface];
          const key = state.indices.join(",");
          const runs = surface.runs[key];
          for (const [input, output, slider] of outputs) {
            const text = scaledValue(slider, Number(input.value));
            output.textContent = text;
            input.setAttribute("aria-valuetext", text);
          }
          const stepsText = `${state.shown} step${state.shown === 1 ? "" : "s"}`;
          stepsOutput.textContent = String(state.shown);
          steps.setAttribute("aria-valuetext", stepsText);
          drawPaths(surface, runs);
          drawLosses(surface, runs);
          const summary = spec.contenders.map((contender) => {
            const run = runs[contender.name];
            const last = Math.min(state.shown, run.x.length - 1);
            const where = `(${number(run.x[last])}, ${number(run.y[last])}), loss ${number(run.loss[last])}`;
            const fate = run.diverged && state.shown >= run.x.length - 1
              ? ` — diverged: the run stopped at step ${run.x.length - 1}` : "";
            return `${contender.name} at ${where}${fate}`;
          });
          const settings = outputs.map(([input, , slider]) =>
            `${slider.label} ${scaledValue(slider, Number(input.value))}`).join(", ");
          const text = `On ${surface.label}, with ${settings}, after ${stepsText}: ${summary.join("; ")}.`;
          status.textContent = text;
          description.textContent = text;
        }

        function drawPaths(surface, runs) {
          const [x0, x1] = surface.xlim;
          const [y0, y1] = surface.ylim;
          const scale = Math.min(PLOT.maxWidth / (x1 - x0), PLOT.maxHeight / (y1 - y0));
          const box = { left: PLOT.left, top: PLOT.top, width: (x1 - x0) * scale, height: (y1 - y0) * scale };
          const px = (x) => box.left + (x - x0) * scale;
          const py = (y) => box.top + (y1 - y) * scale;
          paths.replaceChildren(title, description);
          paths.setAttribute("viewBox", `0 0 ${box.left + box.width + 12} ${box.top + box.height + 36}`);
          paths.setAttribute("data-xlim", `${x0},${x1}`);
          paths.setAttribute("data-ylim", `${y0},${y1}`);
          paths.setAttribute("data-box", `${box.left},${box.top},${box.width},${box.height}`);
          svg("rect", { x: box.left, y: box.top, width: box.width, height: box.height,
                        fill: "#fff", stroke: "#888" }, paths);
          const clip = svg("clipPath", { id: `${id}-clip` }, paths);
          svg("rect", { x: box.left, y: box.top, width: box.width, height: box.height }, clip);
          const inside = svg("g", { "clip-path": `url(#${id}-clip)` }, paths);
          for (const line of surface.contours) {
            svg("polyline", { points: line.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(" "),
                              fill: "none", stroke: "#b5b5b5", "stroke-width": "0.8" }, inside);
          }
          for (const [mx, my] of surface.minimizers) {
            const star = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((k) => {
              const radius = k % 2 ? 3 : 7.5;
              const angle = Math.PI / 2 + (k * Math.PI) / 5;
              return `${(px(mx) + radius * Math.cos(angle)).toFixed(1)},${(py(my) - radius * Math.sin(angle)).toFixed(1)}`;
            });
            svg("polygon", { points: star.join(" "), fill: "#F0E442", stroke: "#000", "stroke-width": "0.8" }, inside);
          }
          for (const contender of spec.contenders) {
            const run = runs[contender.name];
            const last = Math.min(state.shown, run.x.length - 1);
            const points = [];
            for (let k = 0; k <= last; k++) points.push(`${px(run.x[k]).toFixed(2)},${py(run.y[k]).toFixed(2)}`);
            svg("polyline", { points: points.join(" "), fill: "none", stroke: contender.color,
                              "stroke-width": "1.8", "stroke-dasharray": contender.dashed ? "5 3" : "none",
                              class: "dx-path", "data-optimizer": contender.name }, inside);
            const dots = svg("g", { fill: contender.color }, inside);
            for (const point of points) {
              const [cx, cy] = point.split(",");
              svg("circle", { cx, cy, r: "2.2" }, dots);
            }
          }
          svg("circle", { cx: px(surface.start[0]), cy: py(surface.start[1]), r: "4.5", fill: "#fff",
                          stroke: "#000", "stroke-width": "1.2" }, inside);
          axes(paths, box, [x0, x1], [y0, y1], px, py, "x", "y");
        }

        function drawLosses(surface, runs) {
          // The scale runs over whole decades, labelled every `stride` decades from the top
          // down to the floor, so that both ends carry a label.
          const [lowest, highest] = surface.loss_range.map(Math.log10);
          const high = Math.ceil(highest);
          const stride = Math.max(1, Math.ceil((high - Math.floor(lowest)) / 5));
          const low = high - stride * Math.ceil((high - Math.floor(lowest)) / stride);
          const box = LOSS;
          const px = (k) => box.left + (k / spec.steps) * box.width;
          const py = (loss) => {
            const level = Math.log10(Math.max(loss, Math.pow(10, low)));
            return box.top + ((high - level) / (high - low || 1)) * box.height;
          };
          losses.replaceChildren();
          svg("rect", { x: box.left, y: box.top, width: box.width, height: box.height, fill: "#fff",
                        stroke: "#888" }, losses);
          const clip = svg("clipPath", { id: `${id}-loss-clip` }, losses);
          svg("rect", { x: box.left, y: box.top, width: box.width, height: box.height }, clip);
          const inside = svg("g", { "clip-path": `url(#${id}-loss-clip)` }, losses);
          for (const contender of spec.contenders) {
            const run = runs[contender.name];
            const last = Math.min(state.shown, run.loss.length - 1);
            const points = [];
            for (let k = 0; k <= last; k++) points.push(`${px(k).toFixed(2)},${py(run.loss[k]).toFixed(2)}`);
            svg("polyline", { points: points.join(" "), fill: "none", stroke: contender.color,
                              "stroke-width": "1.6", "stroke-dasharray": contender.dashed ? "5 3" : "none",
                              class: "dx-loss", "data-optimizer": contender.name }, inside);
          }
          // Losses below the scale's floor are drawn on it; the lowest label then says so.
          const clipped = spec.contenders.some((contender) =>
            runs[contender.name].loss.slice(0, state.shown + 1).some((loss) => Math.log10(loss) < low));
          const decades = [];
          for (let d = high; d >= low; d -= stride) decades.push(d);
          axes(losses, box, [0, spec.steps], null, px, null, "step", "loss");
          for (const d of decades) {
            const y = box.top + ((high - d) / (high - low || 1)) * box.height;
            svg("line", { x1: box.left - 4, x2: box.left, y1: y, y2: y, stroke: "#444" }, losses);
            const label = svg("text", { x: box.left - 6, y: y + 3.5, "text-anchor": "end", "font-size": "10",
                                        fill: "#222" }, losses);
            label.textContent = `${clipped && d === low ? "≤ " : ""}1e${d}`;
          }
        }

        function axes(root, box, xrange, yrange, px, py, xlabel, ylabel) {
          for (const t of ticks(xrange[0], xrange[1], 6)) {
            const x = px(t);
            svg("line", { x1: x, x2: x, y1: box.top + box.height, y2: box.top + box.height + 4, stroke: "#444" }, root);
            const label = svg("text", { x, y: box.top + box.height + 15, "text-anchor": "middle",
                                        "font-size": "10", fill: "#222" }, root);
            label.textContent = number(t);
          }
          if (yrange) {
            for (const t of ticks(yrange[0], yrange[1], 5)) {
              const y = py(t);
              svg("line", { x1: box.left - 4, x2: box.left, y1: y, y2: y, stroke: "#444" }, root);
              const label = svg("text", { x: box.left - 6, y: y + 3.5, "text-anchor": "end",
                                          "font-size": "10", fill: "#222" }, root);
              label.textContent = number(t);
            }
          }
          const xl = svg("text", { x: box.left + box.width / 2, y: box.top + box.height + 30,
                                   "text-anchor": "middle", "font-size": "11", fill: "#222" }, root);
          xl.textContent = xlabel;
          const yl = svg("text", { x: 14, y: box.top + box.height / 2, "text-anchor": "middle",
                                   "font-size": "11", fill: "#222",
                                   transform: `rotate(-90 14 ${box.top + box.height / 2})` }, root);
          yl.textContent = ylabel;
        }

        draw();
      }

      function mountAll() {
        document.querySelectorAll(".descent-explorer").forEach(mount);
      }

      return { mount, mountAll };
    })();
  }
  window.DescentExplorer.mountAll();
})();
