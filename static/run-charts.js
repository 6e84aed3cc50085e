// Run pages: every <canvas data-chart> declares which events it draws and how; this file only feeds Chart.js from
// the page's SSE stream (the one htmx opened), whose `data` events carry each run event's JSON with its sequence
// number as id. A reconnect replays from the start, so events already drawn (id not above the last one) are skipped.
//
// A spec may also say:
//   "group": a field of the event; one line per value of it (a probe per layer), x restarting within each line;
//   series[i].never: a field holding, per label, whether that point "never" happened (a criterion never met): the
//     point is drawn at the top of the axis with its own marker, labelled "never" on the axis and in the tooltip.
// Lines that coincide stay told apart: each series has its own marker, and a line equal to an earlier one says so
// in the legend ("same as …").
(function () {
  "use strict";
  // "top.text" of {top: [{text: "a"}, …]} is ["a", …]; "m" of {m: 3} is 3.
  const pick = (data, path) => path.split(".").reduce((v, key) => Array.isArray(v) ? v.map(x => x[key]) : v && v[key], data);

  // Chart.js's own palette, given explicitly: its automatic colours skip datasets added after the first draw.
  const COLOURS = ["#36a2eb", "#ff6384", "#4bc0c0", "#ff9f40", "#9966ff", "#ffcd56", "#c9cbcf", "#2e7d32", "#8d6e63", "#000000"];
  const MARKERS = ["circle", "rect", "triangle", "rectRot", "star", "rectRounded", "cross"];
  const NEVER = "crossRot"; // no series uses it, so a "never" point is never mistaken for a series' marker

  function chart(canvas) {
    const spec = JSON.parse(canvas.dataset.chart);
    const series = spec.series || [{ key: spec.values, label: spec.label }];
    const radius = spec.points ? 4 : 0;
    const dataset = (s, i, label) => ({
      label, name: label, data: [], borderColor: COLOURS[i % COLOURS.length], backgroundColor: COLOURS[i % COLOURS.length],
      borderDash: s.dash ? [6, 4] : [], marker: MARKERS[i % MARKERS.length],
      pointStyle: c => (c.dataset.never && c.dataset.never[c.dataIndex] ? NEVER : c.dataset.marker),
      pointRadius: c => (c.dataset.never && c.dataset.never[c.dataIndex] ? 8 : radius)
    });
    let neverAt = null; // the y at which "never" points are drawn, while there are any
    function tickLabel(v, i, ticks) { // `this` is the axis
      if (neverAt !== null && v === neverAt) return "never";
      return (spec.log ? Chart.defaults.scales.logarithmic.ticks.callback : Chart.Ticks.formatters.numeric).call(this, v, i, ticks);
    }
    const c = new Chart(canvas, {
      type: spec.type,
      data: { labels: [], datasets: spec.group ? [] : series.map((s, i) => dataset(s, i, s.label)) },
      options: { animation: false, maintainAspectRatio: false,
        plugins: { legend: { labels: { usePointStyle: !!spec.points } },
                   tooltip: { callbacks: { label: t => (t.dataset.never && t.dataset.never[t.dataIndex]
                     ? `${t.dataset.name}: never` : `${t.dataset.label}: ${t.formattedValue}`) } } },
        scales: { x: { title: { display: true, text: spec.xTitle } },
                  // yMin/yMax: a bounded quantity (a fraction) keeps its bounds, not an axis fitted past them
                  y: { type: spec.log ? "logarithmic" : "linear", title: { display: true, text: spec.yTitle }, min: spec.yMin, max: spec.yMax,
                       ticks: { callback: tickLabel },
                       // the "never" row's tick replaces any tick above it
                       afterBuildTicks: axis => { if (neverAt !== null) axis.ticks = [...axis.ticks.filter(t => t.value < neverAt), { value: neverAt }]; } } } }
    });
    const groups = new Map(); // group value -> its dataset
    const latest = {};  // the last data of each event type, for series that read another event ("from")
    let lastId = 0;
    let queued = false;
    const redraw = () => { queued = false; c.update(); };

    function grouped(data) {
      const g = pick(data, spec.group);
      if (!groups.has(g)) {
        groups.set(g, dataset(series[0], groups.size, `${series[0].label} ${g}`));
        c.data.datasets.push(groups.get(g));
      }
      const x = String(pick(data, spec.x));
      if (!c.data.labels.includes(x)) c.data.labels.push(x);
      groups.get(g).data.push({ x, y: pick(data, series[0].key) });
    }

    // "never" points at the top of the axis (a tenth above the highest value), and "same as" in the legend.
    function whole(data) {
      c.data.labels = pick(data, spec.labels);
      series.forEach((s, i) => {
        const d = c.data.datasets[i];
        d.data = (pick(data, s.key) || []).slice();
        d.never = s.never ? pick(data, s.never) : null;
      });
      const values = c.data.datasets.flatMap(d => d.data.filter(v => v != null && Number.isFinite(v)));
      const never = c.data.datasets.some(d => d.never && d.never.includes(true));
      const top = values.length ? Math.max(...values) : 1;
      neverAt = !never ? null : spec.log ? top * 2 : top + Math.max(0.1 * Math.abs(top), 1);
      c.options.scales.y.max = neverAt === null ? spec.yMax : neverAt;
      c.data.datasets.forEach(d => { if (d.never) d.data = d.data.map((v, k) => (d.never[k] ? neverAt : v)); });
      c.data.datasets.forEach((d, i) => {
        const key = JSON.stringify(d.data);
        const same = c.data.datasets.slice(0, i).find(e => d.data.some(v => v != null) && JSON.stringify(e.data) === key);
        d.label = d.name + (same ? ` (same as ${same.name})` : "") + (d.never && d.never.includes(true) ? " (✕ at the top: never)" : "");
      });
    }

    return event => {
      const id = Number(event.lastEventId);
      if (id <= lastId) return;
      lastId = id;
      const { type, data } = JSON.parse(event.data);
      latest[type] = data;
      if (type !== spec.event) return;
      if (spec.group) {
        grouped(data);
      } else if (spec.x) {
        c.data.labels.push(pick(data, spec.x));
        series.forEach((s, i) => c.data.datasets[i].data.push(pick(s.from ? latest[s.from] || {} : data, s.key)));
      } else {
        whole(data);
      }
      if (!queued) { queued = true; requestAnimationFrame(redraw); }
    };
  }

  document.body.addEventListener("htmx:sseOpen", opened => {
    opened.target.querySelectorAll("canvas[data-chart]").forEach(canvas => {
      canvas.feed = canvas.feed || chart(canvas);
      opened.detail.source.addEventListener("data", canvas.feed);
    });
  });
})();
