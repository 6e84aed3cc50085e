// The attention page: draws every head's pattern from the JSON the server put in the page (no second request).
// Weights are read as p[((l * H + h) * T + q) * T + k]: layer, head, query (row), key (column).
(function () {
  const source = document.getElementById('attention-data');
  if (!source) return;
  const d = JSON.parse(source.textContent);
  const T = d.t, H = d.heads;
  const at = (l, h, q, k) => d.p[((l * H + h) * T + q) * T + k];
  const tok = i => i + ' ‘' + d.tokens[i] + '’';
  const fmt = v => v.toFixed(4);

  // white (0) to dark blue (1)
  const rgb = v => [255 + (8 - 255) * v, 255 + (48 - 255) * v, 255 + (107 - 255) * v].map(Math.round);
  const colour = v => 'rgb(' + rgb(v).join(',') + ')';

  // Every small map: one pixel per weight, scaled up by CSS.
  document.querySelectorAll('button.head-map').forEach(b => {
    const l = +b.dataset.layer, h = +b.dataset.head;
    const c = b.querySelector('canvas').getContext('2d');
    const img = c.createImageData(T, T);
    for (let q = 0; q < T; q++) for (let k = 0; k < T; k++) {
      const [r, g, bl] = rgb(at(l, h, q, k)), i = 4 * (q * T + k);
      img.data[i] = r; img.data[i + 1] = g; img.data[i + 2] = bl; img.data[i + 3] = 255;
    }
    c.putImageData(img, 0, 0);
  });

  // A heat map on a canvas with labels on both axes, a hover read-out and a keyboard cursor. spec: rows, cols,
  // value(r, c), rowLabel(r), colLabel(c), describe(r, c) and the element the read-out goes to.
  function heat(canvas, spec) {
    const ctx = canvas.getContext('2d');
    let cursor = null, geo = null;
    function layout() {
      const width = Math.min(canvas.parentElement.clientWidth || 320, 900);
      ctx.font = '11px system-ui, sans-serif';
      let label = 0;
      for (let r = 0; r < spec.rows; r++) label = Math.max(label, ctx.measureText(spec.rowLabel(r)).width);
      let top = 0;
      for (let c = 0; c < spec.cols; c++) top = Math.max(top, ctx.measureText(spec.colLabel(c)).width);
      const left = Math.min(label, 90) + 6;
      const cell = Math.max(2, Math.min(28, Math.floor((width - left - 2) / spec.cols)));
      const showCols = cell >= 9;
      return { left, top: showCols ? Math.min(top, 90) + 6 : 4, cell, showCols, showRows: cell >= 9 || spec.rows <= 40 };
    }
    function draw() {
      geo = layout();
      const dpr = window.devicePixelRatio || 1;
      const w = geo.left + spec.cols * geo.cell + 2, h = geo.top + spec.rows * geo.cell + 2;
      canvas.width = Math.round(w * dpr); canvas.height = Math.round(h * dpr);
      canvas.style.width = w + 'px'; canvas.style.height = h + 'px';
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.font = Math.min(11, geo.cell) + 'px system-ui, sans-serif';
      ctx.fillStyle = '#fafbfc'; ctx.fillRect(0, 0, w, h);
      for (let r = 0; r < spec.rows; r++) for (let c = 0; c < spec.cols; c++) {
        ctx.fillStyle = colour(spec.value(r, c));
        ctx.fillRect(geo.left + c * geo.cell, geo.top + r * geo.cell, geo.cell, geo.cell);
      }
      ctx.fillStyle = '#1d2330'; ctx.textBaseline = 'middle';
      if (geo.showRows) {
        ctx.textAlign = 'right';
        for (let r = 0; r < spec.rows; r++) ctx.fillText(spec.rowLabel(r), geo.left - 4, geo.top + (r + .5) * geo.cell, geo.left - 6);
      }
      if (geo.showCols) {
        ctx.textAlign = 'left';
        for (let c = 0; c < spec.cols; c++) {
          ctx.save(); ctx.translate(geo.left + (c + .5) * geo.cell, geo.top - 4); ctx.rotate(-Math.PI / 2);
          ctx.fillText(spec.colLabel(c), 0, 0, geo.top - 6); ctx.restore();
        }
      }
      if (cursor) {
        ctx.strokeStyle = '#e8590c'; ctx.lineWidth = 2;
        ctx.strokeRect(geo.left + cursor.c * geo.cell + 1, geo.top + cursor.r * geo.cell + 1, geo.cell - 2, geo.cell - 2);
      }
    }
    function show(r, c) {
      cursor = { r, c };
      spec.out.textContent = spec.describe(r, c);
      draw();
    }
    canvas.addEventListener('mousemove', e => {
      const box = canvas.getBoundingClientRect();
      const c = Math.floor((e.clientX - box.left - geo.left) / geo.cell), r = Math.floor((e.clientY - box.top - geo.top) / geo.cell);
      if (r >= 0 && r < spec.rows && c >= 0 && c < spec.cols && (!cursor || cursor.r !== r || cursor.c !== c)) show(r, c);
    });
    canvas.addEventListener('keydown', e => {
      const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
      const m = moves[e.key];
      if (!m) return;
      e.preventDefault();
      const from = cursor || { r: 0, c: 0 };
      show(Math.max(0, Math.min(spec.rows - 1, from.r + (cursor ? m[0] : 0))), Math.max(0, Math.min(spec.cols - 1, from.c + (cursor ? m[1] : 0))));
    });
    canvas.addEventListener('focus', () => { if (!cursor) show(0, 0); });
    draw();
    return { draw, set(s) { Object.assign(spec, s); cursor = null; spec.out.textContent = ''; draw(); } };
  }

  // One head, large: tokens on both axes.
  const big = document.querySelector('canvas.big-map');
  const bigOut = document.getElementById('big-value');
  let chosen = null;
  function headSpec(l, h) {
    return {
      rows: T, cols: T, out: bigOut, value: (q, k) => at(l, h, q, k), rowLabel: tok, colLabel: tok,
      describe: (q, k) => 'layer ' + l + ', head ' + h + ': query ' + tok(q) + ' → key ' + tok(k) + ': '
        + (k > q ? '0 (a later key: masked)' : fmt(at(l, h, q, k)))
    };
  }
  const bigMap = heat(big, headSpec(0, 0));
  function choose(button, focus) {
    if (chosen) chosen.setAttribute('aria-pressed', 'false');
    chosen = button;
    button.setAttribute('aria-pressed', 'true');
    const l = +button.dataset.layer, h = +button.dataset.head;
    document.querySelector('.big-layer').textContent = l;
    document.querySelector('.big-head').textContent = h;
    bigMap.set(headSpec(l, h));
    if (focus) big.focus();
  }
  document.querySelectorAll('button.head-map').forEach(b => b.addEventListener('click', () => choose(b, true)));
  big.addEventListener('keydown', e => { if (e.key === 'Escape' && chosen) chosen.focus(); });
  choose(document.querySelector('button.head-map'), false);

  // One token across all heads: per layer, heads as rows and positions as columns.
  const form = document.querySelector('form.token-view');
  const strips = document.querySelector('.strips');
  const stripOut = document.getElementById('strip-value');
  function drawStrips() {
    const pos = +form.elements.pos.value, from = form.elements.direction.value === 'from';
    strips.replaceChildren();
    for (let l = 0; l < d.layers; l++) {
      const title = document.createElement('h3');
      title.textContent = 'Layer ' + l + (from ? ': what ' + tok(pos) + ' reads' : ': who reads ' + tok(pos));
      const canvas = document.createElement('canvas');
      canvas.tabIndex = 0;
      canvas.setAttribute('aria-label', title.textContent + ', heads as rows, positions as columns');
      canvas.setAttribute('aria-describedby', 'strip-value');
      strips.append(title, canvas);
      heat(canvas, {
        rows: H, cols: T, out: stripOut, rowLabel: h => 'head ' + h, colLabel: tok,
        value: (h, i) => from ? at(l, h, pos, i) : at(l, h, i, pos),
        describe: (h, i) => 'layer ' + l + ', head ' + h + ': ' + (from ? 'query ' + tok(pos) + ' → key ' + tok(i)
          : 'query ' + tok(i) + ' → key ' + tok(pos)) + ': ' + fmt(from ? at(l, h, pos, i) : at(l, h, i, pos))
      });
    }
  }
  form.addEventListener('change', drawStrips);
  form.addEventListener('submit', e => e.preventDefault());
  drawStrips();

  let resize = null;
  window.addEventListener('resize', () => { clearTimeout(resize); resize = setTimeout(() => { bigMap.draw(); drawStrips(); }, 150); });
  const focus = +document.getElementById('attention').dataset.pos;
  if (focus >= 0) document.getElementById('one-token').scrollIntoView();
})();
