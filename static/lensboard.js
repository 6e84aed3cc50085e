// The little JavaScript the dashboard needs: colour the lens tables from their data-v values, open a
// clicked cell's details through htmx, and draw Chart.js charts from the JSON API once a lens is done.
(function () {
  "use strict";

  // 4 significant digits, scientific only for very large or very small magnitudes (as the server's %.4g).
  function fmt4(v) {
    if (v === 0 || !Number.isFinite(v)) return String(v);
    const a = Math.abs(v);
    return a >= 1e-4 && a < 1e6 ? String(Number(v.toPrecision(4))) : v.toExponential(3);
  }

  // Every log axis's tick labels, set once here for all charts: 4 significant digits like every other number, a
  // power of ten far from 1 as 1e-15 (Chart.js's own labels print all the decimals: "0.0000000000000010"). Like
  // Chart.js, only 1, 2, 3 and 5 times a power of ten, and the last ticks, are labelled, so the labels do not collide.
  function logTick(v, index, ticks) {
    if (!(v > 0)) return String(v);
    const e = Math.floor(Math.log10(v) + 1e-9);
    const m = Number((v / 10 ** e).toPrecision(4));
    if (![1, 2, 3, 5].includes(m) && index <= 0.8 * ticks.length) return "";
    return e < -4 || e >= 6 ? `${m}e${e}` : fmt4(v);
  }
  if (typeof Chart !== "undefined") Chart.defaults.scales.logarithmic.ticks.callback = logTick;

  // The one colour scale, light to dark: t in [0, 1]. Black text on light cells, white on dark ones, switching
  // where the two contrasts cross (t = 0.672 on this scale): either is then at least 4.58:1 (WCAG AA is 4.5:1).
  // No dark grey would do: on the middle shades it falls under 4.5:1 and so does white.
  const shade = t => `hsl(232, 60%, ${97 - 55 * t}%)`;
  const WHITE_TEXT_FROM = 0.672;

  // Colours the tables of one group (a lens pane, or both panes of a comparison) on one shared scale and draws
  // its colour bar with ticks (ranks on a log scale).
  function colour(tables, scale) {
    const log = tables[0].dataset.log === "true";
    const cells = tables.flatMap(t => Array.from(t.querySelectorAll("td[data-v]")));
    const value = td => { const v = parseFloat(td.dataset.v); return log ? Math.log10(Math.max(v, 1)) : v; };
    const values = cells.map(value).filter(Number.isFinite);
    if (values.length === 0) return;
    const lo = Math.min(...values), hi = Math.max(...values);
    cells.forEach(td => {
      const t = hi > lo ? (value(td) - lo) / (hi - lo) : 0;
      td.style.background = shade(t);
      td.style.color = t > WHITE_TEXT_FROM ? "#fff" : "#000";
    });
    const shown = v => (log ? fmt4(Math.round(10 ** v)) : fmt4(v));
    tables.forEach(table => {
      const range = table.closest(".lens-pane").querySelector(".range");
      if (range) range.textContent = `${shown(lo)} (light) to ${shown(hi)} (dark)${log ? ", log scale" : ""}`;
    });
    if (scale) bar(scale, lo, hi, log, shown);
  }

  function bar(scale, lo, hi, log, shown) {
    scale.querySelector(".colour-bar").style.background = `linear-gradient(to right, ${shade(0)}, ${shade(0.5)}, ${shade(1)})`;
    let ticks = [];
    if (log) {
      // powers of ten, then the ends; a power too close to an end (its label would overlap) gives way to it
      const gap = 0.1 * (hi - lo);
      for (let k = Math.ceil(lo); k <= Math.floor(hi); k++) if (k - lo >= gap && hi - k >= gap) ticks.push(k);
      ticks.unshift(lo);
      ticks.push(hi);
    } else {
      for (let i = 0; i <= 4; i++) ticks.push(lo + (hi - lo) * i / 4);
    }
    if (!(hi > lo)) ticks = [lo];
    const box = scale.querySelector(".ticks");
    box.replaceChildren(...ticks.map(v => {
      const tick = document.createElement("span");
      tick.style.left = `${hi > lo ? 100 * (v - lo) / (hi - lo) : 0}%`;
      tick.textContent = shown(v);
      return tick;
    }));
    const label = tablesLabel(scale);
    scale.setAttribute("aria-label", `colour scale: ${label}, ${shown(lo)} to ${shown(hi)}`);
  }

  // A shared scale takes its label from the panes it colours: their metric may have changed since the page loaded.
  function tablesLabel(scale) {
    const pane = scale.classList.contains("shared") ? document.querySelector(".compare .lens-pane .scale") : null;
    return (pane || scale).dataset.label;
  }

  // A comparison's panes share one scale and its one colour bar; a lens pane has its own.
  function colourAll() {
    document.querySelectorAll(".compare").forEach(c => {
      const tables = Array.from(c.querySelectorAll("table.lens"));
      if (tables.length) colour(tables, c.parentElement.querySelector(".scale.shared"));
    });
    document.querySelectorAll("table.lens").forEach(t => {
      if (!t.closest(".compare")) colour([t], t.closest(".lens-pane").querySelector(".scale"));
      // One cell of the map is in the tab order (a roving tabindex); the arrow keys move from there.
      const first = t.querySelector("td[data-pos]");
      if (first && !t.querySelector("td[tabindex='0']")) first.tabIndex = 0;
    });
  }

  // The keyboard on the map: arrows move across the grid, Enter (or Space) opens the cell's details.
  const MOVES = { ArrowRight: [0, 1], ArrowLeft: [0, -1], ArrowDown: [1, 0], ArrowUp: [-1, 0] };
  document.addEventListener("keydown", e => {
    const td = e.target instanceof Element && e.target.closest("table.lens td[data-pos]");
    if (!td) return;
    if (e.key === "Enter" || e.key === " ") { e.preventDefault(); td.click(); return; }
    const move = MOVES[e.key];
    if (!move) return;
    const cells = row => Array.from(row.querySelectorAll("td[data-pos]"));
    const rows = Array.from(td.closest("tbody").rows);
    const row = rows[rows.indexOf(td.parentElement) + move[0]];
    const next = row && cells(row)[cells(td.parentElement).indexOf(td) + move[1]];
    if (!next) return;
    e.preventDefault();
    td.tabIndex = -1;
    next.tabIndex = 0;
    next.focus();
  });

  // A reconnecting event stream replays rows: replace a row that is already there rather than repeat it.
  document.addEventListener("htmx:sseBeforeMessage", e => {
    if (e.detail.type !== "row") return;
    const id = /id="([^"]+)"/.exec(e.detail.data);
    const old = id && document.getElementById(id[1]);
    if (old) old.remove();
  });

  document.addEventListener("htmx:sseMessage", e => {
    colourAll();
    if (e.detail.type === "done") charts(e.target.closest(".lens-pane"));
  });
  // Times are sent in UTC (<time datetime>); the reader sees them in their own time zone.
  function localTimes(root) {
    root.querySelectorAll("time[datetime]").forEach(t => {
      const at = new Date(t.getAttribute("datetime"));
      if (isNaN(at)) return;
      t.title = t.title || t.textContent;
      t.textContent = at.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
    });
  }
  document.addEventListener("htmx:afterSettle", e => localTimes(e.target));
  document.addEventListener("DOMContentLoaded", () => localTimes(document));

  document.addEventListener("htmx:afterSettle", e => {
    colourAll();
    e.target.querySelectorAll(".lens-pane").forEach(pane => { if (!pane.querySelector(".stream")) charts(pane); });
  });
  document.addEventListener("DOMContentLoaded", () => {
    colourAll();
    document.querySelectorAll(".lens-pane").forEach(pane => { if (!pane.querySelector(".stream")) charts(pane); });
  });

  // After the browser's Back (or Forward) htmx puts back a snapshot of the page, whose controls still show what the
  // page was first rendered with: set them from the URL, which says what the restored table shows.
  document.addEventListener("htmx:historyRestore", () => {
    const q = new URLSearchParams(location.search);
    document.querySelectorAll("form.controls").forEach(form => {
      // A tuned-lens page has no sub-block switch, and not every controls form has every field.
      const field = name => form.elements.namedItem(name);
      if (field("metric")) field("metric").value = q.get("metric") || "prob";
      if (q.get("topk") && field("topk")) field("topk").value = q.get("topk");
      if (field("sub")) field("sub").checked = q.get("sub") === "1";
    });
    colourAll();
    document.querySelectorAll(".lens-pane").forEach(pane => { if (!pane.querySelector(".stream")) charts(pane); });
  });

  // On a phone the map is wider than the screen and the details sit far below it: open them where the finger is,
  // just under the tapped cell. On a wide screen they stay in the page's flow, under the map.
  const phone = window.matchMedia("(max-width: 600px)");
  function placeNear(detail, td, pane) {
    detail.classList.toggle("near-cell", phone.matches);
    detail.style.top = phone.matches
      ? `${td.getBoundingClientRect().bottom - pane.getBoundingClientRect().top + 4}px` : "";
  }

  // The home page's example prompts fill the prompt box.
  document.addEventListener("click", e => {
    const example = e.target.closest("button.example[data-prompt]");
    if (!example) return;
    const box = document.querySelector("form.prompt textarea[name=prompt]");
    box.value = example.dataset.prompt;
    box.focus();
  });

  document.addEventListener("click", e => {
    const td = e.target.closest("table.lens td[data-pos]");
    if (!td) return;
    const pane = td.closest(".lens-pane");
    pane.querySelectorAll("td.selected").forEach(c => c.classList.remove("selected"));
    td.classList.add("selected");
    pane.querySelectorAll("td[tabindex='0']").forEach(c => { c.tabIndex = -1; });
    td.tabIndex = 0;
    const url = `${pane.dataset.cell}&layer=${encodeURIComponent(td.dataset.layer)}&pos=${td.dataset.pos}`;
    const detail = pane.querySelector(".cell-detail");
    htmx.ajax("GET", url, { target: detail, swap: "innerHTML" }).then(() => placeNear(detail, td, pane));
    const select = pane.querySelector(".chart-position");
    if (select && select.options.length) { select.value = td.dataset.pos; select.dispatchEvent(new Event("change")); }
  });

  // On a comparison, "Colour by" recolours both panes at once (as the lens page's controls do), on one scale, and
  // writes the metric into the URL (/compare?…&metric= or /compare/{id}?metric=), so a reload or a shared link keeps it.
  // A page shown in answer to a post (no short link: storage unusable) has no URL to write it into.
  document.addEventListener("change", e => {
    const select = e.target.closest("form.compare-form select[name=metric]");
    if (!select) return;
    if (location.pathname !== "/compare" || location.search) {
      const here = new URL(location.href);
      here.searchParams.set("metric", select.value);
      history.replaceState(history.state, "", here.pathname + here.search + here.hash);
    }
    document.querySelectorAll(".compare [id^=pane-][hx-get]").forEach(div => {
      const url = new URL(div.getAttribute("hx-get"), location.href);
      url.searchParams.set("metric", select.value);
      div.setAttribute("hx-get", url.pathname + url.search);
      htmx.ajax("GET", url.pathname + url.search, { target: div, swap: "innerHTML" });
    });
  });

  const drawn = new WeakMap();

  // A line chart over layers, with its text alternative: a table of the same numbers behind a <details> after it.
  // A series is its label, or {label, yAxisID} to draw it against one of the `more` axes.
  function lineChart(canvas, labels, series, y, more = {}) {
    const chart = new Chart(canvas, {
      type: "line",
      data: { labels, datasets: series.map(s => ({ ...(typeof s === "string" ? { label: s } : s), data: [], spanGaps: false })) },
      options: { animation: false, maintainAspectRatio: false,
        plugins: { tooltip: { callbacks: { label: c => `${c.dataset.label}: ${fmt4(c.parsed.y)}` } } },
        scales: { x: { title: { display: true, text: "layer" } }, y, ...more } }
    });
    const details = document.createElement("details");
    details.className = "chart-data";
    details.innerHTML = "<summary>the numbers</summary><table class=\"topk\"><thead></thead><tbody></tbody></table>";
    canvas.closest(".chart").after(details);
    canvas.setAttribute("role", "img");
    chart.refresh = () => {
      chart.update();
      canvas.setAttribute("aria-label", `${chart.data.datasets.map(d => d.label).join(", ")} by layer; the numbers follow`);
      const cell = (tag, text) => { const c = document.createElement(tag); c.textContent = text; return c; };
      const head = document.createElement("tr");
      head.append(cell("th", "layer"), ...chart.data.datasets.map(d => cell("th", d.label)));
      details.querySelector("thead").replaceChildren(head);
      details.querySelector("tbody").replaceChildren(...labels.map((l, i) => {
        const row = document.createElement("tr");
        row.append(cell("th", l), ...chart.data.datasets.map(d => cell("td", d.data[i] == null ? "—" : fmt4(d.data[i]))));
        return row;
      }));
    };
    return chart;
  }

  const mean = xs => { const v = xs.filter(x => x != null); return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null; };
  const lenses = new WeakMap(); // each drawn pane's lens JSON

  // The compare page: both sides' mean KL(final ‖ layer) on one chart (logit vs tuned, or two models), once both are in.
  function bothSides() {
    const canvas = document.querySelector(".chart-both");
    const [a, b] = ["#pane-a .lens-pane", "#pane-b .lens-pane"].map(s => lenses.get(document.querySelector(s)));
    if (!canvas || !a || !b || drawn.has(canvas)) return;
    drawn.set(canvas, true);
    const longer = a.layers.length >= b.layers.length ? a : b;
    const chart = lineChart(canvas, longer.layers.map(l => String(l.layer)),
      [`mean KL(final ‖ layer), ${canvas.dataset.a}`, `mean KL(final ‖ layer), ${canvas.dataset.b}`],
      { title: { display: true, text: "nats" }, beginAtZero: true });
    [a, b].forEach((lens, k) => { chart.data.datasets[k].data = lens.layers.map(l => mean(l.positions.map(p => p.kl_final))); });
    chart.refresh();
  }

  async function charts(pane) {
    // A lens that failed (its error is in the status line) has nothing to chart.
    if (!pane || drawn.has(pane) || typeof Chart === "undefined" || pane.querySelector(".status .error")) return;
    drawn.set(pane, true);
    const response = await fetch(pane.dataset.api);
    if (!response.ok) return;
    const lens = await response.json();
    lenses.set(pane, lens);
    bothSides();
    const select = pane.querySelector(".chart-position");
    select.replaceChildren(); // a page put back by the browser's Back has its old options
    lens.tokens.forEach((t, i) => select.add(new Option(`${i}: ${JSON.stringify(t.text)}`, String(i))));
    const labels = lens.layers.map(l => String(l.layer));
    const nats = { title: { display: true, text: "nats" }, beginAtZero: true };
    const logRank = { type: "logarithmic", title: { display: true, text: "rank (log)" }, min: 1 };
    const kl = lineChart(pane.querySelector(".chart-kl"), labels, ["KL(final ‖ layer)", "KL(input ‖ layer)"], nats);
    const rank = lineChart(pane.querySelector(".chart-rank"), labels,
      ["rank of the true next token", "rank of final top-1", "rank of input token"], logRank);
    // The lens by layer: each layer's average over positions (cross-entropy over the positions that have a next token).
    const byLayer = lineChart(pane.querySelector(".chart-by-layer"), labels,
      ["mean KL(final ‖ layer)", "mean cross-entropy of the next token", "mean entropy"], nats);
    byLayer.data.datasets[0].data = lens.layers.map(l => mean(l.positions.map(p => p.kl_final)));
    byLayer.data.datasets[1].data = lens.layers.map(l => mean(l.positions.map(p => p.log_prob_next_token == null ? null : -p.log_prob_next_token)));
    byLayer.data.datasets[2].data = lens.layers.map(l => mean(l.positions.map(p => p.entropy)));
    byLayer.refresh();
    // One token (or the logit difference of two) followed across layers, where it is among a layer's top-k.
    const follow = pane.querySelector("form.follow");
    // Probability on a linear axis, rank on a log axis of its own (as the rank chart above), so that rank 4 is not
    // drawn beside p = 0.1 on one scale; a logit difference has the left axis to itself.
    const followChart = lineChart(pane.querySelector(".chart-follow"), labels,
      ["probability", { label: "rank", yAxisID: "rank" }],
      { title: { display: true, text: "probability" }, min: 0 },
      { rank: { ...logRank, position: "right", grid: { drawOnChartArea: false } } });
    function candidates(pos) {
      const seen = new Map();
      lens.layers.forEach(l => l.positions[pos].top.forEach(t => { if (!seen.has(t.id)) seen.set(t.id, t.text); }));
      [follow.elements.a, follow.elements.b].forEach((sel, k) => {
        const keep = sel.value;
        sel.replaceChildren(...(k ? [new Option("— (none)", "")] : []),
          ...Array.from(seen, ([id, text]) => new Option(`${JSON.stringify(text)} (${id})`, String(id))));
        if (Array.from(sel.options).some(o => o.value === keep)) sel.value = keep;
      });
    }
    function followToken(pos) {
      const a = parseInt(follow.elements.a.value, 10), b = parseInt(follow.elements.b.value, 10);
      const find = (l, id) => { const top = l.positions[pos].top; const k = top.findIndex(t => t.id === id); return k < 0 ? null : { rank: k + 1, t: top[k] }; };
      const sets = followChart.data.datasets;
      const { y, rank: rankAxis } = followChart.options.scales;
      if (Number.isNaN(b)) {
        sets.length = 2;
        y.title.text = "probability"; y.min = 0; rankAxis.display = true;
        sets[0].label = "probability"; sets[0].data = lens.layers.map(l => find(l, a)?.t.prob ?? null);
        sets[1] = { label: "rank (— beyond top-k)", yAxisID: "rank", data: lens.layers.map(l => find(l, a)?.rank ?? null) };
      } else {
        sets.length = 1;
        y.title.text = "logit difference"; delete y.min; rankAxis.display = false;
        sets[0].label = "logit difference"; sets[0].data = lens.layers.map(l => {
          const x = find(l, a), y = find(l, b);
          return x && y ? x.t.logit - y.t.logit : null;
        });
      }
      followChart.refresh();
    }
    follow.addEventListener("submit", e => { e.preventDefault(); followToken(parseInt(select.value, 10)); });
    function show(pos) {
      const at = l => l.positions[pos];
      kl.data.datasets[0].data = lens.layers.map(l => at(l).kl_final);
      kl.data.datasets[1].data = lens.layers.map(l => at(l).kl_input);
      rank.data.datasets[0].data = lens.layers.map(l => at(l).rank_next_token);
      rank.data.datasets[1].data = lens.layers.map(l => at(l).rank_final_top1);
      rank.data.datasets[2].data = lens.layers.map(l => at(l).rank_input_token);
      kl.refresh();
      rank.refresh();
      candidates(pos);
      followToken(pos);
    }
    select.addEventListener("change", () => show(parseInt(select.value, 10)));
    select.value = String(lens.tokens.length - 1);
    show(lens.tokens.length - 1);
  }
})();
