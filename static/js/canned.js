// Respuestas predefinidas in the staff's reply box (templates/tickets/_canned_pick.html). Without this file
// «Insertar» sends the form and the server adds the text at the end; with it, a search by title narrows the
// list and «Insertar» puts the text (already rendered for the request, in data-text) at the cursor.
(function () {
  "use strict";

  function normalise(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function setUp(box) {
    var form = box.closest("form");
    var select = box.querySelector("select[data-canned-select]");
    var button = box.querySelector("[data-canned-insert]");
    var searchBox = box.querySelector("[data-canned-search]");
    var search = searchBox.querySelector("input");
    var status = box.querySelector("[data-canned-status]");
    var textarea = form && form.querySelector("textarea[name$='body']");
    if (!select || !button || !textarea) {
      return;
    }
    var all = Array.prototype.slice.call(select.options);
    var placeholder = all.shift();
    // The position of the cursor when the text box loses focus (clicking the list or the button moves it).
    var start = null;
    var end = null;
    textarea.addEventListener("blur", function () {
      start = textarea.selectionStart;
      end = textarea.selectionEnd;
    });

    searchBox.hidden = false;
    search.addEventListener("input", function () {
      var words = normalise(search.value).split(/\s+/).filter(Boolean);
      var chosen = select.value;
      select.length = 0;
      select.add(placeholder);
      all.forEach(function (option) {
        var title = normalise(option.textContent);
        if (words.every(function (word) { return title.indexOf(word) !== -1; })) {
          select.add(option);
        }
      });
      select.value = chosen;
      if (!select.value && select.length === 2) {
        select.selectedIndex = 1;  // one match: ready to insert
      } else if (select.selectedIndex < 0) {
        select.selectedIndex = 0;
      }
    });
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {  // not a submit of the whole reply
        event.preventDefault();
        button.click();
      }
    });

    button.addEventListener("click", function (event) {
      event.preventDefault();
      var option = select.options[select.selectedIndex];
      if (!option || option.dataset.text === undefined) {
        status.textContent = box.dataset.emptyMessage;
        select.focus();
        return;
      }
      var text = option.dataset.text;
      var value = textarea.value;
      var from = start === null ? value.length : start;
      var to = end === null ? value.length : end;
      textarea.value = value.slice(0, from) + text + value.slice(to);
      textarea.focus();
      textarea.setSelectionRange(from + text.length, from + text.length);
      start = end = null;
      status.textContent = box.dataset.insertedMessage;
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-canned]").forEach(setUp);
  });
})();
