// actorgraph's graph page: sigma.js renders a graphology graph; everything else is plain DOM.
(function () {
  "use strict";
  const DATA = JSON.parse(document.getElementById("graph-data").textContent);
  const $ = (id) => document.getElementById(id);
  const el = (tag, text, attrs) => {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    return node;
  };
  const fold = (s) => String(s).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();

  // The graph. Positions come laid out from Python; sizes grow with the square root of mentions.
  const graph = new graphology.MultiGraph({ allowSelfLoops: true });
  const maxMentions = DATA.nodes.reduce((top, n) => Math.max(top, n.mentions || 0), 1);
  const sizeScale = Math.max(0.35, Math.min(1, Math.sqrt(300 / Math.max(1, DATA.nodes.length))));
  const byId = new Map();
  for (const n of DATA.nodes) {
    byId.set(n.id, n);
    graph.addNode(n.id, {
      x: n.x, y: n.y, label: n.label, color: DATA.colors[n.type] || DATA.other_color,
      size: (2.5 + 12 * Math.sqrt((n.mentions || 0) / maxMentions)) * sizeScale, nodeType: n.type,
    });
  }
  const edgeById = new Map();
  for (const e of DATA.edges) {
    edgeById.set(e.id, e);
    graph.addDirectedEdgeWithKey(e.id, e.source, e.target, {
      relation: e.relation, size: Math.min(4, 0.5 + Math.log2(e.weight || 1)), color: "#c8c8c8",
    });
  }
  const large = graph.size > 5000;

  // State: checked types and relations, the meetings' date window, the selected node.
  const types = [...new Set(DATA.nodes.map((n) => n.type))].sort((a, b) => DATA.type_order.indexOf(a) - DATA.type_order.indexOf(b));
  const relations = [...new Set(DATA.edges.map((e) => e.relation))].sort();
  const shownTypes = new Set(types);
  const shownRelations = new Set(relations);
  const months = [...new Set(DATA.nodes.filter((n) => n.type === "meeting" && n.date).map((n) => n.date.slice(0, 7)))].sort();
  let window_ = [0, Math.max(0, months.length - 1)];
  let selected = null;
  let neighbours = new Set();

  function nodeVisible(id) {
    const n = byId.get(id);
    if (!shownTypes.has(n.type)) return false;
    if (n.type === "meeting" && n.date && months.length) {
      const month = n.date.slice(0, 7);
      if (month < months[window_[0]] || month > months[window_[1]]) return false;
    }
    return true;
  }

  const renderer = new Sigma(graph, $("graph"), {
    hideEdgesOnMove: large,
    labelRenderedSizeThreshold: 9,
    zIndex: true,
    nodeReducer(node, attrs) {
      const out = { ...attrs };
      if (!nodeVisible(node)) { out.hidden = true; return out; }
      if (selected) {
        if (node === selected) { out.highlighted = true; out.zIndex = 2; }
        else if (neighbours.has(node)) { out.zIndex = 1; out.forceLabel = true; }
        else { out.color = "#e4e4e4"; out.label = ""; out.zIndex = 0; }
      }
      return out;
    },
    edgeReducer(edge, attrs) {
      const out = { ...attrs };
      if (!shownRelations.has(attrs.relation)) { out.hidden = true; return out; }
      if (selected) {
        const [s, t] = graph.extremities(edge);
        if (s === selected || t === selected) { out.color = "#666"; out.zIndex = 1; }
        else { out.hidden = large; out.color = "#f0f0f0"; }
      }
      return out;
    },
  });

  const readyMs = Math.round(performance.now());  // page parsed, graph built, first frame drawn

  // Counts of the whole graph, as the self-test and a reader check them.
  const counts = $("counts");
  counts.dataset.nodes = graph.order;
  counts.dataset.edges = graph.size;
  counts.textContent = `${graph.order} nodes, ${graph.size} edges` + (DATA.source ? ` (${DATA.source})` : "");

  // Filters.
  for (const type of types) {
    const box = el("input", null, { type: "checkbox", "data-type": type });
    box.checked = true;
    box.addEventListener("change", () => { box.checked ? shownTypes.add(type) : shownTypes.delete(type); renderer.refresh(); });
    const label = el("label");
    const swatch = el("span", null, { class: "swatch" });
    swatch.style.background = DATA.colors[type] || DATA.other_color;
    const total = DATA.nodes.filter((n) => n.type === type).length;
    label.append(box, swatch, `${type} (${total})`);
    $("types").append(label);
  }
  for (const relation of relations) {
    const box = el("input", null, { type: "checkbox", "data-relation": relation });
    box.checked = true;
    box.addEventListener("change", () => { box.checked ? shownRelations.add(relation) : shownRelations.delete(relation); renderer.refresh(); });
    const label = el("label");
    label.append(box, `${relation} (${DATA.edges.filter((e) => e.relation === relation).length})`);
    $("relations").append(label);
  }
  const from = $("from"), to = $("to");
  function showWindow() {
    $("range-label").textContent = months.length
      ? `${months[window_[0]]} to ${months[window_[1]]} (undated meetings always shown)`
      : "no dated meetings";
  }
  if (months.length) {
    from.max = to.max = months.length - 1;
    to.value = months.length - 1;
    const moved = () => {
      let a = Number(from.value), b = Number(to.value);
      if (a > b) [a, b] = [b, a];
      window_ = [a, b];
      showWindow();
      renderer.refresh();
    };
    from.addEventListener("input", moved);
    to.addEventListener("input", moved);
  } else {
    from.disabled = to.disabled = true;
  }
  showWindow();

  // Search by name: label or alias, accents and case ignored; the most mentioned match wins.
  const index = new Map();
  for (const n of DATA.nodes) {
    for (const name of [n.label, ...(n.aliases || [])]) {
      const key = fold(name);
      if (!index.has(key)) index.set(key, []);
      index.get(key).push(n);
    }
  }
  const names = $("names");
  const shown = DATA.nodes.slice().sort((a, b) => (b.mentions || 0) - (a.mentions || 0)).slice(0, 5000);
  for (const n of shown) names.append(el("option", null, { value: n.label }));

  function find(query) {
    const key = fold(query);
    if (!key) return null;
    let hits = index.get(key) || [];
    if (!hits.length) hits = DATA.nodes.filter((n) => fold(n.label).includes(key) || (n.aliases || []).some((a) => fold(a).includes(key)));
    if (!hits.length) return null;
    return hits.slice().sort((a, b) => (b.type === "person") - (a.type === "person") || (b.mentions || 0) - (a.mentions || 0))[0].id;
  }
  function search(query) {
    const id = find(query);
    $("search-status").textContent = id ? "" : `no node named "${query}"`;
    if (id) select(id, true);
    return id;
  }
  $("search").addEventListener("keydown", (e) => { if (e.key === "Enter") search(e.target.value); });
  $("search").addEventListener("change", (e) => search(e.target.value));

  // Selection and the details panel.
  function select(id, moveCamera) {
    selected = id;
    neighbours = new Set(id ? graph.neighbors(id) : []);
    document.body.dataset.selected = id || "";
    renderer.refresh();
    details(id);
    if (id && moveCamera) {
      const shownAt = renderer.getNodeDisplayData(id);
      if (shownAt) renderer.getCamera().animate({ x: shownAt.x, y: shownAt.y, ratio: 0.35 }, { duration: 400 });
    }
  }
  renderer.on("clickNode", ({ node }) => select(node, false));
  renderer.on("clickStage", () => select(null));

  function list(title, items) {
    const box = document.createDocumentFragment();
    if (!items.length) return box;
    box.append(el("h3", `${title} (${items.length})`));
    const ul = el("ul");
    for (const item of items.slice(0, 200)) {
      const li = el("li");
      li.append(...(Array.isArray(item) ? item : [item]));
      ul.append(li);
    }
    if (items.length > 200) ul.append(el("li", `… and ${items.length - 200} more`));
    box.append(ul);
    return box;
  }
  function otherEnd(edgeId, id) {
    const [s, t] = graph.extremities(edgeId);
    return byId.get(s === id ? t : s);
  }
  function details(id) {
    const panel = $("details");
    panel.replaceChildren();
    panel.className = id ? "" : "muted";
    if (!id) { panel.textContent = "Click a node, or search a name."; return; }
    const n = byId.get(id);
    const head = el("h2", n.label, { id: "selected-label" });
    panel.append(head, el("div", `${n.type}, ${n.mentions || 0} mentions` + (n.date ? `, ${n.date}` : "") + (n.place ? `, ${n.place}` : ""), { class: "muted" }));
    panel.append(list("Aliases", n.aliases || []), list("Documents", n.documents || []));
    const incident = graph.edges(id).map((e) => edgeById.get(e));
    const roles = incident.filter((e) => e.relation === "holds_role").map((e) => `${otherEnd(e.id, id).label}`);
    const meetings = incident.filter((e) => e.relation === "participated_in").map((e) => {
      const m = otherEnd(e.id, id);
      return `${m.label}${m.date ? " (" + m.date + ")" : ""}`;
    });
    if (n.type === "meeting" && n.participants) panel.append(list("Participants", n.participants));
    panel.append(list("Roles", [...new Set(roles)]), list("Meetings", [...new Set(meetings)]));
    const evidence = incident.slice().sort((a, b) => b.weight - a.weight).map((e) => {
      const other = otherEnd(e.id, id);
      const arrow = e.source === id ? "→" : "←";
      const parts = [el("b", `${e.relation} ${arrow} ${other.label}`), ` ×${e.weight}`];
      if (e.evidence) parts.push(el("blockquote", e.evidence));
      if (e.rules && e.rules.length) parts.push(el("code", e.rules.join(", ")));
      return parts;
    });
    panel.append(list("Edges and their evidence", evidence));
  }

  // Self-test (used by the browser test): open graph.html#selftest=NAME.
  const wanted = decodeURIComponent((location.hash.match(/selftest=([^&]*)/) || [])[1] || "");
  if (wanted) {
    requestAnimationFrame(() => requestAnimationFrame(() => {
      const t0 = performance.now();
      for (let i = 0; i < 5; i++) renderer.refresh();  // re-run the reducers and redraw everything
      const refreshMs = Math.round((performance.now() - t0) / 5);
      const id = search(wanted);
      const label = $("selected-label");
      $("selftest-result").textContent = JSON.stringify({
        nodes: Number(counts.dataset.nodes), edges: Number(counts.dataset.edges),
        selected: document.body.dataset.selected || null, selected_label: label ? label.textContent : null,
        found: id, webgl: !!document.querySelector("#graph canvas"), ready_ms: readyMs, refresh_ms: refreshMs,
        resources: performance.getEntriesByType("resource").map((r) => r.name),
        errors: window.actorgraphErrors,
      });
    }));
  }
  window.actorgraph = { graph, renderer, search, select };
})();
