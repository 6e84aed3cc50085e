// The little JavaScript the dashboard needs: colour the lens tables from their data-v values, open a
// clicked cell's details through htmx, and draw Chart.js charts from the JSON API once a lens is done.
(function () {
  "use strict";

  function colour(table) {
    const log = table.dataset.log === "true";
    const cells = Array.from(table.querySelectorAll("td[data-v]"));
    const value = td => { const v = parseFloat(td.dataset.v); return log ? Math.log10(Math.max(v, 1)) : v; };
    const values = cells.map(value).filter(Number.isFinite);
    if (values.length === 0) return;
    const lo = Math.min(...values), hi = Math.max(...values);
    cells.forEach(td => {
      const t = hi > lo ? (value(td) - lo) / (hi - lo) : 0;
      td.style.background = `hsl(232, 60%, ${97 - 55 * t}%)`;
      td.style.color = t > 0.55 ? "#fff" : "";
    });
    const range = table.closest(".lens-pane").querySelector(".range");
    const fmt = v => (log ? Math.round(10 ** v).toString() : v.toPrecision(4));
    if (range) range.textContent = `${fmt(lo)} (light) to ${fmt(hi)} (dark)${log ? ", log scale" : ""}`;
  }

  function colourAll() { document.querySelectorAll("table.lens").forEach(colour); }

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
  document.addEventListener("htmx:afterSettle", e => {
    colourAll();
    e.target.querySelectorAll(".lens-pane").forEach(pane => { if (!pane.querySelector(".stream")) charts(pane); });
  });
  document.addEventListener("DOMContentLoaded", () => {
    colourAll();
    document.querySelectorAll(".lens-pane").forEach(pane => { if (!pane.querySelector(".stream")) charts(pane); });
  });

  document.addEventListener("click", e => {
    const td = e.target.closest("table.lens td[data-pos]");
    if (!td) return;
    const pane = td.closest(".lens-pane");
    pane.querySelectorAll("td.selected").forEach(c => c.classList.remove("selected"));
    td.classList.add("selected");
    const url = `${pane.dataset.cell}&layer=${encodeURIComponent(td.dataset.layer)}&pos=${td.dataset.pos}`;
    htmx.ajax("GET", url, { target: pane.querySelector(".cell-detail"), swap: "innerHTML" });
    const select = pane.querySelector(".chart-position");
    if (select && select.options.length) { select.value = td.dataset.pos; select.dispatchEvent(new Event("change")); }
  });

  const drawn = new WeakMap();

  async function charts(pane) {
    // A lens that failed (its error is in the status line) has nothing to chart.
    if (!pane || drawn.has(pane) || typeof Chart === "undefined" || pane.querySelector(".status .error")) return;
    drawn.set(pane, true);
    const response = await fetch(pane.dataset.api);
    if (!response.ok) return;
    const lens = await response.json();
    const select = pane.querySelector(".chart-position");
    lens.tokens.forEach((t, i) => select.add(new Option(`${i}: ${JSON.stringify(t.text)}`, String(i))));
    const labels = lens.layers.map(l => String(l.layer));
    const kl = new Chart(pane.querySelector(".chart-kl"), {
      type: "line",
      data: { labels, datasets: [{ label: "KL(final ‖ layer)", data: [] }, { label: "KL(input ‖ layer)", data: [] }] },
      options: { animation: false, maintainAspectRatio: false,
        scales: { x: { title: { display: true, text: "layer" } }, y: { title: { display: true, text: "nats" }, beginAtZero: true } } }
    });
    const rank = new Chart(pane.querySelector(".chart-rank"), {
      type: "line",
      data: { labels, datasets: [{ label: "rank of final top-1", data: [] }, { label: "rank of input token", data: [] }] },
      options: { animation: false, maintainAspectRatio: false,
        scales: { x: { title: { display: true, text: "layer" } }, y: { type: "logarithmic", title: { display: true, text: "rank (log)" }, min: 1 } } }
    });
    function show(pos) {
      const at = l => l.positions[pos];
      kl.data.datasets[0].data = lens.layers.map(l => at(l).kl_final);
      kl.data.datasets[1].data = lens.layers.map(l => at(l).kl_input);
      rank.data.datasets[0].data = lens.layers.map(l => at(l).rank_final_top1);
      rank.data.datasets[1].data = lens.layers.map(l => at(l).rank_input_token);
      kl.update();
      rank.update();
    }
    select.addEventListener("change", () => show(parseInt(select.value, 10)));
    select.value = String(lens.tokens.length - 1);
    show(lens.tokens.length - 1);
  }
})();
