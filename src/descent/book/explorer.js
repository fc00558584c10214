// Descent explorers: figures the reader can grab, computed live with descent.js.
// Every <div class="descent-explorer"> holds its settings as JSON (see explorer.py); this
// script turns it into labelled controls and SVG plots, and runs the optimizers of
// window.DescentMath whenever the reader moves something: a slider, the start point
// (drag it, tap the plot, or focus the plot and press the arrow keys), or, in a map, a
// point of the (η, μ) plane. Nothing is fetched. Redraws happen at most once a frame;
// the text summary (aria-live) is rewritten once the reader stops moving.
(function () {
  "use strict";
  if (!window.DescentExplorer) {
    window.DescentExplorer = (function () {
      const SVG = "http://www.w3.org/2000/svg";
      const M = window.DescentMath;
      const MARGIN = { left: 48, right: 12, top: 10, bottom: 38 };
      const SETTLE_MS = 450;
      const GREY = [217, 217, 217]; // a cell whose distance grew
      let instances = 0;

      const CSS = `
.descent-explorer{container-type:inline-size;border:1px solid #c8c8c8;border-radius:6px;padding:.7rem;
 margin:1rem 0;background:#fff;color:#1f2933;text-align:left;line-height:1.4}
.descent-explorer *{box-sizing:border-box}
.dx-title{font-weight:600;margin:0 0 .3rem}
.dx-legend{display:flex;flex-wrap:wrap;gap:.1rem 1rem;list-style:none;padding:0;margin:.2rem 0 .4rem;font-size:.9rem}
.dx-legend li{margin:0;display:flex;align-items:center;gap:.35em}
.dx-plots{display:flex;flex-wrap:wrap;gap:.4rem 1rem}
.dx-panel{flex:1 1 100%;min-width:0;max-width:40rem;position:relative}
.dx-map .dx-panel.dx-half{flex:1 1 17rem}
.dx-panel svg{display:block;width:100%;height:auto;overflow:visible}
.dx-stack{position:relative}
.dx-stack canvas{position:absolute;image-rendering:pixelated;pointer-events:none}
.dx-paths,.dx-overlay{touch-action:pan-y pinch-zoom;cursor:crosshair;-webkit-user-select:none;user-select:none}
.dx-overlay{touch-action:none;position:relative}
.dx-handle{touch-action:none;cursor:grab}
.dx-paths:focus,.dx-overlay:focus{outline:none}
.dx-paths:focus-visible,.dx-overlay:focus-visible{outline:3px solid #0b57d0;outline-offset:2px;border-radius:2px}
.dx-hint{font-size:.82rem;color:#4a5560;margin:.15rem 0 .3rem}
.dx-factors{font-size:.9rem;margin:.3rem 0}
.dx-factors svg{display:block;width:100%;max-width:40rem;height:auto}
.dx-controls{display:grid;gap:.3rem;margin-top:.5rem;font-size:.92rem}
.dx-row{display:grid;grid-template-columns:minmax(7rem,13rem) minmax(6rem,1fr) 9.5em;
 grid-template-areas:"label input out";gap:.1rem .7rem;align-items:center}
.dx-row label{grid-area:label}
.dx-row input,.dx-row select{grid-area:input;width:100%;min-height:1.7rem;margin:0}
.dx-row output{grid-area:out;font-variant-numeric:tabular-nums}
@container (max-width:35rem){.dx-row{grid-template-columns:1fr auto;grid-template-areas:"label out" "input input"}
 .dx-controls{order:-3;margin:0} .dx-buttons{order:-2;margin:.4rem 0 .5rem} .dx-factors{order:-1}}
.dx-body{display:flex;flex-direction:column}
.dx-buttons{display:flex;flex-wrap:wrap;gap:.5rem;margin-top:.5rem}
.dx-buttons button{min-height:2rem;padding:.15rem .8rem;border:1px solid #555;border-radius:4px;
 background:#f4f4f4;color:#1f2933;cursor:pointer;font:inherit;font-size:.92rem}
.dx-buttons button:focus-visible{outline:3px solid #0b57d0;outline-offset:1px}
.dx-status{font-size:.9rem;margin:.5rem 0 0}
@media print{.dx-controls,.dx-buttons,.dx-hint{display:none}}`;

      // matplotlib's markers, as SVG paths around (0, 0)
      const PLUS = "M-1.4-4h2.8v2.6h2.6v2.8h-2.6v2.6h-2.8v-2.6h-2.6v-2.8h2.6z";
      const SHAPES = {
        o: "M3.2 0A3.2 3.2 0 1 1-3.2 0A3.2 3.2 0 1 1 3.2 0z",
        s: "M-3-3h6v6h-6z",
        D: "M0-4.2L3.6 0L0 4.2L-3.6 0z",
        "^": "M0-4L3.7 3H-3.7z",
        v: "M0 4L3.7-3H-3.7z",
        P: PLUS,
        X: PLUS,
        "*": starPath(0, 0, 4.6, 2),
      };

      function starPath(cx, cy, outer, inner) {
        const points = [];
        for (let k = 0; k < 10; k++) {
          const radius = k % 2 ? inner : outer;
          const angle = Math.PI / 2 + (k * Math.PI) / 5;
          points.push(`${(cx + radius * Math.cos(angle)).toFixed(2)} ${(cy - radius * Math.sin(angle)).toFixed(2)}`);
        }
        return `M${points.join("L")}z`;
      }

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

      function text(parent, x, y, content, attributes) {
        const node = svg("text", { x, y, "font-size": "11", fill: "#222", ...attributes }, parent);
        node.textContent = content;
        return node;
      }

      // numbers as a reader reads them: three or four digits, a real minus sign
      function number(value, digits = 3) {
        if (value === 0) return "0";
        if (!Number.isFinite(value)) return String(value);
        const size = Math.abs(value);
        const shown = size >= 1e4 || size < 1e-3
          ? value.toExponential(digits - 1).replace(/\.?0+e/, "e").replace("e+", "e")
          : String(Number(value.toPrecision(digits)));
        return shown.replace(/-/g, "−");
      }

      function ticks(low, high, count) {
        const step = Math.pow(10, Math.floor(Math.log10((high - low) / count)));
        const nice = [1, 2, 5, 10].map((f) => f * step).find((s) => (high - low) / s <= count);
        const result = [];
        for (let t = Math.ceil(low / nice) * nice; t <= high + 1e-9 * nice; t += nice) {
          result.push(Number(t.toPrecision(6)));
        }
        return result;
      }

      const clampPixel = (value) => Math.max(-1e5, Math.min(1e5, value)).toFixed(2);

      function addStyle() {
        if (document.getElementById("descent-explorer-style")) return;
        html("style", { id: "descent-explorer-style" }, document.head).textContent = CSS;
      }

      // Contour lines by marching squares: one SVG path per level, of loose segments. The
      // grid has a node every 5 pixels; each cell crossed by a level adds one or two segments.
      function contours(f, box, levels) {
        const nx = Math.max(40, Math.round(box.width / 5));
        const ny = Math.max(24, Math.round(box.height / 5));
        const px = new Float64Array(nx + 1);
        const py = new Float64Array(ny + 1);
        const values = new Float64Array((nx + 1) * (ny + 1));
        const point = [0, 0];
        for (let j = 0; j <= ny; j++) {
          point[1] = box.y0 + ((box.y1 - box.y0) * j) / ny;
          py[j] = box.py(point[1]);
          for (let i = 0; i <= nx; i++) {
            point[0] = box.x0 + ((box.x1 - box.x0) * i) / nx;
            px[i] = box.px(point[0]);
            values[j * (nx + 1) + i] = f.value(point);
          }
        }
        const crossing = new Float64Array(8);
        return levels.map((level) => {
          let d = "";
          for (let j = 0; j < ny; j++) {
            for (let i = 0; i < nx; i++) {
              // corners in order round the cell: (i, j), (i+1, j), (i+1, j+1), (i, j+1)
              const k = j * (nx + 1) + i;
              const v0 = values[k] - level;
              const v1 = values[k + 1] - level;
              const v2 = values[k + nx + 2] - level;
              const v3 = values[k + nx + 1] - level;
              const above = (v0 > 0) + (v1 > 0) + (v2 > 0) + (v3 > 0);
              if (above === 0 || above === 4) continue;
              let n = 0;
              if ((v0 > 0) !== (v1 > 0)) {
                crossing[n++] = px[i] + (v0 / (v0 - v1)) * (px[i + 1] - px[i]);
                crossing[n++] = py[j];
              }
              if ((v1 > 0) !== (v2 > 0)) {
                crossing[n++] = px[i + 1];
                crossing[n++] = py[j] + (v1 / (v1 - v2)) * (py[j + 1] - py[j]);
              }
              if ((v2 > 0) !== (v3 > 0)) {
                crossing[n++] = px[i + 1] + (v2 / (v2 - v3)) * (px[i] - px[i + 1]);
                crossing[n++] = py[j + 1];
              }
              if ((v3 > 0) !== (v0 > 0)) {
                crossing[n++] = px[i];
                crossing[n++] = py[j + 1] + (v3 / (v3 - v0)) * (py[j] - py[j + 1]);
              }
              for (let c = 0; c + 3 < n; c += 4) {
                d += `M${crossing[c].toFixed(1)} ${crossing[c + 1].toFixed(1)}L${crossing[c + 2].toFixed(1)} ${crossing[c + 3].toFixed(1)}`;
              }
            }
          }
          return d;
        });
      }

      // The plot box of a surface in a panel `width` pixels wide: equal scales for 2-D.
      function frame(surface, width, maxHeight) {
        const [x0, x1] = surface.xlim;
        const [y0, y1] = surface.ylim;
        const room = width - MARGIN.left - MARGIN.right;
        let sx = room / (x1 - x0);
        let sy = sx;
        // equal scales, unless that leaves a plot too flat to grab (the bowl on a phone)
        const minHeight = Math.min(0.55 * room, 200);
        if (surface.dim === 1) sy = Math.min(room * 0.5, maxHeight) / (y1 - y0);
        else if ((y1 - y0) * sy > maxHeight) sx = sy = maxHeight / (y1 - y0);
        else if ((y1 - y0) * sy < minHeight) sy = minHeight / (y1 - y0);
        const box = { x0, x1, y0, y1, width: (x1 - x0) * sx, height: (y1 - y0) * sy, top: MARGIN.top };
        box.left = MARGIN.left + (room - box.width) / 2;
        box.px = (x) => box.left + (x - x0) * sx;
        box.py = (y) => box.top + (y1 - y) * sy;
        box.fromPixel = (px, py) => [x0 + (px - box.left) / sx, y1 - (py - box.top) / sy];
        box.total = [width, box.top + box.height + MARGIN.bottom];
        return box;
      }

      function axes(parent, box, xlabel, ylabel, yticks = true) {
        const group = svg("g", { class: "dx-axes" }, parent);
        for (const t of ticks(box.x0, box.x1, Math.max(3, Math.round(box.width / 70)))) {
          const x = box.px(t);
          svg("line", { x1: x, x2: x, y1: box.top + box.height, y2: box.top + box.height + 4, stroke: "#444" }, group);
          text(group, x, box.top + box.height + 15, number(t), { "text-anchor": "middle" });
        }
        if (yticks) {
          for (const t of ticks(box.y0, box.y1, Math.max(3, Math.round(box.height / 45)))) {
            const y = box.py(t);
            svg("line", { x1: box.left - 4, x2: box.left, y1: y, y2: y, stroke: "#444" }, group);
            text(group, box.left - 6, y + 3.5, number(t), { "text-anchor": "end" });
          }
        }
        text(group, box.left + box.width / 2, box.top + box.height + 31, xlabel, { "text-anchor": "middle", "font-size": "12" });
        const middle = box.top + box.height / 2;
        text(group, box.left - 36, middle, ylabel, { "text-anchor": "middle", "font-size": "12",
                                                     transform: `rotate(-90 ${box.left - 36} ${middle})` });
        return group;
      }

      function markerDefs(defs, id, contenders) {
        contenders.forEach((contender, index) => {
          const marker = svg("marker", { id: `${id}-marker-${index}`, viewBox: "-6 -6 12 12", markerWidth: "10",
                                         markerHeight: "10", markerUnits: "userSpaceOnUse", refX: "0", refY: "0",
                                         orient: "0" }, defs);
          svg("path", { d: SHAPES[contender.marker] || SHAPES.o, fill: contender.color, stroke: "#fff",
                        "stroke-width": "0.7", transform: contender.marker === "X" ? "rotate(45)" : "" }, marker);
        });
      }

      function sample(contender) {
        const icon = svg("svg", { width: "30", height: "12", viewBox: "0 0 30 12", "aria-hidden": "true" });
        svg("line", { x1: 1, x2: 29, y1: 6, y2: 6, stroke: contender.color, "stroke-width": "2",
                      "stroke-dasharray": contender.dashed ? "5 3" : "none" }, icon);
        svg("path", { d: SHAPES[contender.marker] || SHAPES.o, fill: contender.color, stroke: "#fff", "stroke-width": "0.7",
                      transform: `translate(15 6)${contender.marker === "X" ? " rotate(45)" : ""}` }, icon);
        return icon;
      }

      function mount(root) {
        if (root.dataset.mounted) return;
        root.dataset.mounted = "true";
        const mountBegan = performance.now();
        addStyle();
        const spec = JSON.parse(root.querySelector('script[type="application/json"]').textContent);
        const id = `descent-explorer-${++instances}`;
        const isMap = spec.kind === "map";
        const objectives = spec.surfaces.map((surface) => M.objective(surface.objective));
        const state = {
          surface: 0,
          indices: spec.sliders.map((slider) => slider.initial),
          starts: spec.surfaces.map((surface) => surface.start.slice()),
          shown: spec.steps,
          dragging: null,
          timer: null,
          runs: null,
          key: null,
        };
        const timings = [];
        if (isMap) root.classList.add("dx-map");

        // -- the page's parts ------------------------------------------------------------
        html("p", { class: "dx-title", id: `${id}-heading` }, root, spec.title);
        const legend = html("ul", { class: "dx-legend", "aria-label": "optimizers drawn" }, root);
        for (const contender of spec.contenders) {
          const item = html("li", {}, legend);
          item.appendChild(sample(contender));
          item.append(contender.name);
        }
        // the body: plots, then controls; on a narrow screen the controls come first, so
        // that a thumb on a slider leaves the plot in view below it
        const body = html("div", { class: "dx-body" }, root);
        const plots = html("div", { class: "dx-plots" }, body);
        let map = null;
        if (isMap) map = mapPanel(html("div", { class: "dx-panel dx-half" }, plots));
        const pathPanel = html("div", { class: `dx-panel${isMap ? " dx-half" : ""}` }, plots);
        const paths = svg("svg", { class: "dx-paths", tabindex: "0", role: "application",
                                   "aria-roledescription": "plot with a draggable start point",
                                   "aria-labelledby": `${id}-title`, "aria-describedby": `${id}-desc` }, pathPanel);
        const title = svg("title", { id: `${id}-title` }, paths);
        const description = svg("desc", { id: `${id}-desc` }, paths);
        const defs = svg("defs", {}, paths);
        markerDefs(defs, id, spec.contenders);
        const clip = svg("clipPath", { id: `${id}-clip` }, defs);
        const clipRect = svg("rect", {}, clip);
        const pathStatic = svg("g", {}, paths);
        const pathLayer = svg("g", { "clip-path": `url(#${id}-clip)` }, paths);
        const lines = spec.contenders.map((contender, index) => svg("polyline", {
          fill: "none", stroke: contender.color, "stroke-width": "1.7", "stroke-linejoin": "round",
          "stroke-dasharray": contender.dashed ? "5 3" : "none", class: "dx-path", "data-optimizer": contender.name,
          "marker-start": `url(#${id}-marker-${index})`, "marker-mid": `url(#${id}-marker-${index})`,
          "marker-end": `url(#${id}-marker-${index})` }, pathLayer));
        const handle = svg("g", { class: "dx-handle" }, paths);
        svg("circle", { r: "18", fill: "transparent" }, handle);
        const ring = svg("circle", { r: "9", fill: "none", stroke: "none", "stroke-width": "3" }, handle);
        svg("circle", { r: "5.5", fill: "#fff", stroke: "#000", "stroke-width": "1.5" }, handle);
        html("p", { class: "dx-hint" }, pathPanel,
             "Drag the white start point, or tap the plot; on the focused plot, arrow keys move it.");

        const lossPanel = html("div", { class: "dx-panel" }, plots);
        const losses = svg("svg", { class: "dx-losses", role: "img", "aria-labelledby": `${id}-loss-title` }, lossPanel);
        svg("title", { id: `${id}-loss-title` }, losses).textContent = `${spec.title}: loss against step, log scale`;
        const lossDefs = svg("defs", {}, losses);
        const lossClip = svg("rect", {}, svg("clipPath", { id: `${id}-loss-clip` }, lossDefs));
        const lossStatic = svg("g", {}, losses);
        const lossLayer = svg("g", { "clip-path": `url(#${id}-loss-clip)` }, losses);
        const lossLines = spec.contenders.map((contender) => svg("polyline", {
          fill: "none", stroke: contender.color, "stroke-width": "1.6",
          "stroke-dasharray": contender.dashed ? "5 3" : "none", class: "dx-loss",
          "data-optimizer": contender.name }, lossLayer));

        let factors = null;
        if (spec.factors) factors = factorPanel(html("div", { class: "dx-factors" }, body));

        // -- controls ----------------------------------------------------------------------
        const controls = html("div", { class: "dx-controls" }, body);
        function row(labelText, inputId) {
          const line = html("div", { class: "dx-row" }, controls);
          html("label", { for: inputId }, line, labelText);
          return line;
        }
        let select = null;
        if (spec.surfaces.length > 1) {
          const line = row("surface", `${id}-surface`);
          select = html("select", { id: `${id}-surface` }, line);
          spec.surfaces.forEach((surface, index) => html("option", { value: String(index) }, select, surface.label));
          select.addEventListener("change", () => {
            state.surface = Number(select.value);
            layout();
            settle(0);
          });
        }
        const sliders = spec.sliders.map((slider, index) => {
          const inputId = `${id}-${slider.name}`;
          const line = row(slider.label, inputId);
          const input = html("input", { type: "range", id: inputId, min: "0", max: String(slider.values.length - 1),
                                        step: "1", value: String(slider.initial), "data-slider": slider.name }, line);
          const output = html("output", { for: inputId }, line);
          input.addEventListener("input", () => {
            state.indices[index] = Number(input.value);
            request();
            settle();
          });
          input.addEventListener("change", () => settle());
          return { input, output, slider };
        });
        const stepsLine = row("steps shown", `${id}-steps`);
        const steps = html("input", { type: "range", id: `${id}-steps`, min: "1", max: String(spec.steps), step: "1",
                                      value: String(spec.steps), "data-slider": "steps" }, stepsLine);
        const stepsOutput = html("output", { for: `${id}-steps` }, stepsLine);
        steps.addEventListener("input", () => {
          state.shown = Number(steps.value);
          request();
          settle();
        });
        const startLine = html("div", { class: "dx-row" }, controls);
        html("span", { id: `${id}-start-label` }, startLine, "start point");
        const startOutput = html("output", { "aria-labelledby": `${id}-start-label`, style: "grid-area:out" }, startLine);

        const buttons = html("div", { class: "dx-buttons" }, body);
        let play = null;
        if (spec.animate) {
          play = html("button", { type: "button", "aria-pressed": "false" }, buttons, "Play");
          const step = html("button", { type: "button" }, buttons, "Step");
          play.addEventListener("click", () => {
            if (state.timer) { stop(); return; }
            if (state.shown >= spec.steps) state.shown = 0;
            play.textContent = "Pause";
            play.setAttribute("aria-pressed", "true");
            state.timer = setInterval(advance, 160);
          });
          step.addEventListener("click", () => {
            stop();
            if (state.shown >= spec.steps) state.shown = 0;
            advance();
            settle(0);
          });
        }
        const reset = html("button", { type: "button" }, buttons, "Reset start");
        reset.addEventListener("click", () => {
          state.starts[state.surface] = spec.surfaces[state.surface].start.slice();
          request();
          settle(0);
        });
        const status = html("p", { class: "dx-status", "aria-live": "polite" }, root);

        function stop() {
          if (!state.timer) return;
          clearInterval(state.timer);
          state.timer = null;
          play.textContent = "Play";
          play.setAttribute("aria-pressed", "false");
          settle(0);
        }

        function advance() {
          if (state.shown >= spec.steps) { stop(); return; }
          state.shown += 1;
          steps.value = String(state.shown);
          request();
        }

        // -- what the controls say ---------------------------------------------------------
        const value = (index) => spec.sliders[index].values[state.indices[index]];

        function settingsOf(contender) {
          const settings = { ...contender.settings };
          spec.sliders.forEach((slider, index) => {
            settings[slider.name] = slider.scales ? settings[slider.name] * value(index) : value(index);
          });
          return settings;
        }

        function compute() {
          const start = state.starts[state.surface];
          const key = JSON.stringify([state.surface, state.indices, start]);
          if (key === state.key) return state.runs;
          const objective = objectives[state.surface];
          state.runs = spec.contenders.map((contender) => M.run(
            M.optimizer(contender.optimizer, settingsOf(contender)), objective, start, spec.steps));
          state.key = key;
          return state.runs;
        }

        // -- layout (on resize and surface change) and drawing (once a frame) --------------
        let box = null;
        let lossBox = null;

        function layout() {
          // read every width first: one reflow, not one per panel
          const [pathWidth, lossPanelWidth, mapWidth, factorWidth] =
            [pathPanel, lossPanel, map && map.container, factors && factors.container]
              .map((element) => (element ? Math.round(element.clientWidth) : 0));
          const surface = spec.surfaces[state.surface];
          const width = Math.max(260, pathWidth || 540);
          box = frame(surface, width, Math.min(380, Math.max(200, width * 0.8)));
          paths.setAttribute("viewBox", `0 0 ${box.total[0]} ${box.total[1]}`);
          paths.setAttribute("data-xlim", `${box.x0},${box.x1}`);
          paths.setAttribute("data-ylim", `${box.y0},${box.y1}`);
          paths.setAttribute("data-box", `${box.left},${box.top},${box.width},${box.height}`);
          paths.setAttribute("data-dim", String(surface.dim));
          title.textContent = `${spec.title} on ${surface.label}: paths from a start point you can move`;
          for (const [name, v] of Object.entries({ x: box.left, y: box.top, width: box.width, height: box.height })) {
            clipRect.setAttribute(name, v);
          }
          pathStatic.replaceChildren();
          svg("rect", { x: box.left, y: box.top, width: box.width, height: box.height, fill: "#fff", stroke: "#888" },
              pathStatic);
          const inside = svg("g", { "clip-path": `url(#${id}-clip)` }, pathStatic);
          const f = objectives[state.surface];
          if (surface.dim === 2) {
            for (const d of contours(f, box, surface.levels)) {
              svg("path", { d, fill: "none", stroke: "#b8b8b8", "stroke-width": "0.8" }, inside);
            }
            for (const [mx, my] of surface.minimizers) {
              svg("path", { d: starPath(box.px(mx), box.py(my), 8, 3.3), fill: "#F0E442", stroke: "#000",
                            "stroke-width": "0.8" }, inside);
            }
            axes(pathStatic, box, "x", "y");
          } else {
            const curve = [];
            for (let k = 0; k <= 200; k++) {
              const x = box.x0 + ((box.x1 - box.x0) * k) / 200;
              curve.push(`${box.px(x).toFixed(1)},${box.py(f.value([x])).toFixed(1)}`);
            }
            svg("polyline", { points: curve.join(" "), fill: "none", stroke: "#9a9a9a", "stroke-width": "1.2" }, inside);
            svg("line", { x1: box.left, x2: box.left + box.width, y1: box.py(0), y2: box.py(0), stroke: "#ddd" }, inside);
            axes(pathStatic, box, "x", "f(x)");
          }

          const lossWidth = Math.max(260, lossPanelWidth || 540);
          const [low, high] = surface.loss_range;
          lossBox = { left: MARGIN.left, top: 8, width: lossWidth - MARGIN.left - MARGIN.right, height: 120, low, high };
          losses.setAttribute("viewBox", `0 0 ${lossWidth} ${lossBox.top + lossBox.height + MARGIN.bottom}`);
          for (const [name, v] of Object.entries({ x: lossBox.left, y: lossBox.top, width: lossBox.width,
                                                    height: lossBox.height })) lossClip.setAttribute(name, v);
          lossStatic.replaceChildren();
          svg("rect", { x: lossBox.left, y: lossBox.top, width: lossBox.width, height: lossBox.height, fill: "#fff",
                        stroke: "#888" }, lossStatic);
          const stepAxis = { x0: 0, x1: spec.steps, y0: low, y1: high, ...lossBox,
                             px: (k) => lossBox.left + (k / spec.steps) * lossBox.width };
          axes(lossStatic, stepAxis, "step", surface.offset ? "loss − min" : "loss", false);
          const stride = Math.max(1, Math.ceil((high - low) / Math.max(2, Math.floor(lossBox.height / 22))));
          for (let d = high; d >= low; d -= stride) {
            const y = lossY(Math.pow(10, d));
            svg("line", { x1: lossBox.left - 4, x2: lossBox.left, y1: y, y2: y, stroke: "#444" }, lossStatic);
            text(lossStatic, lossBox.left - 6, y + 3.5, `${d === low ? "≤" : ""}1e${d}`.replace("-", "−"),
                 { "text-anchor": "end", "font-size": "10" });
          }
          if (map) map.layout(Math.max(260, mapWidth || 400));
          if (factors) factors.layout(Math.max(260, factorWidth || 540));
          state.key = null;
          request();
        }

        function lossY(loss) {
          const level = Math.log10(Math.max(loss, Math.pow(10, lossBox.low)));
          const clamped = Math.min(level, lossBox.high + 1);
          return lossBox.top + ((lossBox.high - clamped) / (lossBox.high - lossBox.low)) * lossBox.height;
        }

        let frameRequest = 0;
        function request() {
          if (!frameRequest) frameRequest = requestAnimationFrame(draw);
        }

        function draw() {
          frameRequest = 0;
          if (!box) return; // not laid out yet
          const began = performance.now();
          const surface = spec.surfaces[state.surface];
          const runs = compute();
          const shown = state.shown;
          runs.forEach((result, index) => {
            const last = Math.min(shown, result.points.length - 1);
            const points = [];
            const curve = [];
            for (let k = 0; k <= last; k++) {
              const [x, y] = surface.dim === 2 ? result.points[k] : [result.points[k][0], result.losses[k]];
              points.push(`${clampPixel(box.px(x))},${clampPixel(box.py(y))}`);
              curve.push(`${lossBox.left + (k / spec.steps) * lossBox.width},${lossY(result.losses[k] - surface.offset).toFixed(2)}`);
            }
            lines[index].setAttribute("points", points.join(" "));
            lossLines[index].setAttribute("points", curve.join(" "));
          });
          const start = state.starts[state.surface];
          const [hx, hy] = surface.dim === 2 ? start : [start[0], objectives[state.surface].value(start)];
          handle.setAttribute("transform", `translate(${box.px(hx).toFixed(2)} ${box.py(hy).toFixed(2)})`);
          ring.setAttribute("stroke", document.activeElement === paths ? "#0b57d0" : "none");
          sliders.forEach(({ input, output, slider }, index) => {
            const shownValue = slider.scales ? `× ${number(value(index), 4)}` : number(value(index), 4);
            output.textContent = shownValue;
            input.setAttribute("aria-valuetext", shownValue);
            if (input.value !== String(state.indices[index])) input.value = String(state.indices[index]);
          });
          stepsOutput.textContent = String(shown);
          steps.setAttribute("aria-valuetext", `${shown} step${shown === 1 ? "" : "s"}`);
          startOutput.textContent = `(${start.map((c) => number(c, 4)).join(", ")})`;
          if (map) map.draw();
          if (factors) factors.draw();
          timings.push(performance.now() - began);
          if (timings.length > 500) timings.shift();
        }

        // -- the text alternative, rewritten once things settle ------------------------------
        let settleTimer = null;
        function settle(delay = SETTLE_MS) {
          clearTimeout(settleTimer);
          if (state.dragging !== null || state.timer) return;
          settleTimer = setTimeout(announce, delay);
        }

        function summary() {
          const surface = spec.surfaces[state.surface];
          const runs = compute();
          const start = state.starts[state.surface];
          const settings = spec.sliders.map((slider, index) =>
            `${slider.label} ${slider.scales ? "× " : ""}${number(value(index), 4)}`).join(", ");
          const parts = spec.contenders.map((contender, index) => {
            const result = runs[index];
            const last = Math.min(state.shown, result.points.length - 1);
            const where = result.points[last].map((c) => number(c)).join(", ");
            const fate = result.diverged && state.shown >= result.points.length - 1
              ? `, diverged at step ${result.points.length} (the loss or the gradient overflowed)` : "";
            return `${contender.name} at (${where}), loss ${number(result.losses[last])}${fate}`;
          });
          let sentence = `On ${surface.label}, from (${start.map((c) => number(c, 4)).join(", ")})` +
            `${settings ? `, with ${settings}` : ""}, after ${state.shown} step${state.shown === 1 ? "" : "s"}: ` +
            `${parts.join("; ")}.`;
          if (factors) sentence += ` ${factors.sentence()}`;
          if (map) sentence = `${map.sentence()} ${sentence}`;
          return sentence;
        }

        function announce() {
          const sentence = summary();
          status.textContent = sentence;
          description.textContent = sentence;
          root.dataset.announced = String(Number(root.dataset.announced || 0) + 1);
        }

        // -- the start point: pointer (mouse, pen, touch) and keyboard ------------------------
        function toData(event) {
          const point = new DOMPoint(event.clientX, event.clientY).matrixTransform(paths.getScreenCTM().inverse());
          return [point.x, point.y];
        }

        function moveStart(point) {
          const surface = spec.surfaces[state.surface];
          const rounded = point.slice(0, surface.dim).map((c, axis) => {
            const [low, high] = axis ? surface.ylim : surface.xlim;
            const digits = Math.max(0, Math.ceil(-Math.log10((high - low) / 500)));
            const inside = Math.min(high, Math.max(low, c));
            return Number(inside.toFixed(digits));
          });
          state.starts[state.surface] = rounded;
          request();
        }

        paths.addEventListener("pointerdown", (event) => {
          if (event.pointerType === "mouse" && event.button !== 0) return;
          const [px, py] = toData(event);
          if (px < box.left || px > box.left + box.width || py < box.top || py > box.top + box.height) return;
          state.before = state.starts[state.surface].slice();
          state.dragging = event.pointerId;
          clearTimeout(settleTimer);
          paths.setPointerCapture(event.pointerId);
          moveStart(box.fromPixel(px, py));
          if (event.pointerType === "mouse") event.preventDefault();
        });
        // A finger on the start point drags it; anywhere else on the plot it may scroll the
        // page (touch-action on SVG shapes is not honoured everywhere, so say it here).
        paths.addEventListener("touchstart", (event) => {
          if (event.target.closest(".dx-handle")) event.preventDefault();
        }, { passive: false });
        paths.addEventListener("pointermove", (event) => {
          if (state.dragging !== event.pointerId) return;
          moveStart(box.fromPixel(...toData(event)));
        });
        const release = (event) => {
          if (state.dragging !== event.pointerId) return;
          // a touch that turned into scrolling the page gives the start back
          if (event.type === "pointercancel") state.starts[state.surface] = state.before;
          state.dragging = null;
          request();
          settle(150);
        };
        paths.addEventListener("pointerup", release);
        paths.addEventListener("pointercancel", release);
        paths.addEventListener("keydown", (event) => {
          const surface = spec.surfaces[state.surface];
          const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };
          if (event.key === "Home") {
            state.starts[state.surface] = surface.start.slice();
          } else if (moves[event.key]) {
            const [dx, dy] = moves[event.key];
            const fraction = event.shiftKey ? 1 / 8 : 1 / 40;
            const start = state.starts[state.surface];
            moveStart([start[0] + dx * fraction * (surface.xlim[1] - surface.xlim[0]),
                       (start[1] || 0) + dy * fraction * (surface.ylim[1] - surface.ylim[0])]);
          } else return;
          event.preventDefault();
          request();
          settle();
        });
        paths.addEventListener("focus", request);
        paths.addEventListener("blur", request);

        // -- SGD's factors 1 − ηλ -------------------------------------------------------------
        function factorPanel(container) {
          const line = html("p", { class: "dx-factors-text" }, container);
          const gauge = svg("svg", { "aria-hidden": "true" }, container);
          const lo = -2.2;
          const hi = 1.4;
          let g = null;
          const current = () => {
            const surface = spec.surfaces[state.surface];
            const lr = settingsOf(spec.contenders[0]).lr;
            return surface.curvatures.map((curvature) => ({ curvature, factor: 1 - lr * curvature, lr }));
          };
          const describe = ({ curvature, factor, lr }) =>
            `1 − ηλ = 1 − ${number(lr, 4)} × ${number(curvature)} = ${number(factor)}`;
          return {
            container,
            layout(width) {
              gauge.setAttribute("viewBox", `0 0 ${width} 46`);
              gauge.replaceChildren();
              const x = (v) => MARGIN.left + ((v - lo) / (hi - lo)) * (width - MARGIN.left - MARGIN.right);
              svg("rect", { x: x(lo), y: 14, width: x(-1) - x(lo), height: 10, fill: "#f4d6d0" }, gauge);
              svg("rect", { x: x(-1), y: 14, width: x(1) - x(-1), height: 10, fill: "#d4ecd9" }, gauge);
              svg("rect", { x: x(1), y: 14, width: x(hi) - x(1), height: 10, fill: "#f4d6d0" }, gauge);
              for (const t of [-2, -1, 0, 1]) {
                svg("line", { x1: x(t), x2: x(t), y1: 24, y2: 28, stroke: "#444" }, gauge);
                text(gauge, x(t), 40, number(t), { "text-anchor": "middle", "font-size": "10" });
              }
              text(gauge, x(0), 11, "shrinks: |1 − ηλ| < 1", { "text-anchor": "middle", "font-size": "10" });
              text(gauge, x(-1.6), 11, "grows", { "text-anchor": "middle", "font-size": "10" });
              g = { x, group: svg("g", {}, gauge) };
            },
            draw() {
              const items = current();
              g.group.replaceChildren();
              for (const { factor } of items) {
                const at = g.x(Math.max(lo, Math.min(hi, factor)));
                svg("path", { d: `M${at} 24l-5 8h10z`, fill: Math.abs(factor) < 1 ? "#1b7a3a" : "#b3261e" }, g.group);
                svg("line", { x1: at, x2: at, y1: 12, y2: 26, stroke: "#000", "stroke-width": "2" }, g.group);
              }
              const worst = items.reduce((a, b) => (Math.abs(b.factor) > Math.abs(a.factor) ? b : a));
              const size = Math.abs(worst.factor);
              const verdict = size < 1
                ? `Every coordinate shrinks, the slowest by a factor ${number(size)} per step`
                : `|${number(worst.factor)}| ${size > 1 ? "> 1: that coordinate grows" : "= 1: that coordinate never shrinks"}`;
              line.textContent = `Per step: ${items.map(describe).join("; ")}. ${verdict}. Threshold η = 2/L = ${
                number(2 / Math.max(...items.map((i) => i.curvature)), 4)}.`;
            },
            sentence() {
              return line.textContent;
            },
          };
        }

        // -- the (η, μ) map ----------------------------------------------------------------
        function mapPanel(container) {
          const m = spec.map;
          const [nx, ny] = m.cells;
          const lrAt = (i) => m.lr[0] + ((m.lr[1] - m.lr[0]) * i) / (nx - 1);
          const muAt = (j) => m.momentum[0] + ((m.momentum[1] - m.momentum[0]) * j) / (ny - 1);
          const stack = html("div", { class: "dx-stack" }, container);
          const canvas = html("canvas", { width: String(nx), height: String(ny), "aria-hidden": "true" }, stack);
          const overlay = svg("svg", { class: "dx-overlay", tabindex: "0", role: "application",
                                       "aria-roledescription": "map of settings",
                                       "aria-label": `map of the learning rate η and the momentum μ: arrow keys ` +
                                         `change η (left, right) and μ (up, down)` }, stack);
          html("p", { class: "dx-hint" }, container,
               "Click, tap or drag on the map to pick (η, μ); on the focused map, arrow keys move it.");
          const surface = spec.surfaces[0];
          // each eigenvector of the Hessian is a direction the heavy ball runs along on its own
          const curvatures = surface.curvatures;
          const vectors = m.directions;
          // growth[(j * nx + i) * d + e]: the factor by which n steps multiply direction e
          let growth = null;
          function grow() {
            const d = curvatures.length;
            growth = new Float64Array(nx * ny * d);
            for (let j = 0; j < ny; j++) {
              const mu = muAt(j);
              for (let i = 0; i < nx; i++) {
                const lr = lrAt(i);
                for (let e = 0; e < d; e++) {
                  const scaled = lr * curvatures[e];
                  let z = 1;
                  let v = 0;
                  for (let t = 0; t < spec.steps; t++) {
                    const g = scaled * z;
                    v = mu * v - g;
                    z += m.nesterov ? mu * v - g : v;
                  }
                  growth[(j * nx + i) * d + e] = z;
                }
              }
            }
          }
          // the distance after n steps over the distance at the start, for cell (i, j)
          function ratio(i, j, along, norm) {
            const d = curvatures.length;
            let total = 0;
            for (let e = 0; e < d; e++) {
              const component = growth[(j * nx + i) * d + e] * along[e];
              total += component * component;
            }
            return norm > 0 ? Math.sqrt(total) / norm : 0;
          }
          const alongOf = (start) => vectors.map((vector) => vector[0] * start[0] + vector[1] * start[1]);
          const colours = m.colormap.map((hex) => [1, 3, 5].map((k) => parseInt(hex.slice(k, k + 2), 16)));
          const image = canvas.getContext("2d").createImageData(nx, ny);
          let painted = null;
          let area = null;
          const layer = svg("g", {}, overlay);
          const marker = svg("g", {}, overlay);
          svg("circle", { r: "7", fill: "none", stroke: "#fff", "stroke-width": "3" }, marker);
          svg("circle", { r: "7", fill: "none", stroke: "#000", "stroke-width": "1.5" }, marker);

          function paint(start) {
            const key = start.join(",");
            if (painted === key) return;
            painted = key;
            if (!growth) grow();
            const along = alongOf(start);
            const norm = Math.hypot(start[0], start[1]);
            const data = image.data;
            const last = colours.length - 1;
            for (let j = 0; j < ny; j++) {
              for (let i = 0; i < nx; i++) {
                const r = ratio(i, j, along, norm);
                let rgb = GREY;
                if (r <= 1) {
                  const t = (Math.log10(Math.max(r, Math.pow(10, m.floor))) - m.floor) / -m.floor;
                  rgb = colours[Math.min(last, Math.floor(t * colours.length))];
                }
                const offset = ((ny - 1 - j) * nx + i) * 4;
                data[offset] = rgb[0];
                data[offset + 1] = rgb[1];
                data[offset + 2] = rgb[2];
                data[offset + 3] = 255;
              }
            }
            canvas.getContext("2d").putImageData(image, 0, 0);
          }

          function pick(event) {
            const point = new DOMPoint(event.clientX, event.clientY).matrixTransform(overlay.getScreenCTM().inverse());
            const [lr, mu] = area.fromPixel(point.x, point.y);
            const nearest = (index, target) => {
              const values = spec.sliders[index].values;
              let best = 0;
              values.forEach((v, k) => { if (Math.abs(v - target) < Math.abs(values[best] - target)) best = k; });
              return best;
            };
            state.indices[0] = nearest(0, lr);
            state.indices[1] = nearest(1, mu);
            request();
          }

          overlay.addEventListener("pointerdown", (event) => {
            if (event.pointerType === "mouse" && event.button !== 0) return;
            state.dragging = event.pointerId;
            clearTimeout(settleTimer);
            overlay.setPointerCapture(event.pointerId);
            pick(event);
            event.preventDefault();
          });
          overlay.addEventListener("touchstart", (event) => event.preventDefault(), { passive: false });
          overlay.addEventListener("pointermove", (event) => {
            if (state.dragging === event.pointerId) pick(event);
          });
          const done = (event) => {
            if (state.dragging !== event.pointerId) return;
            state.dragging = null;
            settle(150);
          };
          overlay.addEventListener("pointerup", done);
          overlay.addEventListener("pointercancel", done);
          overlay.addEventListener("keydown", (event) => {
            const moves = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [1, 1], ArrowDown: [1, -1] };
            if (!moves[event.key]) return;
            const [index, direction] = moves[event.key];
            const last = spec.sliders[index].values.length - 1;
            state.indices[index] = Math.max(0, Math.min(last, state.indices[index] + direction * (event.shiftKey ? 10 : 1)));
            event.preventDefault();
            request();
            settle();
          });

          const radius = (lr, mu) => Math.max(...curvatures.map((lambda) => {
            const b = 1 + mu - lr * lambda;
            const disc = b * b - 4 * mu;
            return disc < 0 ? Math.sqrt(mu) : (Math.abs(b) + Math.sqrt(disc)) / 2;
          }));

          return {
            container,
            layout(width) {
              const dx = (m.lr[1] - m.lr[0]) / (nx - 1);
              const dy = (m.momentum[1] - m.momentum[0]) / (ny - 1);
              const room = width - MARGIN.left - MARGIN.right;
              const height = Math.round(Math.min(room * 0.8, 320));
              const x0 = m.lr[0] - dx / 2;
              const x1 = m.lr[1] + dx / 2;
              const y0 = m.momentum[0] - dy / 2;
              const y1 = m.momentum[1] + dy / 2;
              area = { x0, x1, y0, y1, left: MARGIN.left, top: MARGIN.top, width: room, height };
              area.px = (x) => area.left + ((x - x0) / (x1 - x0)) * room;
              area.py = (y) => area.top + ((y1 - y) / (y1 - y0)) * height;
              area.fromPixel = (px, py) => [x0 + ((px - area.left) / room) * (x1 - x0),
                                            y1 - ((py - area.top) / height) * (y1 - y0)];
              const total = area.top + height + MARGIN.bottom + 44;
              overlay.setAttribute("viewBox", `0 0 ${width} ${total}`);
              overlay.setAttribute("data-area", `${area.left},${area.top},${room},${height}`);
              overlay.setAttribute("data-lr", `${x0},${x1}`);
              overlay.setAttribute("data-momentum", `${y0},${y1}`);
              layer.replaceChildren();
              const boundary = [];
              for (let k = 0; k <= 40; k++) {
                const mu = y0 + ((y1 - y0) * k) / 40;
                boundary.push(`${area.px((2 * (1 + mu)) / m.L).toFixed(1)},${area.py(mu).toFixed(1)}`);
              }
              const clipId = `${id}-map-clip`;
              svg("rect", { x: area.left, y: area.top, width: room, height },
                  svg("clipPath", { id: clipId }, svg("defs", {}, layer)));
              const inside = svg("g", { "clip-path": `url(#${clipId})` }, layer);
              svg("polyline", { points: boundary.join(" "), fill: "none", stroke: "#000", "stroke-width": "1.6",
                                "stroke-dasharray": "6 4" }, inside);
              svg("path", { d: starPath(area.px(m.polyak[0]), area.py(m.polyak[1]), 9, 3.8), fill: "#fff",
                            stroke: "#000", "stroke-width": "1" }, inside);
              for (const mark of m.marks) {
                const x = area.px(mark.lr);
                const y = area.py(mark.momentum);
                svg("rect", { x: x - 4.5, y: y - 4.5, width: 9, height: 9, fill: spec.contenders[0].color,
                              stroke: "#fff" }, inside);
                text(inside, x + 7, y - 6, mark.label, { "font-size": "10", fill: "#fff", stroke: "#000",
                                                          "stroke-width": "2.5", "paint-order": "stroke" });
              }
              svg("rect", { x: area.left, y: area.top, width: room, height, fill: "none", stroke: "#888" }, layer);
              axes(layer, { ...area, x0, x1, y0, y1 }, "learning rate η", "momentum μ");
              // the colour scale
              const barTop = area.top + height + MARGIN.bottom + 4;
              const gradientId = `${id}-map-scale`;
              const gradient = svg("linearGradient", { id: gradientId }, svg("defs", {}, layer));
              m.colormap.forEach((colour, k) => svg("stop", { offset: `${(100 * k) / (m.colormap.length - 1)}%`,
                                                            "stop-color": colour }, gradient));
              svg("rect", { x: area.left, y: barTop, width: room * 0.8, height: 8, fill: `url(#${gradientId})` }, layer);
              svg("rect", { x: area.left + room * 0.82, y: barTop, width: room * 0.18, height: 8, fill: "#d9d9d9" }, layer);
              text(layer, area.left, barTop + 20, `1e${m.floor}`.replace("-", "−"), { "font-size": "10" });
              text(layer, area.left + room * 0.8, barTop + 20, "1", { "font-size": "10", "text-anchor": "end" });
              text(layer, area.left + room * 0.91, barTop + 20, "grew", { "font-size": "10", "text-anchor": "middle" });
              text(layer, area.left, barTop + 34, `colour: distance after ${spec.steps} steps / distance at start`,
                   { "font-size": "10" });
              canvas.style.left = `${(area.left / width) * 100}%`;
              canvas.style.top = `${(area.top / total) * 100}%`;
              canvas.style.width = `${(room / width) * 100}%`;
              canvas.style.height = `${(height / total) * 100}%`;
              painted = null;
            },
            draw() {
              paint(state.starts[0]);
              marker.setAttribute("transform", `translate(${area.px(value(0)).toFixed(2)} ${area.py(value(1)).toFixed(2)})`);
            },
            ratioAt(i, j, start = state.starts[0]) {
              if (!growth) grow();
              return ratio(i, j, alongOf(start), Math.hypot(start[0], start[1]));
            },
            cells: { lr: Array.from({ length: nx }, (_, i) => lrAt(i)), momentum: Array.from({ length: ny }, (_, j) => muAt(j)) },
            sentence() {
              const lr = value(0);
              const mu = value(1);
              const limit = (2 * (1 + mu)) / m.L;
              const start = state.starts[0];
              const result = compute()[0];
              const end = result.points[result.points.length - 1];
              const distance = result.diverged ? Infinity : Math.hypot(...end) / Math.hypot(...start);
              const side = Math.abs(lr - limit) <= 1e-9 * limit ? "on" : lr < limit ? "below" : "beyond";
              return `Map: η = ${number(lr, 4)}, μ = ${number(mu, 4)}; ${side} the stability ` +
                `boundary η = 2(1 + μ)/L = ${number(limit)}; spectral radius ${number(radius(lr, mu), 4)} per step; ` +
                `after ${spec.steps} steps the distance to the minimum is ${number(distance)} of the start's ` +
                `(Polyak's setting η* = ${number(m.polyak[0])}, μ* = ${number(m.polyak[1])}).`;
            },
          };
        }

        // -- start: build now, measure and draw in the first frame ----------------------------
        root.descentExplorer = {
          spec,
          state,
          timings,
          runs: () => compute().map((result) => ({ ...result })),
          settings: () => spec.contenders.map(settingsOf),
          setStart(point) { moveStart(point); draw(); },
          ratioAt: map ? map.ratioAt : null,
          mapCells: map ? map.cells : null,
          summary,
          mountMs: performance.now() - mountBegan,
        };
        requestAnimationFrame(() => {
          const reflow = performance.now();
          void pathPanel.clientWidth; // the page's own layout, which the browser owes anyway
          const began = performance.now();
          root.descentExplorer.reflowMs = began - reflow;
          layout();
          draw();
          announce();
          root.descentExplorer.firstDrawMs = performance.now() - began;
          root.dataset.ready = "true";
          if (window.ResizeObserver) {
            let lastWidth = pathPanel.clientWidth;
            new ResizeObserver((entries) => {
              const width = Math.round(entries[0].contentRect.width);
              if (width && width !== lastWidth) {
                lastWidth = width;
                layout();
              }
            }).observe(pathPanel);
          }
        });
      }

      // An explorer is built when it comes within a screen or so of being seen (a chapter
      // may hold three, and a phone should not compute a map nobody has scrolled to yet),
      // and every one before the page is printed.
      function mountAll() {
        const roots = [...document.querySelectorAll(".descent-explorer")];
        if (!window.IntersectionObserver) {
          roots.forEach(mount);
          return;
        }
        const near = new IntersectionObserver((entries) => {
          for (const entry of entries) {
            if (entry.isIntersecting) {
              near.unobserve(entry.target);
              mount(entry.target);
            }
          }
        }, { rootMargin: "100% 0px" });
        roots.forEach((root) => near.observe(root));
        window.addEventListener("beforeprint", () => roots.forEach(mount));
      }

      return { mount, mountAll };
    })();
  }
  window.DescentExplorer.mountAll();
})();
