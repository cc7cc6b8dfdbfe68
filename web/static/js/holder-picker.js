/* The new application's holder: search as you type (GET /api/holders?q=, at most 20 matches,
   shown as the caller's role may see them) and choose one; the form still sends holder_id.
   Without scripts the "Find" button asks the server for the same matches. */
(function () {
  "use strict";
  var picker = document.getElementById("holder-picker");
  if (!picker || !window.fetch) { return; }
  var input = document.getElementById("holder_q");
  var list = picker.querySelector(".holder-choices");
  var status = document.getElementById("holder-status");
  var url = picker.dataset.searchUrl;
  var LIMIT = 20, timer = null, asked = 0;

  function label(h) {
    return h.name + " (" + h.kind + ")" + (h.registration_number ? " · " + h.registration_number : "");
  }

  function item(id, text, checked) {
    var li = document.createElement("li"), radio = document.createElement("input");
    var lab = document.createElement("label");
    li.className = "radio";
    radio.type = "radio"; radio.name = "holder_id"; radio.value = String(id);
    radio.id = "holder-pick-" + id; radio.checked = checked;
    lab.htmlFor = radio.id; lab.textContent = text;
    li.appendChild(radio); li.appendChild(document.createTextNode(" ")); li.appendChild(lab);
    return li;
  }

  // The matches replace the list; a holder already chosen stays, first, so it is not lost.
  function show(found, matched, q) {
    var chosen = list.querySelector("input[name='holder_id']:checked");
    var keep = chosen ? { id: chosen.value, text: chosen.parentNode.querySelector("label").textContent } : null;
    list.textContent = "";
    if (keep) { list.appendChild(item(keep.id, keep.text, true)); }
    found.forEach(function (h) {
      if (!keep || String(h.id) !== keep.id) { list.appendChild(item(h.id, label(h), false)); }
    });
    if (!found.length) { status.textContent = "No holder matches “" + q + "”."; }
    else if (matched > found.length) {
      status.textContent = "The first " + found.length + " of " + matched + " matching holders; type more to narrow them.";
    } else { status.textContent = matched + " matching holder" + (matched === 1 ? "" : "s") + "."; }
  }

  function search() {
    var q = input.value.trim();
    if (q.length < 2) { status.textContent = q ? "Type at least two letters." : ""; return; }
    var mine = ++asked;
    fetch(url + "?" + new URLSearchParams({ q: q, limit: String(LIMIT) }), {
      credentials: "same-origin", headers: { Accept: "application/json" }
    }).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    }).then(function (page) {
      if (mine === asked) { show(page.holders || [], page.numberMatched || 0, q); }
    }).catch(function () {
      if (mine === asked) { status.textContent = "The search did not answer; press Find to search."; }
    });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(search, 200);
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter") { e.preventDefault(); clearTimeout(timer); search(); }
  });
})();
