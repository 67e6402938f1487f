/* The question-bank editor (templates/banks/edit.html): drag a dimension or a question by its
   ⠿ handle to reorder it; a question dropped among another dimension's questions moves there.
   Dragging only rewrites the position numbers and the dimension choice the page already
   shows (and the server reads), so the page works the same without JavaScript. */
(function () {
  "use strict";
  var dragged = null;

  function items(list) {
    return Array.prototype.filter.call(list.children, function (el) {
      return el.hasAttribute("data-item");
    });
  }

  function renumber(list) {
    items(list).forEach(function (item, index) {
      var position = item.querySelector("[data-position]");
      if (position) position.value = index + 1;
    });
    var dimension = list.getAttribute("data-dimension");
    if (dimension !== null) {
      items(list).forEach(function (item) {
        var select = item.querySelector("[data-dimension-select]");
        if (select) select.value = dimension;
      });
    }
  }

  document.querySelectorAll("[data-handle]").forEach(function (handle) {
    var item = handle.closest("[data-item]");
    handle.setAttribute("draggable", "true");  // the handle drags its item; fields stay selectable
    handle.addEventListener("dragstart", function (event) {
      event.stopPropagation();
      dragged = item;
      item.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", item.id);
      event.dataTransfer.setDragImage(item, 10, 10);
    });
    handle.addEventListener("dragend", function () {
      item.classList.remove("dragging");
      dragged = null;
      document.querySelectorAll("[data-sortable]").forEach(renumber);
    });
  });

  document.querySelectorAll("[data-sortable]").forEach(function (list) {
    var kind = list.getAttribute("data-sortable");
    list.addEventListener("dragover", function (event) {
      if (!dragged || dragged.parentElement.getAttribute("data-sortable") !== kind) return;
      event.preventDefault();
      event.stopPropagation();
      var after = items(list).filter(function (el) { return el !== dragged; }).find(function (el) {
        var box = el.getBoundingClientRect();
        return event.clientY < box.top + box.height / 2;
      });
      if (after) list.insertBefore(dragged, after); else list.appendChild(dragged);
    });
    list.addEventListener("drop", function (event) {
      if (!dragged) return;
      event.preventDefault();
      document.querySelectorAll("[data-sortable]").forEach(renumber);
    });
  });
})();
