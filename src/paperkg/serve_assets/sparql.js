/* The query page of `paperkg serve`: an editor, the named queries as examples, and answers as a
 * table. Queries go to this server's own /query (SPARQL 1.1 Protocol, JSON results) and
 * /queries/NAME (the named queries with their parameters bound as terms, JSON rows). Every value
 * is written with textContent, never as markup.
 *
 * The address carries what the page shows, so a run can be linked to and repeated:
 *   /?query=TEXT&run=1                      the editor's text, run
 *   /?named=NAME&PARAM=VALUE...&run=1       a named query with its parameters, run
 * <body> reports the state for scripts and tests: data-state="ready|running|done|error",
 * data-rows (rows shown) and data-source ("query" or "named:NAME").
 */
(function () {
  "use strict";

  var queries = JSON.parse(document.getElementById("paperkg-queries").textContent);
  var byName = {};
  queries.forEach(function (q) { byName[q.name] = q; });

  var body = document.body;
  var select = document.getElementById("example");
  var editor = document.getElementById("editor");
  var named = document.getElementById("named");
  var fields = document.getElementById("param-fields");
  var form = document.getElementById("params");
  var namedPage = document.getElementById("named-page");
  var status = document.getElementById("status");
  var notes = document.getElementById("notes");
  var table = document.getElementById("table");
  var current = null;  // the named query chosen, if any

  function element(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (className) { node.className = className; }
    return node;
  }

  function setState(state, rows, source) {
    body.setAttribute("data-state", state);
    if (rows !== undefined) { body.setAttribute("data-rows", String(rows)); }
    if (source !== undefined) { body.setAttribute("data-source", source); }
  }

  // --- examples ------------------------------------------------------------------------------

  queries.forEach(function (q) {
    var option = element("option", q.name + ": " + q.title);
    option.value = q.name;
    select.appendChild(option);
  });

  function explain(p) {
    // What the parameter is in the query text, so that the editor can be used without the form.
    if (p.many) {
      return "In the text: VALUES ?" + p.variable + " { UNDEF } (left so, it matches all).";
    }
    if (p.kind === "text") {
      return "In the text: ?" + p.variable + (p.optional
        ? ", bound to \"\" when left out (matches all)." : ".");
    }
    return "In the text: ?" + p.variable + ", the " + p.kind + "'s lookup key (unbound in the" +
      " editor: it matches every " + p.kind + "); the form binds the value as a term.";
  }

  function setEditor(text) {
    // defaultValue too, so that the document (a saved page, a DOM dump) shows the text.
    editor.defaultValue = text;
    editor.value = text;
  }

  function choose(name, values) {
    current = byName[name] || null;
    select.value = current ? current.name : "";
    fields.textContent = "";
    named.hidden = !current;
    if (!current) { return; }
    setEditor(current.text);
    document.getElementById("named-title").textContent = current.title || current.name;
    document.getElementById("named-description").textContent = current.description;
    current.parameters.forEach(function (p) {
      var row = element("div", null, "param");
      var label = element("label");
      label.htmlFor = "param-" + p.name;
      label.appendChild(element("span", p.name, "name"));
      label.appendChild(element("span", p.kind + (p.optional ? "?" : p.many ? "*" : ""), "kind"));
      var input = element("input");
      input.id = "param-" + p.name;
      input.name = p.name;
      input.defaultValue = values && Object.prototype.hasOwnProperty.call(values, p.name)
        ? values[p.name] : p.example;
      input.placeholder = p.example;
      row.appendChild(label);
      row.appendChild(input);
      row.appendChild(element("small", p.description, "description"));
      row.appendChild(element("small", explain(p), "explain"));
      fields.appendChild(row);
    });
    if (!current.parameters.length) {
      fields.appendChild(element("p", "No parameters: it runs as it is.", "explain"));
    }
    linkNamedPage();
  }

  function namedValues() {
    var values = {};
    if (!current) { return values; }
    current.parameters.forEach(function (p) {
      var value = document.getElementById("param-" + p.name).value;
      if (value.trim() !== "") { values[p.name] = value; }
    });
    return values;
  }

  function linkNamedPage() {
    if (!current) { return; }
    var search = new URLSearchParams(namedValues()).toString();
    namedPage.href = "/queries/" + encodeURIComponent(current.name) + (search ? "?" + search : "");
  }

  select.addEventListener("change", function () {
    choose(select.value, null);
    clearResults();
    setState("ready");
  });
  fields.addEventListener("input", linkNamedPage);

  // --- running -------------------------------------------------------------------------------

  function clearResults() {
    notes.textContent = "";
    table.textContent = "";
  }

  function note(text, className) {
    notes.appendChild(element("p", text, className || "note"));
  }

  function remember(search) {
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", "/?" + search.toString());
    }
  }

  function run(url, options, source, render) {
    clearResults();
    setState("running", 0, source);
    status.textContent = "running…";
    var started = Date.now();
    fetch(url, options).then(function (response) {
      return response.text().then(function (text) {
        var seconds = ((Date.now() - started) / 1000).toFixed(2);
        if (!response.ok) {
          status.textContent = "HTTP " + response.status + " after " + seconds + " s";
          note(text.trim() || response.statusText, "error");
          setState("error", 0);
          return;
        }
        var rows = render(JSON.parse(text), response);
        status.textContent = rows + (rows === 1 ? " row" : " rows") + " in " + seconds + " s";
        setState("done", rows);
      });
    }).catch(function (error) {
      status.textContent = "failed";
      note(String(error && error.message || error), "error");
      setState("error", 0);
    });
  }

  function runEditor() {
    var text = editor.value;
    var search = new URLSearchParams({ query: text, run: "1" });
    if (current && text === current.text) { search.set("named", current.name); }
    remember(search);
    run("/query", {
      method: "POST",
      headers: {
        "Content-Type": "application/sparql-query",
        "Accept": "application/sparql-results+json"
      },
      body: text
    }, "query", function (data) { return renderSparql(data, prefixes(text)); });
  }

  function runNamed(event) {
    if (event) { event.preventDefault(); }
    if (!current) { return; }
    var values = namedValues();
    var search = new URLSearchParams(values);
    remember(new URLSearchParams(
      [["named", current.name]].concat(Array.from(search.entries()), [["run", "1"]])));
    var url = "/queries/" + encodeURIComponent(current.name) + "?" + search.toString();
    run(url, { headers: { "Accept": "application/json" } }, "named:" + current.name,
      function (rows, response) { return renderNamed(rows, response); });
  }

  document.getElementById("run").addEventListener("click", runEditor);
  form.addEventListener("submit", runNamed);
  editor.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      runEditor();
    }
  });

  // --- tables --------------------------------------------------------------------------------

  function prefixes(text) {
    var found = [];
    var pattern = /PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>\s]*)>/gi;
    var match;
    while ((match = pattern.exec(text)) !== null) {
      if (match[2]) { found.push([match[1] || "", match[2]]); }
    }
    found.sort(function (a, b) { return b[1].length - a[1].length; });
    return found;
  }

  function compact(iri, known) {
    for (var i = 0; i < known.length; i++) {
      var base = known[i][1];
      var rest = iri.slice(base.length);
      if (iri.lastIndexOf(base, 0) === 0 && /^[\w.-]*$/.test(rest)) {
        return known[i][0] + ":" + rest;
      }
    }
    return iri;
  }

  function termCell(term, known) {
    var cell = element("td");
    if (!term) { return cell; }
    if (term.type === "uri") {
      cell.textContent = compact(term.value, known);
      cell.title = term.value;
      cell.className = "iri";
    } else if (term.type === "bnode") {
      cell.textContent = "_:" + term.value;
    } else if (term.type === "triple") {
      var v = term.value;
      cell.textContent = "<< " + [v.subject, v.predicate, v.object].map(function (t) {
        return t.type === "uri" ? compact(t.value, known) : String(t.value);
      }).join(" ") + " >>";
    } else {
      cell.textContent = term.value;
      if (term["xml:lang"]) { cell.title = "@" + term["xml:lang"]; }
      else if (term.datatype) { cell.title = term.datatype; }
    }
    return cell;
  }

  function tableOf(columns) {
    var t = element("table", null, "results");
    var head = t.appendChild(element("thead")).appendChild(element("tr"));
    columns.forEach(function (c) { head.appendChild(element("th", c)); });
    table.appendChild(t);
    return t.appendChild(element("tbody"));
  }

  function renderSparql(data, known) {
    if (typeof data.boolean === "boolean") {
      table.appendChild(element("p", String(data.boolean), "boolean"));
      return 1;
    }
    var columns = data.head.vars;
    var rows = tableOf(columns);
    data.results.bindings.forEach(function (binding) {
      var tr = rows.appendChild(element("tr"));
      columns.forEach(function (c) { tr.appendChild(termCell(binding[c], known)); });
    });
    return data.results.bindings.length;
  }

  function plainCell(value, known) {
    var cell = element("td");
    if (value === null || value === undefined) { return cell; }
    if (Array.isArray(value)) { value = value.join(" | "); }
    else if (typeof value === "object") { value = JSON.stringify(value); }
    value = String(value);
    if (/^https?:\/\/\S+$/.test(value)) {
      cell.title = value;
      cell.className = "iri";
      value = compact(value, known);
    }
    cell.textContent = value;
    return cell;
  }

  function renderNamed(data, response) {
    var unmatched = response.headers.get("Paperkg-Unmatched");
    if (unmatched) {
      JSON.parse(unmatched).forEach(function (miss) { note(miss.message); });
    }
    var columns = [];
    data.forEach(function (row) {
      Object.keys(row).forEach(function (k) { if (columns.indexOf(k) < 0) { columns.push(k); } });
    });
    if (!data.length) {
      table.appendChild(element("p", "No rows.", "empty"));
      return 0;
    }
    var known = current ? prefixes(current.text) : [];
    var rows = tableOf(columns);
    data.forEach(function (row) {
      var tr = rows.appendChild(element("tr"));
      columns.forEach(function (c) { tr.appendChild(plainCell(row[c], known)); });
    });
    return data.length;
  }

  // --- start ---------------------------------------------------------------------------------

  var given = new URLSearchParams(window.location.search);
  var values = {};
  given.forEach(function (value, key) {
    if (key !== "named" && key !== "query" && key !== "run") { values[key] = value; }
  });
  if (given.has("named")) { choose(given.get("named"), values); }
  if (given.has("query")) { setEditor(given.get("query")); }
  setState("ready", 0, "");
  if (given.get("run") === "1") {
    if (current && !given.has("query")) { runNamed(null); } else { runEditor(); }
  }
}());
