// Run pages: every <canvas data-chart> declares which events it draws and how; this file only feeds Chart.js from
// the page's SSE stream (the one htmx opened), whose `data` events carry each run event's JSON with its sequence
// number as id. A reconnect replays from the start, so events already drawn (id not above the last one) are skipped.
(function () {
  "use strict";
  // "top.text" of {top: [{text: "a"}, …]} is ["a", …]; "m" of {m: 3} is 3.
  const pick = (data, path) => path.split(".").reduce((v, key) => Array.isArray(v) ? v.map(x => x[key]) : v && v[key], data);

  function chart(canvas) {
    const spec = JSON.parse(canvas.dataset.chart);
    const series = spec.series || [{ key: spec.values, label: spec.label }];
    const c = new Chart(canvas, {
      type: spec.type,
      data: { labels: [], datasets: series.map(s => ({ label: s.label, data: [], pointRadius: spec.points ? 3 : 0, borderDash: s.dash ? [6, 4] : [] })) },
      options: { animation: false, maintainAspectRatio: false,
        scales: { x: { title: { display: true, text: spec.xTitle } },
                  y: { type: spec.log ? "logarithmic" : "linear", title: { display: true, text: spec.yTitle } } } }
    });
    const latest = {};  // the last data of each event type, for series that read another event ("from")
    let lastId = 0;
    let queued = false;
    const redraw = () => { queued = false; c.update(); };
    return event => {
      const id = Number(event.lastEventId);
      if (id <= lastId) return;
      lastId = id;
      const { type, data } = JSON.parse(event.data);
      latest[type] = data;
      if (type !== spec.event) return;
      if (spec.x) {
        c.data.labels.push(pick(data, spec.x));
        series.forEach((s, i) => c.data.datasets[i].data.push(pick(s.from ? latest[s.from] || {} : data, s.key)));
      } else {
        c.data.labels = pick(data, spec.labels);
        series.forEach((s, i) => { c.data.datasets[i].data = pick(data, s.key); });
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
