// Sysmo Tickets — small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  // Forms marked data-submit-once ignore a second submit (double click, impatient Enter) while the
  // first is on its way. Buttons are only flagged, never disabled, so the pressed button's
  // name/value still travels with the form.
  function guardDoubleSubmit(form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.submitting === "true") {
        event.preventDefault();
        return;
      }
      form.dataset.submitting = "true";
      form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (button) {
        button.setAttribute("aria-disabled", "true");
        button.classList.add("disabled");
      });
    });
  }

  // A page restored from the back/forward cache must accept submits again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
      delete form.dataset.submitting;
      form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (button) {
        button.removeAttribute("aria-disabled");
        button.classList.remove("disabled");
      });
    });
  });

  // A select whose options carry data-description (the topics on a new request) shows the chosen one's
  // description in the element its data-describe-into names.
  function describeChoice(select) {
    var target = document.getElementById(select.dataset.describeInto);
    if (!target) {
      return;
    }
    function show() {
      var option = select.options[select.selectedIndex];
      var text = option ? option.dataset.description || "" : "";
      target.textContent = text;
      target.hidden = !text;
    }
    select.addEventListener("change", show);
    show();
  }

  // The trays' «Buscar y filtrar»: on wider screens the CSS shows the form even while the <details> is closed
  // (::details-content); a browser without that opens it instead. On a phone, the chosen tab comes into the
  // row of tabs that scrolls sideways.
  function showFinderWhereWide(finder) {
    if (window.matchMedia("(min-width: 768px)").matches && !CSS.supports("selector(::details-content)")) {
      finder.open = true;
    }
  }
  function revealActiveTab(list) {
    var active = list.querySelector(".is-active");
    if (active && list.scrollWidth > list.clientWidth) {
      list.scrollLeft = Math.max(0, active.offsetLeft - list.offsetLeft - 16);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("details.inbox-finder").forEach(showFinderWhereWide);
    document.querySelectorAll(".tray-tabs-list").forEach(revealActiveTab);
    document.querySelectorAll("form[data-submit-once]").forEach(guardDoubleSubmit);
    document.querySelectorAll("select[data-describe-into]").forEach(describeChoice);
  });
})();
