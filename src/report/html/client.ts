/**
 * The page's own stylesheet and script (kept as strings: the page is one self-contained file). The script
 * reads the embedded JSON (#report-data) and draws every chart with uPlot; each chart records how many
 * points it drew in window.__charts (the browser test checks them).
 */

/** The page's CSS: system fonts, cards, verdict colours, tables that fit the page. */
export const PAGE_CSS = `
:root { --fg:#1f2328; --muted:#59636e; --line:#d1d9e0; --bg:#f6f8fa; --card:#fff; --blue:#0969da;
  --pass:#1a7f37; --regression:#cf222e; --inconclusive:#9a6700; --incomparable:#6e7781; }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif; color:var(--fg); background:var(--bg); }
header { padding:18px 28px 8px; background:var(--card); border-bottom:1px solid var(--line); }
h1 { font-size:22px; margin:0 0 4px; }
h2 { font-size:19px; margin:28px 0 10px; }
h3 { font-size:16px; margin:0 0 2px; }
.meta, .ident, .note { color:var(--muted); font-size:13px; }
main { max-width:1120px; margin:0 auto; padding:8px 24px 40px; }
.card { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:14px 16px; margin:12px 0; }
.tiles { display:grid; grid-template-columns:repeat(auto-fit,minmax(250px,1fr)); gap:12px; }
.tile { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:12px 14px; }
.tile .big { font-size:26px; font-weight:600; }
.tile .unit { font-size:14px; color:var(--muted); font-weight:400; }
.badge { display:inline-block; padding:1px 8px; border-radius:10px; font-size:12px; font-weight:600; color:#fff; background:var(--incomparable); }
.badge.PASS { background:var(--pass); } .badge.REGRESSION { background:var(--regression); }
.badge.INCONCLUSIVE { background:var(--inconclusive); } .badge.INCOMPARABLE { background:var(--incomparable); }
.badge.none { background:#afb8c1; }
table { border-collapse:collapse; width:100%; font-size:13px; margin-top:8px; }
th, td { text-align:left; padding:4px 8px; border-bottom:1px solid var(--line); vertical-align:top; }
th { background:var(--bg); font-weight:600; }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; }
td.num { white-space:nowrap; }
ul.reasons { margin:6px 0 0; padding-left:18px; font-size:13px; }
.chart { margin-top:6px; }
.cp { color:var(--regression); font-weight:600; }
.u-legend { font-size:12px; }
.u-title { font-size:14px !important; font-weight:600 !important; }
`;

