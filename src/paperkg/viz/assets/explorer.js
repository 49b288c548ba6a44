/* paperkg explorer: draws the graph embedded in #paperkg-data as SVG; pan, zoom, search and
 * a side panel with each edge's supporting papers. Inlined into the page by paperkg.viz.html.
 * Data is only ever inserted with textContent or setAttribute, never parsed as HTML.
 * With the URL fragment #selftest the page exercises itself and reports in body.dataset.selftest;
 * #select=LABEL opens the panel of a node, #select=LABEL--LABEL that of the edge between two.
 */
(function () {
  "use strict";
  const SVG_NS = "http://www.w3.org/2000/svg";
  const body = document.body;

  function fail(message) {
    body.dataset.status = "error";
    const before = body.dataset.errors;
    body.dataset.errors = before ? before + " | " + message : message;
  }
  window.onerror = function (message, source, line) {
    fail(String(message) + (line ? " (line " + line + ")" : ""));
    return false;
  };
  window.addEventListener("unhandledrejection", (event) => fail("rejected: " + event.reason));

  // ---- small helpers -------------------------------------------------------------------------
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function svgEl(tag, attrs) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const name of Object.keys(attrs)) node.setAttribute(name, String(attrs[name]));
    return node;
  }
  function safeUrl(url) {
    return typeof url === "string" && /^https?:\/\//i.test(url) ? url : null;
  }
  function link(url, text) {
    const href = safeUrl(url);
    if (!href) return el("span", null, text);
    const anchor = el("a", null, text);
    anchor.setAttribute("href", href);
    anchor.setAttribute("rel", "noopener noreferrer");
    anchor.setAttribute("target", "_blank");
    return anchor;
  }
  function plural(count, word, many) {
    return count + " " + (count === 1 ? word : many || word + "s");
  }
  function pretty(value) {
    return String(value).replace(/_/g, " ");
  }
  function short(text, width) {
    return text.length > width ? text.slice(0, width - 1).trimEnd() + "\u2026" : text;
  }
  function clamp(value, low, high) {
    return Math.max(low, Math.min(high, value));
  }

  // ---- state ---------------------------------------------------------------------------------
  const data = JSON.parse(document.getElementById("paperkg-data").textContent);
  const nodes = data.nodes || [];
  const byId = new Map();
  nodes.forEach((node, index) => {
    node.index = index;
    node.links = [];
    byId.set(node.id, node);
  });
  const edges = (data.edges || []).filter((e) => byId.has(e.source) && byId.has(e.target));
  const legend = data.legend || { kinds: [], outcomes: [], relations: [] };
  const outcomeLabels = data.outcomeLabels || {};
  const outcomeColours = data.outcomeColours || {};
  const kindLabels = new Map(legend.kinds.map((k) => [k.kind, k.label]));

  const stage = document.getElementById("stage");
  const panel = document.getElementById("panel");
  const tooltip = document.getElementById("tooltip");
  const search = document.getElementById("search");
  const matchesEl = document.getElementById("matches");
  const legendEl = document.getElementById("legend");
  const svg = svgEl("svg", { id: "graph", role: "img", "aria-label": data.title || "graph" });
  const root = svgEl("g", { id: "viewport" });
  const edgeLayer = svgEl("g", { class: "edges" });
  const nodeLayer = svgEl("g", { class: "nodes" });
  root.append(edgeLayer, nodeLayer);
  svg.append(root);
  stage.insertBefore(svg, stage.firstChild);

  const view = { k: 1, x: 0, y: 0 };
  let baseK = 1;
  let drawnK = null;
  let matches = [];
  let ranked = [];
  let marked = [];
  let dragged = false;
  let moved = false; // has the user panned or zoomed? (until then a resize refits)

  // ---- drawing -------------------------------------------------------------------------------
  // Crowded views get smaller nodes, thinner and fainter edges (labels keep their size).
  const nodeDensity = clamp(Math.sqrt(60 / Math.max(1, nodes.length)), 0.5, 1);
  const edgeDensity = clamp(Math.sqrt(150 / Math.max(1, edges.length)), 0.4, 1);
  function radius(node) {
    return nodeDensity * (4 + 3 * Math.sqrt(clamp(node.papers || 0, 0, 64)));
  }
  function width(edge) {
    const extra = 1.8 * Math.sqrt(clamp((edge.weight || 1) - 1, 0, 30));
    return (1.4 + extra) * Math.max(0.6, edgeDensity);
  }

  function draw() {
    svg.style.setProperty("--edge-opacity", (0.75 * edgeDensity).toFixed(2));
    const order = edges.map((e, i) => i).sort((a, b) => edges[a].weight - edges[b].weight || a - b);
    for (const index of order) {
      const edge = edges[index];
      const source = byId.get(edge.source);
      const target = byId.get(edge.target);
      const ends = { x1: source.x, y1: source.y, x2: target.x, y2: target.y };
      const group = svgEl("g", { class: "edge", "data-edge": index });
      group.append(
        svgEl("line", Object.assign({
          class: "stroke", stroke: edge.colour, "stroke-width": width(edge).toFixed(2),
          "vector-effect": "non-scaling-stroke",
        }, ends)),
        svgEl("line", Object.assign({ class: "hit", "vector-effect": "non-scaling-stroke" }, ends)),
      );
      edgeLayer.append(group);
      edge.el = group;
      source.links.push(edge);
      target.links.push(edge);
    }
    ranked = nodes.slice().sort((a, b) =>
      (b.papers || 0) - (a.papers || 0) || b.links.length - a.links.length || a.index - b.index);
    ranked.forEach((node, i) => {
      node.r = radius(node);
      const major = nodes.length > 1 && i < Math.max(3, nodes.length / 10);
      const group = svgEl("g", { class: "node" + (major ? " major" : ""), "data-node": node.index });
      const label = svgEl("text", { x: (node.r + 4).toFixed(1), y: 4 });
      label.textContent = short(node.label, 38);
      group.append(svgEl("circle", { r: node.r.toFixed(2), fill: node.colour }), label);
      node.el = group;
      node.text = label;
    });
    // Nodes in data order (the self-test and panel find them by index), drawn all at once.
    nodeLayer.append(...nodes.map((node) => node.el));
    for (const node of nodes) node.textWidth = node.text.getComputedTextLength() || 7 * node.label.length;
  }

  function declutter(scale) {
    // Hide the labels that would overlap a label of a node with more papers (a greedy pass
    // over a grid of screen cells); hovering, selecting or finding a node shows its label.
    const cell = 96;
    const grid = new Map();
    for (const node of ranked) {
      const x0 = view.k * node.x + (node.r + 4) * scale;
      const y0 = view.k * node.y - 9 * scale;
      const x1 = x0 + node.textWidth * scale;
      const y1 = y0 + 13 * scale;
      const keys = [];
      let free = true;
      for (let gx = Math.floor(x0 / cell); gx <= Math.floor(x1 / cell); gx++) {
        for (let gy = Math.floor(y0 / cell); gy <= Math.floor(y1 / cell); gy++) {
          const key = gx + ":" + gy;
          keys.push(key);
          for (const b of grid.get(key) || []) {
            if (b[0] < x1 && b[2] > x0 && b[1] < y1 && b[3] > y0) free = false;
          }
        }
      }
      node.el.classList.toggle("crowded", !free);
      if (!free) continue;
      for (const key of keys) {
        if (!grid.has(key)) grid.set(key, []);
        grid.get(key).push([x0, y0, x1, y1]);
      }
    }
  }

  function buildLegend() {
    function section(title, items, swatch) {
      if (!items.length) return;
      const part = el("div", "section");
      part.append(el("h2", null, title));
      for (const item of items) {
        const row = el("div", "key");
        const mark = el("span", swatch);
        mark.style.background = item.colour;
        row.append(mark, el("span", null, item.label));
        part.append(row);
      }
      legendEl.append(part);
    }
    section("Nodes", legend.kinds, "dot");
    section("Outcome", legend.outcomes, "bar");
    section("Links", legend.relations, "bar");
    if (nodes.length) legendEl.append(el("div", "note", "size, width: papers"));
  }

  // ---- view: pan and zoom --------------------------------------------------------------------
  function apply() {
    root.setAttribute("transform",
      "translate(" + view.x.toFixed(2) + "," + view.y.toFixed(2) + ") scale(" + view.k.toFixed(5) + ")");
    if (view.k === drawnK) return;
    drawnK = view.k;
    const scale = clamp(Math.sqrt(view.k / baseK), 0.6, 2.5);
    const inner = (scale / view.k).toFixed(5);
    for (const node of nodes) {
      node.el.setAttribute("transform", "translate(" + node.x + "," + node.y + ") scale(" + inner + ")");
    }
    declutter(scale);
  }

  function fitTo(list, maxRatio) {
    // Fit the nodes into the free area (none under the open panel, room on the right for
    // labels): the whole area if no node lands under the legend, else beside or above it.
    const box = svg.getBoundingClientRect();
    const free = box.width - (panel.hidden ? 0 : panel.offsetWidth);
    const legendW = legendEl.offsetWidth ? legendEl.offsetWidth + 12 : 0;
    const legendH = legendEl.offsetHeight ? legendEl.offsetHeight + 12 : 0;
    const xs = list.map((n) => n.x);
    const ys = list.map((n) => n.y);
    const [x0, x1, y0, y1] = list.length
      ? [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)] : [0, 0, 0, 0];
    function place(left, bottom) {
      const w = Math.max(80, free - left - 170);
      const h = Math.max(80, box.height - 32 - bottom);
      const candidates = [];
      if (x1 - x0 > 1e-6) candidates.push(w / (x1 - x0));
      if (y1 - y0 > 1e-6) candidates.push(h / (y1 - y0));
      let k = candidates.length ? Math.min(...candidates) : baseK;
      if (maxRatio) k = Math.min(k, baseK * maxRatio);
      return { k: k, x: left + w / 2 - k * (x0 + x1) / 2, y: 32 + h / 2 - k * (y0 + y1) / 2 };
    }
    function clear(option) {
      const top = box.height - legendH - 14;
      return list.every((n) => option.x + option.k * n.x > legendW + 14 || option.y + option.k * n.y < top);
    }
    const whole = place(32, 32);
    const options = [place(legendW + 24, 32), place(32, legendH + 24)];
    const best = clear(whole) ? whole : options[0].k > options[1].k ? options[0] : options[1];
    view.k = best.k;
    view.x = best.x;
    view.y = best.y;
  }

  function zoomAt(factor, px, py) {
    moved = true;
    const k = clamp(view.k * factor, baseK * 0.1, baseK * 25);
    const f = k / view.k;
    view.x = px - (px - view.x) * f;
    view.y = py - (py - view.y) * f;
    view.k = k;
    apply();
  }
  function zoomCentre(factor) {
    const box = svg.getBoundingClientRect();
    zoomAt(factor, box.width / 2, box.height / 2);
  }

  function wireView() {
    svg.addEventListener("wheel", (event) => {
      event.preventDefault();
      const box = svg.getBoundingClientRect();
      const step = event.deltaMode === 1 ? 0.05 : 0.0015;
      zoomAt(Math.exp(-event.deltaY * step), event.clientX - box.left, event.clientY - box.top);
    }, { passive: false });
    svg.addEventListener("pointerdown", (event) => {
      if (event.button !== 0 || event.target.closest("[data-node],[data-edge]")) return;
      const start = { x: event.clientX, y: event.clientY, vx: view.x, vy: view.y };
      let far = false;
      dragged = false;
      function move(e) {
        const dx = e.clientX - start.x;
        const dy = e.clientY - start.y;
        if (Math.abs(dx) + Math.abs(dy) > 3) far = moved = true;
        view.x = start.vx + dx;
        view.y = start.vy + dy;
        apply();
      }
      function up() {
        window.removeEventListener("pointermove", move);
        window.removeEventListener("pointerup", up);
        svg.classList.remove("panning");
        dragged = far;
      }
      svg.classList.add("panning");
      window.addEventListener("pointermove", move);
      window.addEventListener("pointerup", up);
    });
    document.getElementById("zoom-in").addEventListener("click", () => zoomCentre(1.4));
    document.getElementById("zoom-out").addEventListener("click", () => zoomCentre(1 / 1.4));
    document.getElementById("zoom-reset").addEventListener("click", () => {
      fitTo(nodes);
      apply();
      moved = false;
    });
    window.addEventListener("resize", () => {
      if (moved) return;
      fitTo(nodes);
      baseK = view.k;
      drawnK = null;
      apply();
    });
  }

  // ---- tooltip, selection, panel -------------------------------------------------------------
  function targetOf(event) {
    const hit = event.target.closest ? event.target.closest("[data-node],[data-edge]") : null;
    if (!hit) return null;
    if (hit.hasAttribute("data-node")) return { node: nodes[Number(hit.getAttribute("data-node"))] };
    return { edge: edges[Number(hit.getAttribute("data-edge"))] };
  }

  function edgeTitle(edge) {
    return byId.get(edge.source).label + " \u2192 " + byId.get(edge.target).label;
  }
  function edgeFacts(edge) {
    const parts = [edge.label, plural(edge.weight, "paper")];
    if (edge.outcome) parts.push(outcomeLabels[edge.outcome] || pretty(edge.outcome));
    return parts.join(" \u00b7 ");
  }

  function showTooltip(event, hit) {
    tooltip.replaceChildren();
    if (hit.node) {
      const n = hit.node;
      tooltip.append(el("div", null, n.label));
      tooltip.append(el("div", "sub", [kindLabels.get(n.kind) || n.kind, plural(n.papers, "paper")]
        .concat(n.ids.slice(0, 3)).join(" \u00b7 ")));
    } else {
      const edge = hit.edge;
      tooltip.append(el("div", null, edgeTitle(edge)), el("div", "sub", edgeFacts(edge)));
      // The first supporting sentence, so hovering shows why the edge is there.
      const item = (edge.support || []).find((s) => (s.evidence || []).length);
      if (item) {
        const sentence = item.evidence[0];
        tooltip.append(el("blockquote", null,
          sentence.length > 240 ? sentence.slice(0, 239) + "\u2026" : sentence));
        const more = [item.year, item.title].filter(Boolean).join(" \u00b7 ");
        if (more) tooltip.append(el("div", "sub", "\u2014 " + more));
        tooltip.append(el("div", "sub", "click for " + ((edge.more_papers || 0) ? "the latest " : "all ")
          + plural((edge.support || []).length, "paper")));
      }
    }
    tooltip.hidden = false;
    moveTooltip(event);
  }
  function moveTooltip(event) {
    const box = stage.getBoundingClientRect();
    const x = clamp(event.clientX - box.left + 14, 0, Math.max(0, box.width - tooltip.offsetWidth - 4));
    const y = clamp(event.clientY - box.top + 14, 0, Math.max(0, box.height - tooltip.offsetHeight - 4));
    tooltip.style.left = x + "px";
    tooltip.style.top = y + "px";
  }

  function mark(element, ...names) {
    element.classList.add(...names);
    marked.push(element);
  }
  function clearMarks() {
    for (const element of marked) element.classList.remove("selected", "near");
    marked = [];
    svg.classList.remove("focus");
  }

  function chip(colour, text) {
    const span = el("span", "chip", text);
    span.style.background = colour || "#444444";
    return span;
  }
  function outcomeChip(outcome) {
    return chip(outcomeColours[outcome], outcomeLabels[outcome] || pretty(outcome));
  }
  function nodeButton(node, prefix) {
    const button = el("button", "link", prefix + node.label);
    button.type = "button";
    button.addEventListener("click", () => selectNode(node));
    return button;
  }
  function facts(rows) {
    const list = el("dl");
    for (const [term, value] of rows) {
      if (value === null || value === undefined || value === "") continue;
      list.append(el("dt", null, term));
      const dd = el("dd");
      if (value instanceof Node) dd.append(value);
      else dd.textContent = String(value);
      list.append(dd);
    }
    return list;
  }

  function openPanel(children) {
    const close = el("button", "close", "\u00d7");
    close.type = "button";
    close.setAttribute("aria-label", "Close");
    close.addEventListener("click", () => select(null));
    panel.replaceChildren(close, ...children);
    panel.hidden = false;
    panel.scrollTop = 0;
  }

  function selectEdge(edge) {
    clearMarks();
    const source = byId.get(edge.source);
    const target = byId.get(edge.target);
    mark(edge.el, "selected", "near");
    mark(source.el, "near");
    mark(target.el, "near");
    for (const item of edge.support || []) {
      const paper = byId.get(item && item.paper);
      if (paper) mark(paper.el, "near");
    }
    svg.classList.add("focus");
    const parts = [el("h2", null, edgeTitle(edge))];
    const summary = el("p");
    if (edge.outcome) summary.append(outcomeChip(edge.outcome));
    summary.append(document.createTextNode(edge.label + " \u00b7 " + plural(edge.weight, "paper")));
    parts.push(summary);
    const counts = Object.entries(edge.outcomes || {});
    parts.push(facts([
      ["from", nodeButton(source, "")],
      ["to", nodeButton(target, "")],
      ["predicate", edge.predicate],
      ["outcomes", counts.map(([k, v]) => (outcomeLabels[k] || pretty(k)) + " " + v).join(" \u00b7 ")],
    ]));
    const support = edge.support || [];
    parts.push(el("h3", null, "Supporting papers (" + support.length + ")"));
    if (!support.length) parts.push(el("p", "meta", "No supporting papers recorded."));
    const list = el("ol", "support");
    for (const item of support) {
      const li = el("li");
      li.append(link(item.url, item.title || item.paper || "untitled paper"));
      const meta = [item.year, item.design && pretty(item.design),
        item.sample_size !== null && item.sample_size !== undefined ? "n = " + item.sample_size : null,
        item.dose ? "dose " + item.dose : null].filter((v) => v !== null && v !== undefined && v !== "");
      const line = el("div", "meta");
      if (item.outcome) line.append(outcomeChip(item.outcome));
      line.append(document.createTextNode(meta.join(" \u00b7 ")));
      li.append(line);
      for (const result of item.results || []) li.append(el("div", "result", result));
      for (const sentence of item.evidence || []) li.append(el("blockquote", null, sentence));
      list.append(li);
    }
    if (support.length) parts.push(list);
    if (edge.more_papers) {
      parts.push(el("p", "meta", plural(edge.more_papers, "older paper") + " not in this page: "
        + "draw the neighbourhood of this drug or condition (paperkg viz --focus) to see them all."));
    }
    openPanel(parts);
  }

  function selectNode(node) {
    clearMarks();
    mark(node.el, "selected", "near");
    for (const edge of node.links) {
      mark(edge.el, "near");
      mark(byId.get(edge.source === node.id ? edge.target : edge.source).el, "near");
    }
    svg.classList.add("focus");
    const parts = [el("h2", null, node.label), chip(node.colour, kindLabels.get(node.kind) || node.kind)];
    parts.push(facts([
      ["title", node.title !== node.label ? node.title : null],
      ["papers", node.papers],
      ["year", node.year],
      ["design", node.design && pretty(node.design)],
      ["n", node.sample_size],
      ["journal", node.journal],
      ["ids", node.ids.join(", ")],
      ["IRI", node.iri],
      ["link", safeUrl(node.url) ? link(node.url, node.url) : null],
    ]));
    parts.push(el("h3", null, "Connections (" + node.links.length + ")"));
    const list = el("ul");
    const sorted = node.links.slice().sort((a, b) => b.weight - a.weight);
    for (const edge of sorted.slice(0, 200)) {
      const outgoing = edge.source === node.id;
      const other = byId.get(outgoing ? edge.target : edge.source);
      const button = el("button", "link", (outgoing ? "\u2192 " : "\u2190 ") + other.label);
      button.type = "button";
      button.addEventListener("click", () => selectEdge(edge));
      const li = el("li");
      li.append(button, el("div", "meta", edgeFacts(edge)));
      list.append(li);
    }
    if (sorted.length > 200) list.append(el("li", "meta", "\u2026 and " + (sorted.length - 200) + " more"));
    parts.push(list);
    openPanel(parts);
  }

  function select(hit) {
    if (hit && hit.node) selectNode(hit.node);
    else if (hit && hit.edge) selectEdge(hit.edge);
    else {
      clearMarks();
      panel.hidden = true;
    }
  }

  function wireSelection() {
    svg.addEventListener("pointerover", (event) => {
      const hit = targetOf(event);
      if (hit) showTooltip(event, hit);
      else tooltip.hidden = true;
    });
    svg.addEventListener("pointermove", (event) => {
      if (!tooltip.hidden) moveTooltip(event);
    });
    svg.addEventListener("pointerleave", () => {
      tooltip.hidden = true;
    });
    svg.addEventListener("click", (event) => {
      if (dragged) {
        dragged = false;
        return;
      }
      select(targetOf(event));
    });
    document.addEventListener("keydown", (event) => {
      if (event.target === search) return;
      if (event.key === "Escape") select(null);
      else if (event.key === "+" || event.key === "=") zoomCentre(1.4);
      else if (event.key === "-") zoomCentre(1 / 1.4);
    });
  }

  // ---- search --------------------------------------------------------------------------------
  function runSearch() {
    for (const node of matches) node.el.classList.remove("match");
    const query = search.value.trim().toLowerCase();
    matches = !query ? [] : nodes.filter((n) => n.label.toLowerCase().includes(query)
      || n.ids.some((id) => id.toLowerCase().includes(query)) || n.iri.toLowerCase() === query);
    for (const node of matches) node.el.classList.add("match");
    svg.classList.toggle("searching", Boolean(query));
    matchesEl.textContent = query ? plural(matches.length, "match", "matches") : "";
  }
  function centreOnMatches() {
    if (!matches.length) return;
    fitTo(matches, 2.5);
    apply();
    moved = true;
  }
  function wireSearch() {
    search.addEventListener("input", runSearch);
    search.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        runSearch();
        centreOnMatches();
      } else if (event.key === "Escape") {
        search.value = "";
        runSearch();
      }
    });
  }

  // ---- deep links: #select=LABEL (a node) or #select=LABEL--LABEL (an edge) -------------------
  function findNode(text) {
    return nodes.find((n) => n.label.toLowerCase() === text || n.iri.toLowerCase() === text
      || n.ids.some((id) => id.toLowerCase() === text));
  }
  function selectFromHash() {
    const match = /^#select=(.+)$/.exec(window.location.hash);
    if (!match) return;
    let text;
    try {
      text = decodeURIComponent(match[1]);
    } catch (error) {
      return; // a malformed link selects nothing
    }
    const wanted = text.trim().toLowerCase().split("--");
    const found = wanted.map(findNode);
    if (found.some((node) => !node)) return;
    if (found.length === 1) {
      selectNode(found[0]);
      return;
    }
    const [a, b] = found;
    const edge = edges.find((e) => (e.source === a.id && e.target === b.id)
      || (e.source === b.id && e.target === a.id));
    if (edge) selectEdge(edge);
  }

  // ---- self-test (only with #selftest) -------------------------------------------------------
  function selftest() {
    const ran = [];
    const failures = [];
    function check(name, ok, why) {
      ran.push(name);
      if (!ok) failures.push(name + ": " + why);
    }
    const box = svg.getBoundingClientRect();
    const before = root.getAttribute("transform");
    const k = view.k;
    const px = box.left + box.width / 3;
    const py = box.top + box.height / 3;
    const worldX = (px - box.left - view.x) / view.k;
    svg.dispatchEvent(new WheelEvent("wheel", {
      deltaY: -300, clientX: px, clientY: py, bubbles: true, cancelable: true,
    }));
    const still = Math.abs((px - box.left - view.x) / view.k - worldX) < 1e-6;
    check("wheel", view.k > k && root.getAttribute("transform") !== before && still,
      "zoom did not change the transform around the pointer");

    if (nodes.length) {
      const first = nodes[0];
      first.el.dispatchEvent(new PointerEvent("pointerover", { bubbles: true, clientX: px, clientY: py }));
      check("tooltip", !tooltip.hidden && tooltip.textContent.includes(first.label), "no tooltip");
      svg.dispatchEvent(new PointerEvent("pointerleave", {}));
    }
    const said = edges.find((e) => (e.support || []).some((s) => (s.evidence || []).length));
    if (said) {
      const sentence = said.support.find((s) => (s.evidence || []).length).evidence[0];
      said.el.querySelector("line.hit").dispatchEvent(new PointerEvent("pointerover", {
        bubbles: true, clientX: px, clientY: py,
      }));
      check("hover", !tooltip.hidden && tooltip.textContent.includes(sentence.slice(0, 200)),
        "hovering an edge does not show its supporting sentence");
      svg.dispatchEvent(new PointerEvent("pointerleave", {}));
    }

    const edge = edges.find((e) => (e.support || []).some((s) => (s.evidence || []).length));
    if (edge) {
      const item = edge.support.find((s) => (s.evidence || []).length);
      edge.el.querySelector("line.hit").dispatchEvent(new MouseEvent("click", {
        bubbles: true, cancelable: true, view: window,
      }));
      check("panel", !panel.hidden && panel.textContent.includes(item.evidence[0]),
        "the panel lacks the edge's first evidence sentence");
      if (safeUrl(item.url)) {
        const anchor = Array.from(panel.querySelectorAll("a")).find((a) => a.getAttribute("href") === item.url);
        check("link", Boolean(anchor) && anchor.rel === "noopener noreferrer" && anchor.target === "_blank",
          "no safe link to " + item.url);
      }
    }

    if (nodes.length) {
      const target = nodes[nodes.length - 1];
      search.value = target.label;
      search.dispatchEvent(new Event("input", { bubbles: true }));
      check("search", target.el.classList.contains("match") && svg.classList.contains("searching"),
        "the searched node is not highlighted");
      search.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
      const after = svg.getBoundingClientRect();
      const sx = view.x + view.k * target.x;
      const sy = view.y + view.k * target.y;
      check("centre", sx > 0 && sx < after.width && sy > 0 && sy < after.height, "match is off screen");
      search.value = "";
      search.dispatchEvent(new Event("input", { bubbles: true }));
      check("clear", !svg.classList.contains("searching") && !matches.length, "search did not clear");
    }

    const startX = view.x;
    const down = { bubbles: true, button: 0, clientX: px, clientY: py, pointerId: 1 };
    svg.dispatchEvent(new PointerEvent("pointerdown", down));
    window.dispatchEvent(new PointerEvent("pointermove", Object.assign({}, down, { clientX: px + 40 })));
    window.dispatchEvent(new PointerEvent("pointerup", Object.assign({}, down, { clientX: px + 40 })));
    dragged = false;
    check("pan", Math.abs(view.x - startX - 40) < 1e-6, "dragging the background did not pan");

    const scripts = document.getElementsByTagName("script").length;
    const injected = document.querySelectorAll("img, iframe, object, embed, link").length;
    check("inert", scripts === 2 && injected === 0, "the data created elements it should not");

    fitTo(nodes);
    apply();
    moved = false;
    body.dataset.selftestChecks = ran.join(",");
    body.dataset.selftest = failures.length ? "fail: " + failures.join("; ") : "pass";
  }

  // ---- main ----------------------------------------------------------------------------------
  try {
    document.getElementById("title").textContent = data.title || document.title;
    document.getElementById("counts").textContent =
      plural(nodes.length, "node") + ", " + plural(edges.length, "edge");
    buildLegend();
    draw();
    document.getElementById("empty").hidden = nodes.length > 0;
    fitTo(nodes);
    baseK = view.k;
    apply();
    wireView();
    wireSelection();
    wireSearch();
    body.dataset.nodeCount = String(nodeLayer.childElementCount);
    body.dataset.edgeCount = String(edgeLayer.childElementCount);
    if (body.dataset.status !== "error") body.dataset.status = "ready";
  } catch (error) {
    fail(String(error && error.stack ? error.message : error));
  }
  if (body.dataset.status === "ready") {
    selectFromHash();
    window.addEventListener("hashchange", selectFromHash);
  }
  if (window.location.hash === "#selftest" && body.dataset.status === "ready") {
    try {
      selftest();
    } catch (error) {
      body.dataset.selftest = "fail: " + String(error && error.message ? error.message : error);
    }
  }
})();
