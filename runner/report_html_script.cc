#include "report_html_script.h"

namespace sigconform {

const char kDashboardScript[] = R"JS(
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("sigconform-data").textContent);
  var form = document.getElementById("filters");
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.case"));
  var shownCount = document.getElementById("shown-count");
  var panel = document.getElementById("drilldown");

  function checkedStatuses() {
    var wanted = {};
    form.querySelectorAll("input[name=status]").forEach(function (box) {
      if (box.checked) wanted[box.value] = true;
    });
    return wanted;
  }

  function apply() {
    var statuses = checkedStatuses();
    var impl = form.elements.impl.value;
    var area = form.elements.area.value;
    var tier = form.elements.tier ? form.elements.tier.value : "";
    var text = form.elements.text.value.trim().toLowerCase();
    var changedOnly = form.elements.changed ? form.elements.changed.checked : false;
    document.querySelectorAll("[data-col]").forEach(function (el) {
      el.hidden = impl !== "" && el.getAttribute("data-col") !== impl;
    });
    var shown = 0;
    rows.forEach(function (row) {
      var visible = area === "" || row.getAttribute("data-area") === area;
      if (visible && tier !== "") {
        visible = row.getAttribute("data-tier").split(" ").indexOf(tier) !== -1;
      }
      if (visible && text !== "") {
        visible = row.getAttribute("data-search").indexOf(text) !== -1;
      }
      if (visible) {
        var cells = row.querySelectorAll("td[data-r]");
        var any = false;
        cells.forEach(function (cell) {
          if (cell.hidden) return;
          if (!statuses[cell.getAttribute("data-status")]) return;
          if (changedOnly && !cell.hasAttribute("data-changed")) return;
          any = true;
        });
        visible = any;
      }
      row.hidden = !visible;
      if (visible) shown += 1;
    });
    shownCount.textContent = shown + " of " + rows.length + " cases shown";
  }

  function add(parent, tag, text, className) {
    var el = document.createElement(tag);
    if (text !== undefined && text !== null) el.textContent = String(text);
    if (className) el.className = className;
    parent.appendChild(el);
    return el;
  }

  function show(index) {
    var r = data.results[index];
    if (!r) return;
    panel.textContent = "";
    var head = add(panel, "h2", null);
    add(head, "code", r.case);
    head.appendChild(document.createTextNode(" on "));
    add(head, "code", r.implementation);
    head.appendChild(document.createTextNode(": "));
    add(head, "span", r.status, "badge s-" + r.status).setAttribute("data-status", r.status);
    if (r.message) add(panel, "p", r.message, "message");
    var list = add(panel, "dl", null);
    (r.facts || []).forEach(function (fact) {
      add(list, "dt", fact[0]);
      var dd = add(list, "dd", null);
      add(dd, "code", fact[1]).setAttribute("data-fact", fact[0]);
    });
    if (r.baseline) {
      add(list, "dt", "baseline");
      add(add(list, "dd", null), "code", r.baseline).setAttribute("data-fact", "baseline");
    }
    if (r.stderr) {
      add(panel, "h3", "stderr (end)");
      add(panel, "pre", r.stderr, "stderr");
    }
    panel.hidden = false;
    panel.scrollIntoView({block: "nearest"});
  }

  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  document.querySelectorAll("td[data-r]").forEach(function (cell) {
    cell.addEventListener("click", function () { show(Number(cell.getAttribute("data-r"))); });
    cell.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        show(Number(cell.getAttribute("data-r")));
      }
    });
  });
  form.hidden = false;
  apply();
})();
)JS";

}  // namespace sigconform