/** The page's script (ES2020, no modules, no network). */
export const CLIENT_JS = `
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var app = document.getElementById("app");
  app.textContent = "";
  window.__charts = [];
  var COLORS = { PASS: "#1a7f37", REGRESSION: "#cf222e", INCONCLUSIVE: "#bf8700", INCOMPARABLE: "#8c959f", none: "#57606a", baseline: "#0969da" };
  var charts = [];

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) { if (k === "text") e.textContent = attrs[k]; else e.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { if (c != null) e.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return e;
  }
  function fmt(v) {
    if (v == null || !isFinite(v)) return "–";
    var a = Math.abs(v);
    return a >= 1000 ? v.toFixed(0) : a >= 100 ? v.toFixed(1) : a >= 10 ? v.toFixed(2) : v.toFixed(3);
  }
  function axisFmt(u, vals) {
    var allInt = vals.every(function (v) { return v == null || Math.abs(v - Math.round(v)) < 1e-9; });
    return vals.map(function (v) { return v == null ? "" : allInt ? String(Math.round(v)) : Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? String(+v.toFixed(2)) : String(+v.toPrecision(3)); });
  }
  function count(v) { return v == null || !isFinite(v) ? "–" : Math.round(v).toLocaleString("en-US"); }
  function unitText(u) { return u === "output_token" ? "output token" : u === "embedding_call" ? "embedding call" : (u || "unit"); }
  function ivChange(iv) { return iv.change == null ? "–" : (iv.change >= 0 ? "+" : "−") + Math.abs(iv.change * 100).toFixed(2) + " %"; }
  function ivThreshold(iv) { return iv.threshold == null ? "–" : "+" + (iv.threshold * 100).toFixed(1) + " %"; }
  function ivBadge(iv) { return iv.verdict ? badge(iv.verdict) : el("span", { class: "badge none", text: "not counted" }); }
  function pct(f) { return (f >= 0 ? "+" : "−") + Math.abs(f * 100).toFixed(1) + " %"; }
  function shortCommit(c) { return c ? c.slice(0, 8) : "no commit"; }
  function day(iso) { return iso ? iso.replace("T", " ").slice(0, 16) : ""; }
  function badge(v) { return el("span", { class: "badge " + (v || "none"), text: v || "no verdict" }); }
  function chartWidth(box) { return Math.max(320, Math.min(1060, (box.clientWidth || 900) - 4)); }

  /** Registers a chart; counts the non-null points of its visible series after each draw. */
  function track(id, u, expected) {
    var rec = { id: id, expected: expected, drawn: 0, draws: 0 };
    window.__charts.push(rec);
    return rec;
  }
  function countPoints(u, rec) {
    var n = 0;
    for (var s = 1; s < u.series.length; s++) {
      if (!u.series[s].show || u.series[s].countless) continue;
      var ys = u.data[s];
      for (var i = 0; i < ys.length; i++) if (ys[i] != null) n++;
    }
    rec.drawn = n;
    rec.draws++;
  }
  function makeChart(id, box, opts, d, expected) {
    var rec;
    opts.width = chartWidth(box);
    opts.hooks = opts.hooks || {};
    opts.hooks.draw = (opts.hooks.draw || []).concat([function (u) { countPoints(u, rec); }]);
    rec = track(id, null, expected);
    var u = new uPlot(opts, d, box);
    charts.push({ u: u, box: box });
    return u;
  }
  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.u.setSize({ width: chartWidth(c.box), height: c.u.height }); });
  });

  function pointsOnly(label, color, size) {
    return { label: label, stroke: color, fill: color, width: 0, paths: function () { return null; },
      points: { show: true, size: size, stroke: "#ffffff", fill: color, width: 1 },
      value: function (u, v) { return v == null ? "–" : fmt(v); } };
  }

  // ---- summary tiles ----
  function summary() {
    var sec = el("section", null, [el("h2", { text: "At a glance" })]);
    var tiles = el("div", { class: "tiles" });
    data.trends.forEach(function (t) {
      if (t !== gatedTrend(t.mode)) return;
      var g = t.groups[0];
      if (!g || g.points.length === 0) return;
      var last = g.points[g.points.length - 1];
      var base = null;
      for (var i = g.points.length - 1; i >= 0; i--) if (g.points[i].kind === "baseline") { base = g.points[i]; break; }
      var lines = [
        el("div", { class: "meta", text: t.mode + " · " + t.metric.label }),
        el("div", { class: "big" }, [fmt(last.median) + " ", el("span", { class: "unit", text: t.metric.unit })]),
        el("div", null, [badge(last.verdict), " latest run " + day(last.started_at) + " · " + shortCommit(last.git_commit)]),
      ];
      if (base && base !== last) lines.push(el("div", { class: "meta", text: pct(last.median / base.median - 1) + " against the latest baseline (" + fmt(base.median) + " " + t.metric.unit + ")" }));
      lines.push(el("div", { class: g.change_points.length ? "cp" : "meta", text: g.change_points.length + " change point" + (g.change_points.length === 1 ? "" : "s") + " in " + g.points.length + " runs" + (t.groups.length > 1 ? " (newest of " + t.groups.length + " comparable groups)" : "") }));
      tiles.appendChild(el("div", { class: "tile" }, lines));
    });
    data.gates.forEach(function (gr) {
      var a = gr.analyses[gr.analyses.length - 1];
      tiles.appendChild(el("div", { class: "tile" }, [
        el("div", { class: "meta", text: "gate · " + gr.mode + " · " + gr.metric }),
        el("div", { class: "big" }, [badge(gr.verdict)]),
        el("div", { class: "meta", text: a ? "median " + fmt(a.candidate.median) + " vs " + fmt(a.baseline.median) + " (" + pct(-a.drop) + "), threshold −" + (gr.threshold * 100).toFixed(0) + " %" : (gr.reasons[0] || "") }),
      ]));
    });
    data.instructions.forEach(function (iv) {
      tiles.appendChild(el("div", { class: "tile" }, [
        el("div", { class: "meta", text: "instruction gate · " + iv.mode }),
        el("div", { class: "big" }, [ivBadge(iv)]),
        el("div", { class: "meta", text: iv.verdict && iv.baseline_per_unit != null && iv.candidate_per_unit != null ? "instructions per " + unitText(iv.unit) + " " + count(iv.candidate_per_unit) + " vs " + count(iv.baseline_per_unit) + " (" + ivChange(iv) + "), threshold " + ivThreshold(iv) : (iv.reasons[0] || "") }),
      ]));
    });
    if (!tiles.childNodes.length) tiles.appendChild(el("div", { class: "tile", text: "No results to show." }));
    sec.appendChild(tiles);
    app.appendChild(sec);
  }
  function gatedTrend(mode) {
    for (var i = 0; i < data.trends.length; i++) if (data.trends[i].mode === mode) return data.trends[i];
    return null;
  }

  // ---- trends ----
  var VERDICTS = ["PASS", "REGRESSION", "INCONCLUSIVE", "INCOMPARABLE"];
  function trendChart(t, g, gi, box) {
    var pts = g.points;
    var xs = pts.map(function (_, i) { return i + 1; });
    var med = pts.map(function (p) { return p.median; });
    var lo = pts.map(function (p) { return p.p10; });
    var hi = pts.map(function (p) { return p.p90; });
    var base = pts.map(function (p) { return p.kind === "baseline" ? p.median : null; });
    var byVerdict = VERDICTS.map(function (v) { return pts.map(function (p) { return p.kind !== "baseline" && p.verdict === v ? p.median : null; }); });
    var plain = pts.map(function (p) { return p.kind !== "baseline" && !p.verdict ? p.median : null; });
    var cps = g.change_points;
    var series = [
      { label: "run", value: function (u, x) { var p = pts[x - 1]; return p ? (t.kind === "imported" ? "i" : "#") + p.id + " " + shortCommit(p.git_commit) + " " + day(p.started_at) : "–"; } },
      { label: "p90 of rounds", stroke: "rgba(9,105,218,0.35)", width: 1, countless: true, points: { show: false }, value: function (u, v) { return fmt(v); } },
      { label: "p10 of rounds", stroke: "rgba(9,105,218,0.35)", width: 1, countless: true, points: { show: false }, value: function (u, v) { return fmt(v); } },
      { label: "median (" + t.metric.unit + ")", stroke: "#0969da", width: 2, points: { show: true, size: 5 }, value: function (u, v) { return fmt(v); } },
      pointsOnly("baseline", "#0550ae", 13),
    ];
    VERDICTS.forEach(function (v) { series.push(pointsOnly(v, COLORS[v], 10)); });
    series.push(pointsOnly("no verdict", COLORS.none, 8));
    var d = [xs, hi, lo, med, base].concat(byVerdict).concat([plain]);
    // leave out marker series that have no points at all (no empty legend entries)
    for (var s = series.length - 1; s >= 4; s--) if (!d[s].some(function (v) { return v != null; })) { series.splice(s, 1); d.splice(s, 1); }
    var opts = {
      title: t.metric.label + " over runs, group " + (gi + 1),
      height: 300,
      scales: { x: { time: false, range: function (u, mn, mx) { return [0.5, mx + 0.5]; } } },
      series: series,
      bands: [{ series: [1, 2], fill: "rgba(9,105,218,0.10)" }],
      axes: [
        { label: "run (oldest → newest), labelled by commit", labelSize: 30, space: 90, values: function (u, vals) { return vals.map(function (v) { var p = Number.isInteger(v) ? pts[v - 1] : null; return p ? shortCommit(p.git_commit) : ""; }); }, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] },
        { label: t.metric.name + " (" + t.metric.unit + ")", labelSize: 30, size: 60, values: axisFmt },
      ],
      hooks: {
        draw: [function (u) {
          var ctx = u.ctx;
          ctx.save();
          cps.forEach(function (c) {
            var x = Math.round(u.valToPos(c.index + 0.5, "x", true));
            ctx.strokeStyle = "#cf222e";
            ctx.lineWidth = 2 * devicePixelRatio;
            ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
            ctx.beginPath();
            ctx.moveTo(x, u.bbox.top);
            ctx.lineTo(x, u.bbox.top + u.bbox.height);
            ctx.stroke();
            ctx.setLineDash([]);
            ctx.fillStyle = "#cf222e";
            ctx.font = "600 " + 12 * devicePixelRatio + "px system-ui, sans-serif";
            ctx.fillText("change " + pct(c.magnitude), x + 4 * devicePixelRatio, u.bbox.top + 14 * devicePixelRatio);
          });
          ctx.restore();
        }],
      },
    };
    var expected = med.length + base.filter(function (v) { return v != null; }).length + byVerdict.concat([plain]).reduce(function (n, a) { return n + a.filter(function (v) { return v != null; }).length; }, 0);
    makeChart("trend:" + t.mode + ":" + t.metric.name + ":" + (gi + 1), box, opts, d, expected);
  }
  function identity(g) {
    var id = g.identity;
    return (id.test ? ["test " + id.test] : []).concat([id.engine, id.model + (id.model_sha256 ? " (sha " + id.model_sha256.slice(0, 12) + ")" : ""), id.cpu_model + " (hw " + id.hardware_fingerprint.slice(0, 12) + ")", "workload " + id.workload_digest.slice(0, 12), id.settings]).concat(id.load ? ["load " + id.load] : []).join(" · ");
  }
  function trends() {
    var modes = [];
    data.trends.forEach(function (t) { if (modes.indexOf(t.mode) < 0) modes.push(t.mode); });
    modes.forEach(function (mode) {
      var sec = el("section", null, [el("h2", { text: "Trend: " + mode })]);
      data.trends.filter(function (t) { return t.mode === mode; }).forEach(function (t) {
        t.groups.forEach(function (g, gi) {
          if (g.points.length === 0) return;
          var box = el("div", { class: "chart" });
          var cpText = g.change_points.map(function (c) {
            return "change point before run " + (c.index + 1) + ": " + pct(c.magnitude) + " (" + fmt(c.median_before) + " → " + fmt(c.median_after) + " " + t.metric.unit + "), between " + shortCommit(c.before.git_commit) + " and " + shortCommit(c.after.git_commit) + ", p = " + c.p_value.toFixed(3);
          });
          var card = el("div", { class: "card" }, [
            el("h3", { text: t.metric.label + " · " + t.metric.unit + ", " + t.metric.better + " is better" }),
            el("div", { class: "ident", text: "group " + (gi + 1) + " of " + t.groups.length + ": " + identity(g) }),
            box,
            el("div", { class: "note", text: "Each point is one run: the line is its median, the band its 10th to 90th percentile of rounds; large dots are baselines and gate verdicts; red dashed lines are change points (E-Divisive means, permutation test)." }),
          ].concat(cpText.map(function (s) { return el("div", { class: "cp", text: s }); })));
          sec.appendChild(card);
          app.appendChild(sec);
          trendChart(t, g, gi, box);
        });
      });
    });
  }

  // ---- distributions (ECDF of rounds) ----
  var PALETTE = ["#0550ae", "#cf222e", "#bf8700", "#8250df", "#1a7f37", "#57606a"];
  function quant(sorted, q) { if (!sorted.length) return NaN; var i = (sorted.length - 1) * q, lo = Math.floor(i), hi = Math.ceil(i); return sorted[lo] + (sorted[hi] - sorted[lo]) * (i - lo); }
  function distributions() {
    if (!data.distributions.length) return;
    var sec = el("section", null, [el("h2", { text: "Candidate rounds against the baseline's" })]);
    app.appendChild(sec);
    data.distributions.forEach(function (dist, di) {
      var sides = [dist.baseline].concat(dist.candidates);
      var sorted = sides.map(function (s) { return s.values.slice().sort(function (a, b) { return a - b; }); });
      var xs = [];
      sorted.forEach(function (s) { s.forEach(function (v) { xs.push(v); }); });
      xs = xs.sort(function (a, b) { return a - b; }).filter(function (v, i, a) { return i === 0 || v !== a[i - 1]; });
      var ys = sorted.map(function (s) {
        var j = 0;
        return xs.map(function (x) { while (j < s.length && s[j] <= x) j++; return (100 * j) / s.length; });
      });
      var series = [{ label: dist.unit, value: function (u, v) { return fmt(v); } }];
      sides.forEach(function (s, i) {
        series.push({ label: s.label + " (n " + s.values.length + ")", stroke: PALETTE[i % PALETTE.length], width: 2, paths: uPlot.paths.stepped({ align: 1 }), points: { show: false }, value: function (u, v) { return v == null ? "–" : v.toFixed(0) + " %"; } });
      });
      var box = el("div", { class: "chart" });
      var rows = sides.map(function (s, i) {
        var v = sorted[i];
        var m = quant(v, 0.5);
        return el("tr", null, [el("td", { text: s.label }), el("td", { class: "num", text: String(v.length) }), el("td", { class: "num", text: fmt(quant(v, 0.1)) }), el("td", { class: "num", text: fmt(m) }), el("td", { class: "num", text: fmt(quant(v, 0.9)) }), el("td", { class: "num", text: i === 0 ? "" : pct(m / quant(sorted[0], 0.5) - 1) })]);
      });
      var table = el("table", null, [el("tr", null, [el("th", { text: "rounds of" }), el("th", { class: "num", text: "n" }), el("th", { class: "num", text: "p10 " + dist.unit }), el("th", { class: "num", text: "median " + dist.unit }), el("th", { class: "num", text: "p90 " + dist.unit }), el("th", { class: "num", text: "median vs baseline" })])].concat(rows));
      sec.appendChild(el("div", { class: "card" }, [
        el("h3", null, [dist.mode + " · " + dist.metric + " per round ", badge(dist.verdict)]),
        box,
        el("div", { class: "note", text: "Cumulative distribution of every measured round: a curve further right is faster (for throughput); the horizontal gap between curves at 50 % is the difference of medians." }),
        table,
      ]));
      var opts = {
        title: dist.mode + ": " + dist.metric + " of every round",
        height: 260,
        scales: { x: { time: false }, y: { range: [0, 100] } },
        series: series,
        axes: [
          { label: dist.metric + " per round (" + dist.unit + ")", labelSize: 30, values: axisFmt },
          { label: "% of rounds at or below", labelSize: 30, size: 50, values: function (u, vals) { return vals.map(function (v) { return v + " %"; }); } },
        ],
      };
      makeChart("distribution:" + dist.mode + ":" + (di + 1), box, opts, [xs].concat(ys), xs.length * ys.length);
    });
  }

  // ---- serving latency percentiles ----
  var LAT_NAMES = { ttft_ms: "TTFT", itl_ms: "ITL", tpot_ms: "TPOT", e2e_latency_ms: "E2E", latency_ms: "request latency" };
  function serving() {
    if (!data.serving.length) return;
    var sec = el("section", null, [el("h2", { text: "Serving latency percentiles" })]);
    app.appendChild(sec);
    data.serving.forEach(function (run, ri) {
      var names = Object.keys(run.latencies);
      if (!names.length) return;
      var box = el("div", { class: "chart" });
      var rows = names.map(function (n) { var l = run.latencies[n]; return el("tr", null, [el("td", { text: (LAT_NAMES[n] || n) + " (" + n + ")" }), el("td", { class: "num", text: fmt(l.p50) }), el("td", { class: "num", text: fmt(l.p90) }), el("td", { class: "num", text: fmt(l.p99) }), el("td", { class: "num", text: String(l.n) })]); });
      sec.appendChild(el("div", { class: "card" }, [
        el("h3", { text: run.mode + " · " + run.label }),
        box,
        el("table", null, [el("tr", null, [el("th", { text: "latency" }), el("th", { class: "num", text: "p50 ms" }), el("th", { class: "num", text: "p90 ms" }), el("th", { class: "num", text: "p99 ms" }), el("th", { class: "num", text: "n" })])].concat(rows)),
      ]));
      var series = [{ label: "percentile", value: function (u, v) { return v == null ? "–" : "p" + v; } }];
      var d = [[50, 90, 99]];
      names.forEach(function (n, i) {
        series.push({ label: LAT_NAMES[n] || n, stroke: PALETTE[i % PALETTE.length], width: 2, points: { show: true, size: 8 }, value: function (u, v) { return v == null ? "–" : fmt(v) + " ms"; } });
        var l = run.latencies[n];
        d.push([l.p50, l.p90, l.p99]);
      });
      var opts = {
        title: "latency by percentile",
        height: 240,
        scales: { x: { time: false, range: [45, 100] }, y: { distr: 3 } },
        series: series,
        axes: [
          { label: "percentile of requests (or of chunk gaps, for ITL)", labelSize: 30, splits: function () { return [50, 90, 99]; }, values: function (u, vals) { return vals.map(function (v) { return "p" + v; }); } },
          { label: "latency (ms, log scale)", labelSize: 30, size: 60, values: axisFmt },
        ],
      };
      makeChart("serving:" + (ri + 1), box, opts, d, 3 * names.length);
    });
  }

  // ---- load sweeps: throughput against latency (the Pareto view) ----
  function sweeps() {
    var list = data.sweeps || [];
    if (!list.length) return;
    var sec = el("section", null, [el("h2", { text: "Load sweeps: throughput against latency" })]);
    app.appendChild(sec);
    list.forEach(function (sw, si) {
      var box = el("div", { class: "chart" });
      var rows = sw.points.map(function (p) { return el("tr", null, [el("td", { class: "num", text: String(p.value) }), el("td", { class: "num", text: fmt(p.throughput) }), el("td", { class: "num", text: p.latency_p50_ms == null ? "–" : fmt(p.latency_p50_ms) }), el("td", { class: "num", text: p.latency_p99_ms == null ? "–" : fmt(p.latency_p99_ms) }), el("td", { class: "num", text: String(p.failed) })]); });
      sec.appendChild(el("div", { class: "card" }, [
        el("h3", { text: sw.mode + " · " + sw.variable + " sweep · " + sw.label }),
        box,
        el("table", null, [el("tr", null, [el("th", { class: "num", text: sw.variable }), el("th", { class: "num", text: sw.throughput_unit }), el("th", { class: "num", text: "median " + sw.latency_name + " ms" }), el("th", { class: "num", text: "p99 " + sw.latency_name + " ms" }), el("th", { class: "num", text: "failed" })])].concat(rows)),
      ]));
      // x must increase for uPlot: the points in order of throughput; each keeps its load value for the legend
      var pts = sw.points.slice().sort(function (a, b) { return a.throughput - b.throughput; });
      var d = [pts.map(function (p) { return p.throughput; }), pts.map(function (p) { return p.latency_p50_ms; }), pts.map(function (p) { return p.latency_p99_ms; })];
      var loadOf = function (i) { return pts[i] ? sw.variable + " " + pts[i].value : ""; };
      var opts = {
        title: sw.latency_name + " against " + sw.throughput_unit + " (one point per " + sw.variable + ")",
        height: 260,
        scales: { x: { time: false }, y: { distr: 3 } },
        series: [
          { label: sw.throughput_unit, value: function (u, v, s, i) { return v == null ? "–" : fmt(v) + " (" + loadOf(i) + ")"; } },
          { label: "median " + sw.latency_name, stroke: PALETTE[0], width: 2, points: { show: true, size: 9 }, value: function (u, v) { return v == null ? "–" : fmt(v) + " ms"; } },
          pointsOnly("p99 " + sw.latency_name, PALETTE[1], 7),
        ],
        axes: [
          { label: sw.throughput_unit + " (higher is better)", labelSize: 30, values: axisFmt },
          { label: sw.latency_name + " (ms, log scale; lower is better)", labelSize: 30, size: 60, values: axisFmt },
        ],
      };
      var expected = d[1].filter(function (v) { return v != null; }).length + d[2].filter(function (v) { return v != null; }).length;
      makeChart("sweep:" + (si + 1), box, opts, d, expected);
    });
  }

  // ---- gate evidence ----
  function gates() {
    if (!data.gates.length && !data.instructions.length) return;
    var sec = el("section", null, [el("h2", { text: "Gate evidence" })]);
    timeGates(sec);
    instructionGates(sec);
    app.appendChild(sec);
  }
  function instructionGates(sec) {
    if (!data.instructions.length) return;
    var head = el("tr", null, ["mode", "verdict", "instructions per", "baseline", "candidate", "change", "threshold"].map(function (h, i) { return el("th", { class: i > 2 ? "num" : "", text: h }); }));
    var rows = data.instructions.map(function (iv) {
      return el("tr", null, [
        el("td", { text: iv.mode }),
        el("td", null, [ivBadge(iv)]),
        el("td", { text: iv.verdict ? unitText(iv.unit) : "–" }),
        el("td", { class: "num", text: count(iv.baseline_per_unit) }),
        el("td", { class: "num", text: count(iv.candidate_per_unit) }),
        el("td", { class: "num", text: ivChange(iv) }),
        el("td", { class: "num", text: ivThreshold(iv) }),
      ]);
    });
    var reasons = [];
    data.instructions.forEach(function (iv) { iv.reasons.forEach(function (r) { reasons.push(iv.mode + ": " + r); }); });
    sec.appendChild(el("div", { class: "card instructions" }, [
      el("h3", { text: "Instruction counts (callgrind): a rise of instructions per unit of at least the threshold is a regression" }),
      el("table", null, [head].concat(rows)),
      el("ul", { class: "reasons" }, reasons.map(function (r) { return el("li", { text: r }); })),
    ]));
  }
  function timeGates(sec) {
    data.gates.forEach(function (g) {
      var head = el("tr", null, ["comparison", "baseline median", "candidate median", "ratio", "95 % CI of ratio", "p (Mann-Whitney)", "robust CV base / cand", "n base / cand", "shows regression"].map(function (h, i) { return el("th", { class: i ? "num" : "", text: h }); }));
      var rows = g.analyses.map(function (a) {
        return el("tr", null, [
          el("td", { text: a.label }),
          el("td", { class: "num", text: fmt(a.baseline.median) }),
          el("td", { class: "num", text: fmt(a.candidate.median) }),
          el("td", { class: "num", text: a.ratio.toFixed(3) + " (" + pct(-a.drop) + ")" }),
          el("td", { class: "num", text: a.ci.low.toFixed(3) + " – " + a.ci.high.toFixed(3) }),
          el("td", { class: "num", text: a.p_value < 0.001 ? a.p_value.toExponential(1) : a.p_value.toFixed(3) }),
          el("td", { class: "num", text: (a.baseline.robust_cv * 100).toFixed(1) + " % / " + (a.candidate.robust_cv * 100).toFixed(1) + " %" }),
          el("td", { class: "num", text: a.baseline.n + " / " + a.candidate.n }),
          el("td", { class: "num", text: a.shows_regression ? "yes" : "no" }),
        ]);
      });
      var diffs = (g.comparability.blocking || []).map(function (d) { return d.field + ": " + d.baseline + " → " + d.candidate; });
      sec.appendChild(el("div", { class: "card" }, [
        el("h3", null, [g.mode + " gate · " + g.metric + " · threshold −" + (g.threshold * 100).toFixed(0) + " %, alpha " + g.alpha + " ", badge(g.verdict)]),
        el("div", { class: "ident", text: "baseline " + g.baseline_source + " · candidate " + g.candidate_sources.join(", ") }),
        rows.length ? el("table", null, [head].concat(rows)) : null,
        el("ul", { class: "reasons" }, g.reasons.concat(diffs.length ? ["differs: " + diffs.join("; ")] : []).concat(g.fixes || []).map(function (r) { return el("li", { text: r }); })),
      ]));
    });
  }

  summary();
  trends();
  distributions();
  serving();
  sweeps();
  gates();
  document.body.setAttribute("data-ready", "1");
})();
`;
