// Bulk actions in the trays (templates/tickets/_bulk_bar.html). Without this file every field of the bar shows
// and the boxes are ticked one by one; with it, «Todas las de esta página» ticks them all, the bar says how many
// are ticked, and the closing message shows only for «Cerrar».
(function () {
  "use strict";

  function setUp(form) {
    var boxes = Array.prototype.slice.call(
      document.querySelectorAll("input[type=checkbox][name=solicitudes][form='" + form.id + "']"));
    var all = form.querySelector("[data-bulk-all]");
    var count = form.querySelector("[data-bulk-count]");
    var action = form.querySelector("[data-bulk-action]");
    var fold = form.closest("details");
    var summary = fold && fold.querySelector("[data-bulk-summary]");

    function showCount() {
      var ticked = boxes.filter(function (box) { return box.checked; }).length;
      if (ticked === 0) {
        count.textContent = count.dataset.none;
      } else if (ticked === 1) {
        count.textContent = count.dataset.one;
      } else {
        count.textContent = count.dataset.many.replace("{n}", String(ticked));
      }
      if (summary) {  // the folded bar of a phone says how many too
        summary.textContent = ticked ? " (" + ticked + ")" : "";
      }
      all.checked = ticked > 0 && ticked === boxes.length;
      all.indeterminate = ticked > 0 && ticked < boxes.length;
    }

    function showField() {
      form.querySelectorAll("[data-bulk-for]").forEach(function (field) {
        field.hidden = action.value !== field.dataset.bulkFor;
      });
    }

    form.querySelector("[data-bulk-js]").hidden = false;
    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
      showCount();
    });
    boxes.forEach(function (box) { box.addEventListener("change", showCount); });
    action.addEventListener("change", showField);
    showCount();  // boxes the browser kept ticked after "back"
    showField();
  }

  document.querySelectorAll("form[data-bulk]").forEach(setUp);
})();
