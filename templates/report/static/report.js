/* The interactive context map of the decomposer report. Reads the JSON embedded in
 * #report-data; writes names only through textContent (never innerHTML), so a name with
 * markup in it stays text. Starts at the context level and lays out a context's members
 * only when it is opened, so a map of thousands of modules stays responsive. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var map = data.map;
  var container = document.getElementById("cy");
  var panel = document.getElementById("map-detail");
  var contextsByName = {};
  data.contexts.forEach(function (c) { contextsByName[c.name] = c; });
  var maxWeight = 1;
  map.edges.forEach(function (e) { maxWeight = Math.max(maxWeight, e.weight); });
  var maxMembers = 1;
  map.nodes.forEach(function (n) { maxMembers = Math.max(maxMembers, n.members); });
  var LARGE = 400; // above this many contexts, place them on a grid instead of a force layout
  var GAP = 16; // the least room between two contexts (their labels included) after the layout
  var CELL_X = 200, CELL_Y = 44; // the grid of an opened context's members
  var OPEN_ZOOM = 1.4; // the most an opened context is zoomed in
  var tip = document.getElementById("map-tip");

  function ctxId(name) { return "ctx/" + name; }
  function unitId(unit) { return "unit/" + unit; }

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (cls) { node.className = cls; }
    return node;
  }

  var elements = map.nodes.map(function (n) {
    return {
      group: "nodes",
      data: { id: ctxId(n.id), name: n.id, label: n.label + "\n" + n.members + " members", type: "context",
              size: 40 + 60 * Math.sqrt(n.members / maxMembers) },
      position: { x: n.x, y: n.y }
    };
  }).concat(map.edges.map(function (e) {
    return {
      group: "edges",
      data: { id: "edge/" + e.id, source: ctxId(e.source), target: ctxId(e.target), kind: e.kind,
              weight: e.weight, label: e.kind + " " + e.weight, width: 1.5 + 8 * Math.sqrt(e.weight / maxWeight) },
      classes: e.kind
    };
  }));

  var cy = window.cytoscape({
    container: container,
    elements: elements,
    wheelSensitivity: 0.3,
    minZoom: 0.05,
    maxZoom: 4,
    style: [
      { selector: "node[type='context']", style: {
        "shape": "round-rectangle", "width": "data(size)", "height": "data(size)",
        "background-color": "#dbeafe", "border-color": "#1d4ed8", "border-width": 2,
        "label": "data(label)", "text-wrap": "wrap", "text-max-width": 180, "text-valign": "center",
        "font-size": 15, "font-weight": 600, "color": "#111827", "text-outline-color": "#fff", "text-outline-width": 2 } },
      { selector: "node[type='context']:parent", style: {
        "background-opacity": 0.35, "text-valign": "top", "text-margin-y": -4, "padding": 14 } },
      { selector: "node[type='unit']", style: {
        "width": 14, "height": 14, "background-color": "#64748b", "label": "data(label)",
        "font-size": 10, "color": "#374151", "text-valign": "bottom", "min-zoomed-font-size": 6,
        "text-wrap": "ellipsis", "text-max-width": CELL_X - 16 } },
      { selector: "node.selected-unit", style: { "background-color": "#f59e0b", "width": 20, "height": 20 } },
      { selector: "node.match", style: { "border-color": "#f59e0b", "border-width": 5 } },
      { selector: ".faded", style: { "opacity": 0.25 } },
      { selector: "edge", style: {
        "width": "data(width)", "curve-style": "bezier", "target-arrow-shape": "triangle",
        "arrow-scale": 0.9, "opacity": 0.8, "line-color": "#2563eb", "target-arrow-color": "#2563eb" } },
      { selector: "edge.sqs", style: { "line-color": "#d97706", "target-arrow-color": "#d97706", "line-style": "dashed" } },
      { selector: "edge.data", style: { "line-color": "#7c3aed", "target-arrow-color": "#7c3aed", "line-style": "dotted" } },
      { selector: "edge.internal", style: { "line-color": "#94a3b8", "target-arrow-color": "#94a3b8", "width": 1, "opacity": 0.6 } },
      { selector: "edge:selected, edge.hover", style: { "label": "data(label)", "font-size": 11, "text-background-color": "#fff", "text-background-opacity": 1 } },
      { selector: ".hidden", style: { "display": "none" } }
    ]
  });
  window.reportMap = cy;

  function relayout(onDone) {
    var visible = cy.nodes(":visible").length;
    var options = visible > LARGE
      ? { name: "grid", avoidOverlap: true, avoidOverlapPadding: GAP, nodeDimensionsIncludeLabels: true,
          animate: false, fit: true }
      : { name: "cose", randomize: false, animate: false, fit: false, padding: 30,
          nodeDimensionsIncludeLabels: true, idealEdgeLength: function () { return 120; },
          nodeRepulsion: function () { return 90000; }, numIter: 1000 };
    var layout = cy.layout(options);
    layout.one("layoutstop", function () {
      if (visible <= LARGE) { separate(cy.nodes("[type='context']"), cy.collection()); }
      cy.fit(undefined, 30);
      if (onDone) { onDone(); }
    });
    layout.run();
  }

  // A force layout leaves some boxes on top of one another (a long label over its neighbour:
  // "notificationsrs"); push every overlapping pair apart along the axis where they overlap
  // least, until no node or label touches another.
  function separate(nodes, pinned) {
    var items = nodes.map(function (node) {
      var box = node.boundingBox({ includeLabels: true, includeOverlays: false });
      var at = node.position();
      return { node: node, x: at.x, y: at.y, left: box.x1 - at.x, right: box.x2 - at.x,
               top: box.y1 - at.y, bottom: box.y2 - at.y };
    });
    for (var round = 0; round < 500; round++) {
      var moved = false;
      for (var i = 0; i < items.length; i++) {
        for (var j = i + 1; j < items.length; j++) {
          var a = items[i], b = items[j];
          var dx = Math.min(a.x + a.right, b.x + b.right) - Math.max(a.x + a.left, b.x + b.left) + GAP;
          var dy = Math.min(a.y + a.bottom, b.y + b.bottom) - Math.max(a.y + a.top, b.y + b.top) + GAP;
          if (dx <= 0 || dy <= 0) { continue; }
          moved = true;
          // a pinned node (the opened context) stays; the other one takes the whole step
          var shareA = a.node.same(pinned) ? 0 : b.node.same(pinned) ? 1 : 0.5;
          if (dx < dy) {
            var sx = (b.x > a.x || (b.x === a.x && j > i)) ? 1 : -1;
            a.x -= sx * dx * shareA; b.x += sx * dx * (1 - shareA);
          } else {
            var sy = (b.y > a.y || (b.y === a.y && j > i)) ? 1 : -1;
            a.y -= sy * dy * shareA; b.y += sy * dy * (1 - shareA);
          }
        }
      }
      if (!moved) { break; }
    }
    cy.batch(function () {
      items.forEach(function (item) {
        if (!item.node.same(pinned)) { item.node.position({ x: item.x, y: item.y }); }
      });
    });
  }

  // The number of columns that shows `count` members at the largest zoom in this view.
  function gridColumns(count) {
    var best = 1, bestZoom = 0;
    for (var columns = 1; columns <= Math.max(1, count); columns++) {
      var zoom = Math.min(cy.width() / (columns * CELL_X + 60), cy.height() / (Math.ceil(count / columns) * CELL_Y + 90));
      if (zoom > bestZoom + 1e-9) { best = columns; bestZoom = zoom; }
      if (columns * CELL_X > 4 * cy.width()) { break; }
    }
    return best;
  }

  function showTip(event, text) {
    var at = event.target.renderedPosition();
    tip.textContent = text;
    tip.style.left = Math.round(at.x + 12) + "px";
    tip.style.top = Math.round(at.y + 12) + "px";
    tip.style.display = "block";
  }

  function hideTip() { tip.style.display = "none"; }

  var saved = null; // positions of the contexts before one was opened

  // Opening a context places its members on a grid inside it and pushes the other contexts
  // out of the way; nothing else moves, so opening even a context of 1,000 members is quick.
  function expand(name) {
    var parent = cy.getElementById(ctxId(name));
    if (parent.empty() || parent.data("open")) { return; }
    cy.nodes("[type='context']").forEach(function (node) { collapse(node.data("name")); });
    saved = {};
    cy.nodes("[type='context']").forEach(function (node) { saved[node.id()] = Object.assign({}, node.position()); });
    parent.data("open", true);
    var centre = Object.assign({}, parent.position());
    var members = map.members[name] || [];
    var columns = gridColumns(members.length);
    var rows = Math.ceil(members.length / columns);
    var cellX = CELL_X, cellY = CELL_Y;
    var added = members.map(function (m, i) {
      return { group: "nodes", data: { id: unitId(m.id), unit: m.id, label: m.label, type: "unit", parent: ctxId(name) },
               position: { x: centre.x + ((i % columns) - (columns - 1) / 2) * cellX,
                           y: centre.y + (Math.floor(i / columns) - (rows - 1) / 2) * cellY } };
    });
    (map.internal[name] || []).forEach(function (edge, i) {
      added.push({ group: "edges", classes: "internal",
                   data: { id: "internal/" + name + "/" + i, source: unitId(edge[0]), target: unitId(edge[1]),
                           weight: edge[2], label: String(edge[2]), width: 1 } });
    });
    cy.batch(function () {
      cy.add(added);
      var halfW = columns * cellX / 2 + 120, halfH = rows * cellY / 2 + 110;
      cy.nodes("[type='context']").forEach(function (node) {
        if (node.same(parent)) { return; }
        var p = node.position(), dx = p.x - centre.x, dy = p.y - centre.y;
        if (!dx && !dy) { dx = 1; }
        var k = Math.min(dx ? halfW / Math.abs(dx) : Infinity, dy ? halfH / Math.abs(dy) : Infinity);
        if (k > 1) { node.position({ x: centre.x + dx * k, y: centre.y + dy * k }); }
      });
    });
    separate(cy.nodes("[type='context']"), parent);
    applyFilters();
    // zoomed onto the opened context, so its members' labels are legible; zoom out for the rest
    cy.fit(parent, 30);
    if (cy.zoom() > OPEN_ZOOM) { cy.zoom(OPEN_ZOOM); cy.center(parent); }
  }

  function collapse(name) {
    var parent = cy.getElementById(ctxId(name));
    if (!parent.data("open")) { return; }
    parent.data("open", false);
    parent.children().remove();
    if (saved) {
      cy.nodes("[type='context']").forEach(function (node) {
        if (saved[node.id()]) { node.position(saved[node.id()]); }
      });
      saved = null;
    }
    cy.fit(undefined, 30);
  }

  function showContext(name) {
    var context = contextsByName[name];
    panel.textContent = "";
    var heading = el("h3");
    var link = el("a", name);
    link.href = "#context-" + name;
    heading.appendChild(link);
    panel.appendChild(heading);
    panel.appendChild(el("p", context.modules.length + " modules, " + context.symbols.length +
      " symbols · " + context.datastore.kind + " · extract #" + context.order, "note"));
    var list = el("ul", null, "members mono");
    list.setAttribute("data-context", name);
    context.modules.concat(context.symbols).forEach(function (unit) {
      var item = el("li", unit);
      item.setAttribute("data-unit", unit);
      item.addEventListener("click", function () { selectUnit(unit); });
      list.appendChild(item);
    });
    panel.appendChild(el("h4", "Members"));
    panel.appendChild(list);
  }

  function selectUnit(unit) {
    cy.nodes(".selected-unit").removeClass("selected-unit");
    var node = cy.getElementById(unitId(unit));
    node.addClass("selected-unit");
    var old = panel.querySelector(".unit-detail");
    if (old) { old.remove(); }
    var box = el("div", null, "unit-detail");
    box.appendChild(el("h4", unit));
    var names = map.symbols[unit] || [];
    box.appendChild(el("p", names.length ? "classes and functions:" : "no classes or functions", "note"));
    var list = el("ul", null, "mono small");
    names.forEach(function (s) { list.appendChild(el("li", s)); });
    box.appendChild(list);
    panel.insertBefore(box, panel.children[1] || null);
  }

  function applyFilters() {
    var minimum = parseInt(weightBox.value, 10) || 1;
    var shown = {};
    document.querySelectorAll(".toolbar input[data-kind]").forEach(function (box) {
      shown[box.getAttribute("data-kind")] = box.checked;
    });
    cy.batch(function () {
      cy.edges().forEach(function (edge) {
        var kind = edge.data("kind");
        var hide = kind !== undefined && (!shown[kind] || edge.data("weight") < minimum);
        edge.toggleClass("hidden", hide);
      });
    });
    var links = cy.edges("[kind]");
    var shown = links.filter(function (edge) { return !edge.hasClass("hidden"); }).length;
    counter.textContent = "showing " + shown + " of " + links.length + " links" +
      (minimum > 1 ? " (weight " + minimum + " or more)" : "");
    allButton.textContent = minimum > 1 ? "show all links" : "heaviest links only";
  }

  var weightBox = document.getElementById("map-weight");
  var counter = document.getElementById("map-edges");
  var allButton = document.getElementById("map-all");
  var heaviest = map.min_weight;
  allButton.hidden = heaviest <= 1;

  function search(query) {
    var q = query.trim().toLowerCase();
    cy.batch(function () {
      cy.elements().removeClass("match faded");
      if (!q) { return; }
      cy.nodes("[type='context']").forEach(function (node) {
        var name = node.data("name");
        var hit = name.toLowerCase().indexOf(q) >= 0 ||
          (map.members[name] || []).some(function (m) { return m.id.toLowerCase().indexOf(q) >= 0; });
        node.addClass(hit ? "match" : "faded");
      });
    });
    if (!q) { return; }
    panel.textContent = "";
    panel.appendChild(el("h4", "Matches"));
    var list = el("ul", null, "mono small");
    var count = 0;
    Object.keys(map.members).forEach(function (name) {
      map.members[name].forEach(function (m) {
        if (count >= 200 || m.id.toLowerCase().indexOf(q) < 0) { return; }
        count += 1;
        var item = el("li", m.id + "  (" + name + ")", "hit");
        item.addEventListener("click", function () { expand(name); showContext(name); selectUnit(m.id); });
        list.appendChild(item);
      });
    });
    panel.appendChild(list);
    if (!count) { panel.appendChild(el("p", "no module matches", "note")); }
  }

  function bind() {
    cy.on("tap", "node[type='context']", function (event) {
      var name = event.target.data("name");
      if (event.target.data("open")) { collapse(name); } else { expand(name); }
      showContext(name);
    });
    cy.on("tap", "node[type='unit']", function (event) {
      showContext(event.target.parent().data("name"));
      selectUnit(event.target.data("unit"));
    });
    cy.on("mouseover", "edge", function (event) { event.target.addClass("hover"); });
    cy.on("mouseout", "edge", function (event) { event.target.removeClass("hover"); });
    cy.on("mouseover", "node[type='unit']", function (event) { showTip(event, event.target.data("unit")); });
    cy.on("mouseover", "node[type='context']", function (event) {
      var name = event.target.data("name");
      showTip(event, name + " · " + (map.members[name] || []).length + " members");
    });
    cy.on("mouseout", "node", hideTip);
    cy.on("viewport", hideTip);
    allButton.addEventListener("click", function () {
      weightBox.value = String((parseInt(weightBox.value, 10) || 1) > 1 ? 1 : heaviest);
      applyFilters();
    });
    document.querySelectorAll(".toolbar input[data-kind]").forEach(function (box) {
      box.addEventListener("change", applyFilters);
    });
    weightBox.addEventListener("input", applyFilters);
    document.getElementById("map-search").addEventListener("input", function (event) { search(event.target.value); });
    document.getElementById("map-collapse").addEventListener("click", function () {
      cy.nodes("[type='context']").forEach(function (node) { collapse(node.data("name")); });
    });
  }

  relayout(function () {
    bind();
    applyFilters();
    container.setAttribute("data-contexts", String(cy.nodes("[type='context']").length));
    window.reportReady = performance.now();
  });
})();
