// A new object's short name (slug) follows its name as it is typed ("Plant North" gives
// plant-north) until someone edits the short name; the server makes the same one when the
// field is left empty (assessments/forms.py, _SlugFromName).
(function () {
  "use strict";
  function slugify(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60).replace(/-+$/, "");
  }
  document.querySelectorAll("input[data-slug-from]").forEach(function (slug) {
    var form = slug.form;
    var name = form && form.querySelector("input[name$='" + slug.dataset.slugFrom + "']");
    if (!name) { return; }
    var follows = slug.value === "" || slug.value === slugify(name.value);
    slug.addEventListener("input", function () { follows = slug.value === ""; });
    name.addEventListener("input", function () { if (follows) { slug.value = slugify(name.value); } });
  });
})();
