// The trust calculator with JavaScript: sliders beside the number boxes, and the result asked
// of the server as they move (the same computation as the Calculate button, which still works).
(function () {
  "use strict";
  var form = document.querySelector(".calculator-form");
  if (!form) { return; }
  var result = document.getElementById("calculator-result");
  var timer = null;
  var asked = 0;
  function update() {
    var ticket = ++asked;
    var query = new URLSearchParams(new FormData(form)).toString();
    fetch(form.getAttribute("data-result-url") + "&" + query, { credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) { if (ticket === asked) { result.innerHTML = html; } })
      .catch(function () { /* the Calculate button still works */ });
  }
  function soon() { clearTimeout(timer); timer = setTimeout(update, 120); }
  Array.prototype.forEach.call(form.querySelectorAll("input[type=range]"), function (slider) {
    var box = document.getElementById(slider.getAttribute("data-for"));
    slider.hidden = false;
    slider.addEventListener("input", function () { box.value = slider.value; soon(); });
    box.addEventListener("input", function () {
      if (/^([1-9]|10)$/.test(box.value)) { slider.value = box.value; }
      soon();
    });
  });
})();
