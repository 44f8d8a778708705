// Show only the materials and finishes of the chosen process. Without this script every
// option is listed (grouped by process) and the server refuses a combination not offered.
(function () {
  "use strict";
  var process = document.getElementById("id_process");
  if (!process) { return; }
  var names = JSON.parse(document.getElementById("process-names").textContent);
  function filter(select) {
    var wanted = names[process.value] || null;
    Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
      var show = !wanted || group.label === wanted;
      group.hidden = !show;
      group.disabled = !show;
    });
    var chosen = select.options[select.selectedIndex];
    if (chosen && chosen.parentNode.tagName === "OPTGROUP" && chosen.parentNode.disabled) { select.value = ""; }
  }
  function update() {
    filter(document.getElementById("id_material"));
    filter(document.getElementById("id_finish"));
  }
  process.addEventListener("change", update);
  update();
})();
