// The offline report of pcdm-fi: renders one view from window.PCDM_DATA (the exported marts, loaded
// as <script> files) and window.PCDM_CONFIG (views.py). No library, no network: charts are SVG.
// A suppressed cell is never a number here: its values are null in the data files and the page
// shows the one label config.suppressedLabel.
(function () {
  "use strict";
  var C = window.PCDM_CONFIG;
  var DATA = window.PCDM_DATA || {};
  var SVG = "http://www.w3.org/2000/svg";
  var SERVICE_COLUMNS = ["service_key", "other_service_key", "from_service_key", "to_service_key"];

  // ---- data -------------------------------------------------------------------------------
  function table(name) {
    var raw = DATA[name];
    if (!raw) throw new Error("data file data/" + name + ".js is missing");
    var names = raw.columns.map(function (c) { return c.name; });
    var kinds = {};
    raw.columns.forEach(function (c) { kinds[c.name] = c.kind; });
    var rows = raw.rows.map(function (r) {
      var o = {};
      names.forEach(function (n, i) { o[n] = r[i]; });
      return o;
    });
    return { name: name, columns: names, kinds: kinds, rows: rows };
  }

  var services = {};
  if (DATA.service_catalogue) {
    table("service_catalogue").rows.forEach(function (r) {
      services[r.service_key] = [r.service_name_fi, r.service_name_en];
    });
  }
  var municipalities = {};
  if (DATA.municipalities) {
    table("municipalities").rows.forEach(function (r) {
      municipalities[r.municipality_code] = [r.municipality_code + " " + r.municipality_name_fi,
        r.municipality_name_sv !== r.municipality_name_fi ? r.municipality_name_sv : ""];
    });
  }

  // ---- labels and numbers -----------------------------------------------------------------
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }
  function bilingual(tag, pair, attrs) {
    var node = el(tag, attrs);
    node.appendChild(document.createTextNode(pair[0]));
    if (pair[1] && pair[1] !== pair[0]) node.appendChild(el("span", { class: "en", text: pair[1] }));
    return node;
  }
  function columnLabel(column) {
    return C.columnLabels[column] || [column, ""];
  }
  function levelLabel(column, value) {
    var text = value === null || value === undefined ? "" : String(value);
    if (SERVICE_COLUMNS.indexOf(column) >= 0 && services[text]) return services[text];
    if (column === "municipality_code" && municipalities[text]) return municipalities[text];
    var levels = C.levelLabels[column] || {};
    if (levels[text]) return levels[text];
    if (text === "all") return ["Kaikki", "All"];
    if (column === "age_group") return [text + " v", text + " years"];
    return [text, ""];
  }
  function levelText(column, value) {
    var pair = levelLabel(column, value);
    return pair[1] ? pair[0] + " / " + pair[1] : pair[0];
  }
  var integer = new Intl.NumberFormat("fi-FI", { maximumFractionDigits: 0 });
  var one = new Intl.NumberFormat("fi-FI", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  var two = new Intl.NumberFormat("fi-FI", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  var three = new Intl.NumberFormat("fi-FI", { minimumFractionDigits: 3, maximumFractionDigits: 3 });
  function formatNumber(column, v) {
    if (v === null || v === undefined) return C.noValueLabel;
    if (typeof v !== "number") return String(v);
    if (/share/.test(column)) return one.format(v * 100) + " %";
    if (/eur/.test(column)) return integer.format(v) + " €";
    if (Number.isInteger(v)) return integer.format(v);
    if (Math.abs(v) < 1) return three.format(v);
    if (Math.abs(v) < 10) return two.format(v);
    return one.format(v);
  }
  function suppressed(row) {
    return row.is_suppressed === true;
  }

  // ---- filters ------------------------------------------------------------------------------
  function ordered(column, values) {
    var order = C.axisOrder[column];
    return values.slice().sort(function (a, b) {
      if (a === "all") return -1;
      if (b === "all") return 1;
      if (order) return order.indexOf(a) - order.indexOf(b);
      if (!isNaN(a) && !isNaN(b)) return Number(a) - Number(b);
      return levelText(column, a).localeCompare(levelText(column, b), "fi");
    });
  }
  function distinct(rows, column) {
    var seen = {};
    rows.forEach(function (r) { if (r[column] !== null) seen[r[column]] = true; });
    return Object.keys(seen);
  }
  function pageFilters(view, tables) {
    var filters = {};
    view.charts.forEach(function (chart) {
      var t = tables[chart.mart];
      var axes = view.charts.filter(function (c) { return c.mart === chart.mart; })
        .map(function (c) { return c.axis; });
      t.columns.forEach(function (column) {
        if (t.kinds[column] !== "text" || axes.indexOf(column) >= 0) return;
        filters[column] = filters[column] || {};
        distinct(t.rows, column).forEach(function (v) { filters[column][v] = true; });
      });
    });
    var names = Object.keys(filters).sort(function (a, b) {
      var ia = C.filterOrder.indexOf(a), ib = C.filterOrder.indexOf(b);
      return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
    });
    // a text column is a filter when it has an `all` level or the view names its default;
    // any other text column (a new descriptive column of a mart) is shown in the table only
    names = names.filter(function (name) {
      return filters[name].all || (view.defaults || {})[name] !== undefined;
    });
    return names.map(function (name) {
      var values = ordered(name, Object.keys(filters[name]));
      var wanted = (view.defaults || {})[name];
      var initial = values.indexOf("all") >= 0 ? "all"
        : (wanted && values.indexOf(wanted) >= 0 ? wanted : values[0]);
      return { column: name, values: values, value: initial };
    });
  }
  function renderFilters(container, filters, onChange) {
    container.innerHTML = "";
    filters.forEach(function (f) {
      var select = el("select", { name: f.column, "data-filter": f.column });
      f.values.forEach(function (v) {
        var option = el("option", { value: v, text: levelText(f.column, v) });
        if (v === f.value) option.selected = true;
        select.appendChild(option);
      });
      select.addEventListener("change", function () { f.value = select.value; onChange(); });
      var label = bilingual("label", columnLabel(f.column));
      label.appendChild(select);
      container.appendChild(label);
    });
  }

  // ---- charts -------------------------------------------------------------------------------
  function svg(tag, attrs) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }
  function svgText(x, y, text, attrs) {
    var node = svg("text", Object.assign({ x: x, y: y }, attrs || {}));
    node.textContent = text;
    return node;
  }
  function barChart(chart, rows, measure, pyramid) {
    var rowHeight = 24, labelWidth = 380, width = 980, valueWidth = 150;
    var height = rows.length * rowHeight + 10;
    var plot = width - labelWidth - valueWidth;
    var max = 0;
    rows.forEach(function (r) { if (r[measure] !== null && r[measure] > max) max = r[measure]; });
    var root = svg("svg", { viewBox: "0 0 " + width + " " + height, class: "chart", role: "img",
      "aria-label": columnLabel(measure)[0], "data-measure": measure });
    rows.forEach(function (r, i) {
      var y = i * rowHeight + 5;
      var name = levelLabel(chart.axis, r[chart.axis])[0];
      var label = svgText(labelWidth - 8, y + 16, name.length > 50 ? name.slice(0, 49) + "…" : name,
        { "text-anchor": "end", class: "label" });
      var tip = svg("title");
      tip.textContent = levelText(chart.axis, r[chart.axis]);
      label.appendChild(tip);
      root.appendChild(label);
      if (suppressed(r) || r[measure] === null) {
        root.appendChild(svg("rect", { x: labelWidth, y: y + 3, width: 18, height: rowHeight - 8,
          class: suppressed(r) ? "bar suppressed" : "bar none" }));
        root.appendChild(svgText(labelWidth + 24, y + 16,
          suppressed(r) ? C.suppressedLabel : C.noValueLabel, { class: "value muted" }));
        return;
      }
      var w = max > 0 ? Math.max(1, (Math.abs(r[measure]) / max) * plot) : 1;
      var x = pyramid ? labelWidth + (plot - w) / 2 : labelWidth;
      root.appendChild(svg("rect", { x: x, y: y + 3, width: w, height: rowHeight - 8,
        class: "bar tier-" + r[chart.axis] }));
      root.appendChild(svgText(pyramid ? labelWidth + plot + 8 : x + w + 6, y + 16,
        formatNumber(measure, r[measure]), { class: "value" }));
    });
    return root;
  }
  function lineChart(chart, rows, measure) {
    var width = 980, height = 360, left = 70, bottom = 40, top = 10, right = 20;
    var values = rows.map(function (r) { return r[measure]; }).filter(function (v) { return v !== null; });
    var max = values.length ? Math.max.apply(null, values) : 1;
    if (/share/.test(measure)) max = Math.max(1, max);
    var xs = rows.map(function (r) { return Number(r[chart.axis]); });
    var xmax = xs.length ? Math.max.apply(null, xs) : 100;
    function px(x) { return left + ((x - 1) / Math.max(1, xmax - 1)) * (width - left - right); }
    function py(v) { return top + (1 - v / (max || 1)) * (height - top - bottom); }
    var root = svg("svg", { viewBox: "0 0 " + width + " " + height, class: "chart line", role: "img",
      "aria-label": columnLabel(measure)[0] });
    [0, 0.25, 0.5, 0.75, 1].forEach(function (f) {
      var y = py(f * max);
      root.appendChild(svg("line", { x1: left, x2: width - right, y1: y, y2: y, class: "grid" }));
      root.appendChild(svgText(left - 6, y + 4, formatNumber(measure, f * max),
        { "text-anchor": "end", class: "tick" }));
    });
    [1, 10, 20, 50, 100].forEach(function (x) {
      if (x > xmax) return;
      root.appendChild(svgText(px(x), height - bottom + 18, String(x),
        { "text-anchor": "middle", class: "tick" }));
    });
    var path = "", pen = false;
    rows.forEach(function (r) {
      if (suppressed(r) || r[measure] === null) { pen = false; return; }
      path += (pen ? " L" : " M") + px(Number(r[chart.axis])).toFixed(1) + " " + py(r[measure]).toFixed(1);
      pen = true;
    });
    root.appendChild(svg("path", { d: path.trim(), class: "series" }));
    rows.filter(suppressed).forEach(function (r) {
      root.appendChild(svg("circle", { cx: px(Number(r[chart.axis])), cy: height - bottom, r: 3,
        class: "suppressed-mark" }));
    });
    return root;
  }

  // ---- tables -------------------------------------------------------------------------------
  function dataTable(t, rows, columns, attrs) {
    var head = el("tr", {}, columns.map(function (c) { return bilingual("th", columnLabel(c)); }));
    var body = el("tbody");
    rows.forEach(function (r) {
      var tr = el("tr", attrs.key ? { "data-key": String(r[attrs.key]) } : {});
      if (attrs.key && r[attrs.key] === "all") tr.className = "total";
      columns.forEach(function (c) {
        var kind = t.kinds[c], v = r[c];
        var td;
        if (kind === "number" && c !== attrs.key) {
          var hidden = suppressed(r);
          td = el("td", { class: "num" + (hidden ? " suppressed" : ""), "data-col": c,
            text: hidden ? C.suppressedLabel : formatNumber(c, v) });
        } else if (kind === "boolean") {
          td = el("td", { "data-col": c, text: v === null ? "" : (v ? "kyllä / yes" : "ei / no") });
        } else if (kind === "text" || c === attrs.key) {
          td = el("td", { "data-col": c, text: levelText(c, v) });
        } else {
          td = el("td", { "data-col": c, text: v === null ? "" : String(v) });
        }
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    var tableAttrs = { class: "data" };
    Object.keys(attrs).forEach(function (k) { if (k !== "key") tableAttrs["data-" + k] = attrs[k]; });
    if (attrs.key) tableAttrs["data-axis"] = attrs.key;
    return el("div", { class: "table-wrap" }, [el("table", tableAttrs, [el("thead", {}, [head]), body])]);
  }

  // ---- a view -------------------------------------------------------------------------------
  function matches(row, where) {
    return Object.keys(where).every(function (k) { return row[k] === where[k]; });
  }
  function measuresOf(chart, t) {
    if (chart.measures && chart.measures.length) {
      return chart.measures.filter(function (m) { return t.columns.indexOf(m) >= 0; });
    }
    return t.columns.filter(function (c) { return t.kinds[c] === "number" && c !== chart.axis; });
  }
  function renderView(view) {
    var tables = {};
    view.marts.forEach(function (m) { tables[m] = table(m); });
    var filters = pageFilters(view, tables);
    var content = document.getElementById("content");
    var chosen = {};
    function draw() {
      content.innerHTML = "";
      view.charts.forEach(function (chart, index) {
        var t = tables[chart.mart];
        var where = {};
        filters.forEach(function (f) { if (t.columns.indexOf(f.column) >= 0) where[f.column] = f.value; });
        Object.keys(chart.fixed || {}).forEach(function (k) { where[k] = chart.fixed[k]; });
        var rows = t.rows.filter(function (r) { return matches(r, where); });
        var order = C.axisOrder[chart.axis];
        var measures = measuresOf(chart, t);
        var measure = chosen[index] || measures[0];
        rows.sort(function (a, b) {
          var x = a[chart.axis], y = b[chart.axis];
          if (x === "all") return -1;
          if (y === "all") return 1;
          if (chart.sort === "value") {
            var va = suppressed(a) || a[measure] === null ? -Infinity : a[measure];
            var vb = suppressed(b) || b[measure] === null ? -Infinity : b[measure];
            if (va !== vb) return vb - va;
          }
          if (order) return order.indexOf(String(x)) - order.indexOf(String(y));
          if (typeof x === "number") return x - y;
          return levelText(chart.axis, x).localeCompare(levelText(chart.axis, y), "fi");
        });
        var plotted = rows.filter(function (r) { return r[chart.axis] !== "all"; });
        var section = el("section", { class: "chart-card", "data-chart": String(index) });
        section.appendChild(bilingual("h2", [chart.title_fi, chart.title_en]));
        if (measures.length > 1) {
          var select = el("select", { class: "measure", "data-measure": String(index) });
          measures.forEach(function (m) {
            var option = el("option", { value: m, text: columnLabel(m).filter(Boolean).join(" / ") });
            if (m === measure) option.selected = true;
            select.appendChild(option);
          });
          select.addEventListener("change", function () { chosen[index] = select.value; draw(); });
          var label = bilingual("label", ["Mittari", "Measure"], { class: "measure-label" });
          label.appendChild(select);
          section.appendChild(label);
        }
        if (!plotted.length) {
          section.appendChild(bilingual("p", ["Ei rivejä näillä valinnoilla.", "No rows for this selection."],
            { class: "empty" }));
        } else if (chart.kind === "line") {
          section.appendChild(lineChart(chart, plotted, measure));
        } else {
          section.appendChild(barChart(chart, plotted, measure, chart.kind === "pyramid"));
        }
        var columns = [chart.axis].concat(t.columns.filter(function (c) {
          return c !== chart.axis && where[c] === undefined && t.kinds[c] !== "date" && c !== "is_suppressed";
        }));
        var details = el("details", { class: "table", open: "" });
        details.appendChild(bilingual("summary", ["Taulukko", "Table"]));
        details.appendChild(dataTable(t, rows, columns,
          { key: chart.axis, mart: chart.mart, where: JSON.stringify(where) }));
        section.appendChild(details);
        content.appendChild(section);
      });
    }
    renderFilters(document.getElementById("filters"), filters, draw);
    draw();
  }

  // ---- the stewards' page -----------------------------------------------------------------
  function stewardSection(title, t, rows, note) {
    var section = el("section", { class: "chart-card", "data-table": t.name });
    section.appendChild(bilingual("h2", title));
    if (note) section.appendChild(bilingual("p", note, { class: "hint" }));
    if (!rows.length) {
      section.appendChild(bilingual("p", ["Ei rivejä.", "No rows."], { class: "empty" }));
    } else {
      var columns = t.columns.filter(function (c) { return c !== "run_at"; });
      section.appendChild(dataTable(t, rows, columns, { mart: t.name }));
    }
    return section;
  }
  function renderStewards() {
    var content = document.getElementById("content");
    var results = table("dq_results");
    var checks = table("dq_check_results");
    var quarantine = table("dq_quarantine_by_reason");
    var reconciliation = table("dq_reconciliation");
    var freshness = table("dq_source_freshness");
    var deliveries = table("dq_delivery_log");
    var statusFilter = { column: "status", values: ["all"].concat(ordered("status", distinct(results.rows, "status"))),
      value: "all" };
    function draw() {
      content.innerHTML = "";
      var counts = {};
      results.rows.forEach(function (r) { counts[r.status] = (counts[r.status] || 0) + 1; });
      var cards = el("section", { class: "cards" });
      [["pass", "Läpäisi", "Passed"], ["warn", "Varoitus", "Warning"], ["fail", "Epäonnistui", "Failed"]]
        .forEach(function (s) {
          var card = el("div", { class: "card status-" + s[0], "data-status": s[0] });
          card.appendChild(el("div", { class: "big", text: integer.format(counts[s[0]] || 0) }));
          card.appendChild(bilingual("div", [s[1], s[2]]));
          cards.appendChild(card);
        });
      var runs = distinct(results.rows, "run_at");
      if (runs.length) {
        cards.appendChild(bilingual("div", ["Ajettu " + runs.join(", "), "run at (UTC)"], { class: "hint" }));
      }
      content.appendChild(cards);
      var shown = results.rows.filter(function (r) {
        return statusFilter.value === "all" || r.status === statusFilter.value;
      });
      var rank = { fail: 0, error: 0, warn: 1, pass: 2 };
      shown.sort(function (a, b) { return (rank[a.status] || 0) - (rank[b.status] || 0); });
      content.appendChild(stewardSection(["Laaturajan tulokset", "Gate results (dq.dq_results)"], results, shown,
        ["Jokainen great-expectations-odotus ja dbt-testi viimeisimmästä ajosta.",
          "Every great-expectations expectation and dbt data test of the latest run."]));
      var section = stewardSection(["Odotukset", "great-expectations expectations (dq.dq_check_results)"],
        checks, checks.rows, ["Data Docsin sisältö: tarkistus, raja, havaittu arvo ja kuvaus; sarjat JSON-muodossa alla.",
          "The content of the Data Docs: check, threshold, observed value and description; the suites as JSON below."]);
      section.querySelectorAll("td[data-col=check_name]").forEach(function (td) {
        var name = td.textContent;
        td.textContent = "";
        td.appendChild(el("a", { href: "stewards/" + name + ".json", text: name }));
      });
      content.appendChild(section);
      var bars = quarantine.rows.filter(function (r) { return r.quarantined_rows > 0; })
        .sort(function (a, b) { return b.quarantined_rows - a.quarantined_rows; })
        .map(function (r) { return Object.assign({ label: r.source_table + " · " + r.reason_code }, r); });
      var q = stewardSection(["Karanteeni taulun ja syyn mukaan", "Quarantine by table and reason"],
        quarantine, quarantine.rows, null);
      if (bars.length) {
        q.insertBefore(barChart({ axis: "label" }, bars, "quarantined_rows", false), q.children[1]);
      }
      content.appendChild(q);
      content.appendChild(stewardSection(["Täsmäytys", "Reconciliation: raw = staged + quarantined"],
        reconciliation, reconciliation.rows, null));
      content.appendChild(stewardSection(["Tuoreus", "Source freshness"], freshness, freshness.rows, null));
      content.appendChild(stewardSection(["Toimitusloki", "Delivery log (dq.dq_delivery_log)"], deliveries,
        deliveries.rows, ["Jokainen sovellettu toimitus tauluittain: rivit, loaded_at-väli ja sovellusaika.",
          "Every delivery applied, per table: rows, loaded_at range and when it was applied."]));
    }
    renderFilters(document.getElementById("filters"), [statusFilter], draw);
    draw();
  }

  var id = document.body.getAttribute("data-view");
  if (id === "stewards") {
    renderStewards();
  } else {
    var view = C.views.filter(function (v) { return v.id === id; })[0];
    if (!view) throw new Error("no view " + id);
    renderView(view);
  }
  document.body.setAttribute("data-ready", "true");
})();
