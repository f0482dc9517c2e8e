// The survey page opened from an answer's link in the closing email: send that answer at once, so a person
// answers with one click. A mail scanner that only fetches the link records nothing (the GET writes nothing);
// without JavaScript the «Enviar» button sends it.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-send-at-once]");
    if (form && form.querySelector("input[type=radio]:checked")) {
      if (form.requestSubmit) {
        form.requestSubmit();
      } else {
        form.submit();
      }
    }
  });
})();
