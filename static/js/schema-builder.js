// Schema builder: drag-and-drop reordering of fields within one level (posts the "reorder"
// form), and confirmation before deleting. Without JS the arrow buttons do the same.
(function () {
  "use strict";
  function start() {
    document.addEventListener("click", function (event) {
      var button = event.target.closest("[data-confirm]");
      if (button && !window.confirm(button.getAttribute("data-confirm"))) event.preventDefault();
    });
    var list = document.querySelector("[data-builder-list]");
    var form = document.getElementById("reorder-form");
    if (!list || !form) return;
    var dragged = null;
    function items(parent) {
      return Array.prototype.filter.call(list.querySelectorAll("li[data-at]"), function (li) {
        return li.getAttribute("data-parent") === parent;
      });
    }
    function index(li) { return li.getAttribute("data-at").split(".").pop(); }
    list.querySelectorAll("li[data-at]").forEach(function (li) {
      li.setAttribute("draggable", "true");
      li.addEventListener("dragstart", function (event) {
        dragged = li;
        li.classList.add("dragging");
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", li.getAttribute("data-at"));
      });
      li.addEventListener("dragend", function () {
        li.classList.remove("dragging");
        list.querySelectorAll(".drop-target").forEach(function (el) { el.classList.remove("drop-target"); });
      });
      li.addEventListener("dragover", function (event) {
        if (!dragged || dragged === li || dragged.getAttribute("data-parent") !== li.getAttribute("data-parent")) return;
        event.preventDefault();
        li.classList.add("drop-target");
      });
      li.addEventListener("dragleave", function () { li.classList.remove("drop-target"); });
      li.addEventListener("drop", function (event) {
        if (!dragged || dragged === li) return;
        var parent = li.getAttribute("data-parent");
        if (dragged.getAttribute("data-parent") !== parent) return;
        event.preventDefault();
        var order = items(parent).map(index).filter(function (i) { return i !== index(dragged); });
        var at = order.indexOf(index(li));
        var after = Array.prototype.indexOf.call(list.children, dragged) < Array.prototype.indexOf.call(list.children, li);
        order.splice(after ? at + 1 : at, 0, index(dragged));
        form.querySelector("[name=parent]").value = parent;
        form.querySelector("[name=order]").value = order.join(",");
        form.submit();
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
