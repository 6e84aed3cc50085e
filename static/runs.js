// A run page follows its run over SSE: the event stream replays the history first, then goes live.
(function () {
  "use strict";
  const root = document.querySelector(".run");
  if (!root) return;
  const id = root.dataset.run;
  const shown = tokens => tokens.map(t => t.replace(/ /g, "·").replace(/\n/g, "↵"));
  const cells = (el, tokens, target) => {
    el.replaceChildren(...tokens.map((t, i) => {
      const code = document.createElement("code");
      code.textContent = t;
      if (target && target[i] === t) code.className = "ok";
      return code;
    }));
  };
  let target = null;
  const loss = new Chart(root.querySelector(".chart-loss"), {
    type: "line",
    data: { labels: [], datasets: [
      { label: "‖O_l(eₙ) − O_l(e)‖", data: [], pointRadius: 0 },
      { label: "yardstick m", data: [], pointRadius: 0, borderDash: [6, 4] } ] },
    options: { animation: false, maintainAspectRatio: false,
      scales: { x: { title: { display: true, text: "step" } }, y: { type: "logarithmic", title: { display: true, text: "loss (log)" } } } }
  });
  let m = null;
  const source = new EventSource(`/api/runs/${id}/events`);
  source.addEventListener("state", e => { document.getElementById("run-state").textContent = JSON.parse(e.data).state; });
  source.addEventListener("target", e => {
    const t = JSON.parse(e.data);
    target = shown(t.tokens);
    m = t.m;
    cells(root.querySelector(".target-tokens"), target);
  });
  source.addEventListener("step", e => {
    const s = JSON.parse(e.data);
    loss.data.labels.push(s.step);
    loss.data.datasets[0].data.push(s.loss);
    loss.data.datasets[1].data.push(m);
    if (s.tokens) {
      cells(root.querySelector(".decoded-tokens"), shown(s.tokens), target);
      root.querySelector(".decoded-step").textContent = `(step ${s.step})`;
    }
    if (s.step % 10 === 0) loss.update();
  });
  source.addEventListener("done", e => {
    source.close();
    loss.update();
    root.querySelectorAll("form.cancel").forEach(f => f.remove());
    const d = JSON.parse(e.data);
    document.getElementById("run-state").textContent = d.state;
    htmx.ajax("GET", `/runs/${id}/result`, { target: "#run-result", swap: "innerHTML" });
  });
})();
