// Progressive enhancement for ordering questions: "Move up" / "Move down" buttons that keep the
// position selects in step with the list. Without JavaScript the selects alone do the job.
(function () {
  "use strict";
  function renumber(list) {
    Array.prototype.forEach.call(list.querySelectorAll(".ordering-item"), function (item, index) {
      item.querySelector("select").value = String(index + 1);
    });
  }
  function textOf(item) { return item.querySelector("label").textContent.replace("Position of: ", "").trim(); }
  function move(item, direction, status) {
    var list = item.parentNode;
    var sibling = direction < 0 ? item.previousElementSibling : item.nextElementSibling;
    if (!sibling) { return; }
    if (direction < 0) { list.insertBefore(item, sibling); } else { list.insertBefore(sibling, item); }
    renumber(list);
    var position = Array.prototype.indexOf.call(list.children, item) + 1;
    status.textContent = textOf(item) + ": now position " + position + " of " + list.children.length;
  }
  function sortBySelects(list) {
    var items = Array.prototype.slice.call(list.querySelectorAll(".ordering-item"));
    items.sort(function (a, b) {
      return Number(a.querySelector("select").value) - Number(b.querySelector("select").value);
    });
    items.forEach(function (item) { list.appendChild(item); });
  }
  document.querySelectorAll("[data-ordering]").forEach(function (fieldset) {
    var list = fieldset.querySelector(".ordering-list");
    var status = fieldset.querySelector("[data-ordering-status]");
    var distinct = {};
    list.querySelectorAll("select").forEach(function (s) { distinct[s.value] = true; });
    if (Object.keys(distinct).length === list.children.length) { sortBySelects(list); }
    list.querySelectorAll(".ordering-item").forEach(function (item) {
      var name = textOf(item);
      [["Move up", -1], ["Move down", 1]].forEach(function (pair) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "move";
        button.textContent = pair[0];
        button.setAttribute("aria-label", pair[0] + ": " + name);
        button.addEventListener("click", function () { move(item, pair[1], status); button.focus(); });
        item.appendChild(button);
      });
    });
  });
})();
