// A feature run's page follows its run over SSE (history replayed first, then live): search progress and the
// best tokens so far, or the ascent's objective curve and current tokens. Token texts show spaces as '·'.
(function () {
  "use strict";
  const root = document.querySelector(".run");
  if (!root) return;
  const id = root.dataset.run;
  const kind = root.dataset.kind;
  const shown = t => t.replace(/ /g, "·").replace(/\n/g, "↵");
  // Each token's title lists the position's top-k decodings, when the event has them.
  const tokens = (el, texts, topk) => el.replaceChildren(...texts.map((t, i) => {
    const code = document.createElement("code");
    code.textContent = shown(t);
    if (topk) code.title = `top-${topk[i].length}: ${topk[i].map(shown).join("  ")}`;
    return code;
  }));
  const progress = fraction => {
    const bar = root.querySelector(".run-progress");
    if (!bar) return;
    bar.value = fraction;
    root.querySelector(".progress-text").textContent = `${(100 * fraction).toFixed(0)}%`;
  };
  const chart = (selector, type, datasets, xTitle, yTitle) => new Chart(root.querySelector(selector), {
    type, data: { labels: [], datasets },
    options: { animation: false, maintainAspectRatio: false,
      scales: { x: { title: { display: true, text: xTitle } }, y: { title: { display: true, text: yTitle } } } }
  });

  let onStep = () => {};
  let onBatch = () => {};
  let onToken = () => {};
  let onDone = () => {};
  if (kind === "exhaustive") {
    const top = chart(".chart-top", "bar", [{ label: "feature at position 0", data: [] }], "token", "feature value");
    onBatch = b => {
      progress(b.tokens_done / b.vocabulary);
      top.data.labels = b.top.map(t => `${shown(t.text)} (${t.id})`);
      top.data.datasets[0].data = b.top.map(t => t.value);
      top.update();
    };
  } else if (kind === "greedy") {
    const chosen = chart(".chart-chosen", "bar", [{ label: "feature after the token", data: [] }], "token", "feature value");
    onBatch = b => progress(b.candidates_done / b.candidates_total);
    onToken = t => {
      tokens(root.querySelector(".live-tokens"), t.tokens);
      chosen.data.labels = t.tokens.map(shown);
      chosen.data.datasets[0].data.push(t.token.value);
      chosen.update();
    };
  } else {
    const curve = chart(".chart-objective", "line", [
      { label: "objective J", data: [], pointRadius: 0 },
      { label: "feature f", data: [], pointRadius: 0, borderDash: [6, 4] }], "step", "value");
    onStep = s => {
      curve.data.labels.push(s.step);
      curve.data.datasets[0].data.push(s.objective);
      curve.data.datasets[1].data.push(s.value);
      if (s.tokens) {
        tokens(root.querySelector(".live-tokens"), s.tokens, s.topk_tokens);
        root.querySelector(".decoded-step").textContent = `(step ${s.step})`;
      }
      if (s.step % 10 === 0) curve.update();
    };
    onDone = () => curve.update();
  }

  const source = new EventSource(`/api/runs/${id}/events`);
  source.addEventListener("state", e => { document.getElementById("run-state").textContent = JSON.parse(e.data).state; });
  source.addEventListener("batch", e => onBatch(JSON.parse(e.data)));
  source.addEventListener("token", e => onToken(JSON.parse(e.data)));
  source.addEventListener("step", e => onStep(JSON.parse(e.data)));
  source.addEventListener("done", e => {
    source.close();
    onDone();
    root.querySelectorAll("form.cancel").forEach(f => f.remove());
    document.getElementById("run-state").textContent = JSON.parse(e.data).state;
    htmx.ajax("GET", `/runs/${id}/result`, { target: "#run-result", swap: "innerHTML" });
  });
})();
