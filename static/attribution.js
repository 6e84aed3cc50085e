// The attribution page's chart: each component's direct contribution to the logit, per layer as bars, the heads (and
// b_O) stacked in one bar and the MLP's bar beside it, the embeddings first; hovering a bar names its component, its
// contribution and the tokens it promotes and suppresses. The same numbers are in the table behind "the numbers".
(() => {
  const canvas = document.querySelector("canvas.attribution-chart");
  const source = document.getElementById("attribution-data");
  if (!canvas || !source || typeof Chart === "undefined") return;
  const r = JSON.parse(source.textContent);
  const labels = ["embed", ...Array.from({ length: r.layer }, (_, l) => `block ${l}`)];
  const fmt = v => Number(v).toPrecision(4);
  const tokens = list => list.map(t => `${JSON.stringify(t.text)} ${fmt(t.value)}`).join(", ");

  // One dataset per kind of component (head h, b_O, MLP, each embedding); its value at a label is that block's.
  const kind = c => c.head != null ? `head ${c.head}` : c.name.endsWith(".b_O") ? "b_O"
    : c.name.endsWith(".hook_mlp_out") ? "MLP" : c.name;
  const colour = (key, c) => c.head != null ? `hsl(${(c.head * 47) % 360} 65% 55%)`
    : key === "MLP" ? "hsl(28 85% 45%)" : key === "b_O" ? "hsl(0 0% 60%)"
    : key === "hook_pos_embed" ? "hsl(210 20% 62%)" : "hsl(210 20% 35%)";
  const datasets = new Map();
  r.components.forEach(c => {
    const key = kind(c);
    if (!datasets.has(key)) {
      datasets.set(key, { label: key, stack: key === "MLP" ? "mlp" : "attn", backgroundColor: colour(key, c), skipNull: true,
        data: labels.map(() => null), components: labels.map(() => null) });
    }
    const d = datasets.get(key);
    const x = c.layer == null ? 0 : c.layer + 1;
    d.data[x] = c.contribution;
    d.components[x] = c;
  });

  new Chart(canvas, {
    type: "bar",
    data: { labels, datasets: [...datasets.values()] },
    options: {
      animation: false, maintainAspectRatio: false,
      plugins: {
        legend: { position: "bottom" },
        tooltip: { callbacks: {
          label: c => { const comp = c.dataset.components[c.dataIndex]; return `${comp.name}: ${fmt(comp.contribution)}`; },
          afterLabel: c => { const comp = c.dataset.components[c.dataIndex];
            return [`promotes ${tokens(comp.promotes)}`, `suppresses ${tokens(comp.suppresses)}`]; }
        } }
      },
      scales: {
        x: { stacked: true, title: { display: true, text: "layer (heads stacked, MLP beside)" } },
        y: { stacked: true, title: { display: true, text: r.against ? "contribution to the logit difference" : "contribution to the logit" } }
      }
    }
  });
})();
