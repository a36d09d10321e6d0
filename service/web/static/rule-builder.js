/* Rule builder of the programme form: progressive enhancement only.
 *
 * Without this script every builder button posts the form and the server sends the page back
 * with the change made. With it, adding and removing rows and groups happens in the page, the
 * operator list follows the chosen field, the value input follows the operator, and the counts
 * of families the rule admits in the service area come from POST /lembaga/program/pratinjau
 * (the same form fields, CSRF token included) as you edit. Field names are the server's:
 * g:<path> a group's join, f:/o:/v:/w:/m:<path> a criterion's field, operator and values.
 */
(function () {
  "use strict";
  var form = document.getElementById("program-form");
  var catalogNode = document.getElementById("rule-catalog");
  if (!form || !catalogNode || !window.fetch || !window.FormData || !Element.prototype.closest) {
    return;
  }
  var catalog = JSON.parse(catalogNode.textContent);
  var FIELDS = catalog.fields;
  var OPS = catalog.ops;
  var W = catalog.words;
  var previewNode = document.getElementById("rule-preview");
  var jsonNode = document.getElementById("rule-json");
  var wordsNode = document.getElementById("rule-words");
  var noteNode = document.getElementById("rule-note");
  var PREVIEW_URL = "/lembaga/program/pratinjau";

  function make(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (attrs[key] !== null && attrs[key] !== undefined && attrs[key] !== false) {
        node.setAttribute(key, attrs[key] === true ? "" : attrs[key]);
      }
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function options(select, pairs, selected) {
    pairs.forEach(function (pair) {
      var option = make("option", { value: pair[0] }, [pair[1]]);
      if (pair[0] === selected) {
        option.selected = true;
      }
      select.appendChild(option);
    });
    return select;
  }

  /* The same choice as widget_of() in service/web/agency_pages.py. */
  function widgetOf(type, op) {
    if (op === "exists") return "exists";
    if (op === "between") return "between";
    if (type === "number") return op === "in" || op === "not_in" ? "numbers" : "number";
    if (type === "boolean") return "bool";
    if (type === "choice") return op === "in" || op === "not_in" ? "multi" : "choice";
    if (type === "choice_set") return "choice";
    if (type === "id_set") return "id";
    if (type === "region") return "regions";
    return "text";
  }

  function numberInput(name, field, label) {
    return make("input", {
      type: "number",
      step: "any",
      name: name,
      "aria-label": label,
      min: field.min === null ? null : String(field.min),
      max: field.max === null ? null : String(field.max)
    });
  }

  function valueWidget(path, fieldName, op) {
    var field = FIELDS[fieldName];
    var kind = widgetOf(field.type, op);
    var box = make("span", { "class": "rb-v", "data-widget": kind });
    var name = "v:" + path;
    var label = W.value;
    if (kind === "exists") {
      box.appendChild(options(make("select", { name: name, "aria-label": label }),
        [["true", W.recorded], ["false", W.not_recorded]], "true"));
    } else if (kind === "bool") {
      box.appendChild(options(make("select", { name: name, "aria-label": label }),
        [["true", W.yes], ["false", W.no]], "true"));
    } else if (kind === "between") {
      box.appendChild(numberInput(name, field, W.low));
      box.appendChild(make("span", { "class": "rb-dash" }, ["–"]));
      box.appendChild(numberInput("w:" + path, field, W.high));
    } else if (kind === "number" || kind === "id") {
      box.appendChild(numberInput(name, field, label));
    } else if (kind === "numbers") {
      box.appendChild(make("input", { name: name, inputmode: "decimal", placeholder: W.numbers_hint, "aria-label": label }));
    } else if (kind === "choice") {
      box.appendChild(options(make("select", { name: name, "aria-label": label }), field.choices, null));
    } else if (kind === "multi") {
      var group = make("span", { "class": "rb-multi", role: "group", "aria-label": label });
      field.choices.forEach(function (pair) {
        group.appendChild(make("label", {}, [make("input", { type: "checkbox", name: "m:" + path, value: pair[0] }), " " + pair[1]]));
      });
      box.appendChild(group);
    } else {
      box.appendChild(make("input", {
        name: name,
        placeholder: kind === "regions" ? W.codes_hint : null,
        "aria-label": label
      }));
    }
    return box;
  }

  function opSelect(path, fieldName, current) {
    var ops = FIELDS[fieldName].ops;
    var chosen = ops.indexOf(current) >= 0 ? current : FIELDS[fieldName].default_op;
    return options(make("select", { name: "o:" + path, "class": "rb-op", "aria-label": W.op }),
      ops.map(function (op) { return [op, OPS[op]]; }), chosen);
  }

  function fieldSelect(name, selected, cls, label) {
    var template = form.querySelector("select.rb-new");
    var select = template.cloneNode(true);
    select.name = name;
    select.className = cls;
    select.removeAttribute("id");
    if (label) select.setAttribute("aria-label", label);
    select.value = selected || select.options[0].value;
    return select;
  }

  function criterionRow(path, fieldName) {
    var op = FIELDS[fieldName].default_op;
    return make("li", { "class": "rb-row", "data-path": path }, [
      fieldSelect("f:" + path, fieldName, "rb-field", W.field), " ",
      opSelect(path, fieldName, op), " ",
      valueWidget(path, fieldName, op), " ",
      make("button", {
        type: "submit", name: "action", value: "remove:" + path, formnovalidate: true,
        "class": "rb-remove", title: W.remove, "aria-label": W.remove
      }, ["✕"])
    ]);
  }

  function addControls(path) {
    return make("div", { "class": "rb-add" }, [
      make("label", {}, [W.new_row + " ", fieldSelect("add:" + path, null, "rb-new")]), " ",
      make("button", { type: "submit", name: "action", value: "add_row:" + path, formnovalidate: true, "class": "secondary" }, [W.add_row])
    ]);
  }

  function groupItem(path) {
    var join = options(make("select", { name: "g:" + path }), [["all", W.join_all], ["any", W.join_any]], "any");
    return make("li", { "class": "rb-group", "data-path": path }, [
      make("fieldset", {}, [
        make("legend", {}, [W.group]),
        make("label", { "class": "rb-join" }, [W.join + " ", join]),
        make("ul", { "class": "rb-items" }),
        addControls(path),
        make("button", { type: "submit", name: "action", value: "remove:" + path, formnovalidate: true, "class": "link rb-remove-group" }, [W.remove_group])
      ])
    ]);
  }

  function itemsOf(path) {
    if (path === "r") return document.getElementById("rule-rows");
    var item = form.querySelector('li.rb-group[data-path="' + path + '"]');
    return item ? item.querySelector("ul.rb-items") : null;
  }

  function nextPath(path, list) {
    var next = 0;
    Array.prototype.forEach.call(list.children, function (child) {
      var own = child.getAttribute("data-path") || "";
      var index = parseInt(own.slice(path.length + 1), 10);
      if (!isNaN(index) && index >= next) next = index + 1;
    });
    return path + "." + next;
  }

  function refreshEmpty() {
    var empty = form.querySelector(".rb-empty");
    if (empty) empty.hidden = document.getElementById("rule-rows").children.length > 0;
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest('button[name="action"]');
    if (!button) return;
    var parts = button.value.split(":");
    var action = parts[0];
    var path = parts[1];
    if (action === "add_row") {
      var list = itemsOf(path);
      var chooser = form.querySelector('select[name="add:' + path + '"]');
      if (!list || !chooser || !FIELDS[chooser.value]) return;
      event.preventDefault();
      var row = criterionRow(nextPath(path, list), chooser.value);
      list.appendChild(row);
      row.querySelector(".rb-op").focus();
    } else if (action === "add_group") {
      var rows = itemsOf(path);
      if (!rows) return;
      event.preventDefault();
      var group = groupItem(nextPath(path, rows));
      rows.appendChild(group);
      group.querySelector("select").focus();
    } else if (action === "remove") {
      var item = form.querySelector('li[data-path="' + path + '"]');
      if (!item) return;
      event.preventDefault();
      item.parentNode.removeChild(item);
    } else if (action === "preview") {
      event.preventDefault();
      preview();
      return;
    } else {
      return;
    }
    refreshEmpty();
    schedule();
  });

  /* Enter in a text box "presses" the form's first button, a hidden refresh: nothing to do here. */
  form.addEventListener("submit", function (event) {
    if (event.submitter && event.submitter.value === "refresh") event.preventDefault();
  });

  form.addEventListener("change", function (event) {
    var target = event.target;
    var row = target.closest("li.rb-row");
    if (row && (target.classList.contains("rb-field") || target.classList.contains("rb-op"))) {
      var path = row.getAttribute("data-path");
      var fieldName = row.querySelector(".rb-field").value;
      var opNode = row.querySelector(".rb-op");
      if (target.classList.contains("rb-field")) {
        var fresh = opSelect(path, fieldName, opNode.value);
        opNode.parentNode.replaceChild(fresh, opNode);
        opNode = fresh;
      }
      var old = row.querySelector(".rb-v");
      var kind = widgetOf(FIELDS[fieldName].type, opNode.value);
      if (target.classList.contains("rb-field") || old.getAttribute("data-widget") !== kind) {
        old.parentNode.replaceChild(valueWidget(path, fieldName, opNode.value), old);
      }
    }
    schedule();
  });

  form.addEventListener("input", function (event) {
    if (event.target.closest("#rule-builder") || event.target.name === "service_area") schedule();
  });

  var timer = null;
  var sequence = 0;

  function schedule() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(preview, 350);
  }

  function preview() {
    var mine = ++sequence;
    var data = new FormData(form);
    data.delete("action");
    previewNode.setAttribute("aria-busy", "true");
    fetch(PREVIEW_URL, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    }).then(function (response) {
      return response.json();
    }).then(function (result) {
      if (mine !== sequence) return;
      previewNode.removeAttribute("aria-busy");
      var text = result.text || "";
      if (result.error && result.error !== text) text += " (" + result.error + ")";
      previewNode.textContent = text;
      previewNode.classList.toggle("error", !result.ok);
      var eligible = result.eligible === null ? "withheld" : String(result.eligible);
      previewNode.setAttribute("data-eligible", result.ok ? eligible : "");
      if (noteNode) {
        noteNode.textContent = result.note || "";
        noteNode.hidden = !result.note;
      }
      if (result.ok && jsonNode) {
        jsonNode.textContent = result.eligibility ? JSON.stringify(result.eligibility, null, 2) : "null";
      }
      if (wordsNode) {
        wordsNode.hidden = !result.ok;
        if (result.ok) wordsNode.querySelector("span").textContent = result.words;
      }
    }).catch(function () {
      if (mine === sequence) previewNode.removeAttribute("aria-busy");
    });
  }

  refreshEmpty();
  preview();
})();
