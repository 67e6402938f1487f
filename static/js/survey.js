// Survey helpers (no inline scripts: the Content-Security-Policy forbids them).
//
// Every answer is sent the moment it is chosen (htmx posts the question's fieldset). When the
// phone has no connection, the answer is kept in this browser's localStorage, per response (the
// key is the response's answer address), and sent again when the connection returns, when the
// page is opened again, or every ten seconds while any wait. The texts say exactly that much:
// "kept in this browser", never "saved", until the server has answered.
(function () {
  var PREFIX = "cvg-unsent:";
  // The page's language: texts from the JSON block survey/base.html writes, English without it.
  var TEXT = {};
  try { TEXT = JSON.parse(document.getElementById("script-text").textContent) || {}; }
  catch (error) { TEXT = {}; }
  function t(key, english) { return TEXT[key] || english; }
  // "3 answers are not sent yet" in the page's language, in the plural form its count takes
  // (the server lists the forms and which count takes which: convergence.script_text).
  function waitingText(count) {
    var forms = TEXT.waiting, which = TEXT.waiting_form;
    if (forms && which && which.length) {
      return forms[which[Math.min(count, which.length - 1)]];
    }
    return count === 1 ? "{n} answer is not sent yet." : "{n} answers are not sent yet.";
  }

  function status(element, text, css) {
    if (element) { element.textContent = text; element.className = "small mt-1 saved " + css; }
  }
  function statusFor(key) { return document.getElementById("saved-" + key); }
  function fieldsetFor(key) { return document.getElementById("q-" + key); }

  // The store: one JSON object per response, {question key: {name: value, ...}}.
  function read(url) {
    try { return JSON.parse(window.localStorage.getItem(PREFIX + url) || "{}") || {}; }
    catch (error) { return {}; }
  }
  function write(url, entries) {
    // Returns false when the browser refuses to store (private mode, storage full or off).
    try {
      if (Object.keys(entries).length) {
        window.localStorage.setItem(PREFIX + url, JSON.stringify(entries));
      } else {
        window.localStorage.removeItem(PREFIX + url);
      }
      return true;
    } catch (error) { return false; }
  }
  function urls() {
    var found = [];
    try {
      for (var i = 0; i < window.localStorage.length; i++) {
        var name = window.localStorage.key(i);
        if (name && name.indexOf(PREFIX) === 0) { found.push(name.slice(PREFIX.length)); }
      }
    } catch (error) { /* storage off: nothing waits */ }
    return found;
  }
  // Only this page's responses: a shared tablet may hold another person's unsent answers, and
  // those are sent (and shown) only from that person's own survey pages.
  function pageUrls() {
    var own = {};
    document.querySelectorAll("[data-answer-url]").forEach(function (element) {
      own[element.getAttribute("data-answer-url")] = true;
    });
    return urls().filter(function (url) { return own[url]; });
  }
  function waiting() {
    return pageUrls().reduce(function (sum, url) { return sum + Object.keys(read(url)).length; }, 0);
  }

  function fieldsOf(fieldset) {
    var fields = {};
    fieldset.querySelectorAll("input, textarea, select").forEach(function (input) {
      if (!input.name || input.disabled) { return; }
      if ((input.type === "radio" || input.type === "checkbox") && !input.checked) { return; }
      fields[input.name] = input.value;
    });
    return fields;
  }
  function keyOf(fieldset) {
    try { return JSON.parse(fieldset.getAttribute("hx-vals")).question; }
    catch (error) { return null; }
  }

  // The count of waiting answers, in the banner every survey page has (survey/base.html).
  function showWaiting() {
    var banner = document.getElementById("unsent");
    if (!banner) { return; }
    var count = waiting();
    banner.hidden = count === 0;
    banner.querySelector("[data-count]").textContent = waitingText(count).replace("{n}", count);
  }

  function keep(fieldset) {
    var url = fieldset.getAttribute("hx-post");
    var key = keyOf(fieldset);
    if (!url || !key) { return false; }
    var entries = read(url);
    entries[key] = fieldsOf(fieldset);
    return write(url, entries);
  }
  function forget(url, key, sent) {
    var entries = read(url);
    // Drop it only when what the server got is what waits (a later tap may have replaced it).
    if (entries[key] && JSON.stringify(entries[key]) === JSON.stringify(sent)) {
      delete entries[key];
      write(url, entries);
    }
  }

  // Put kept answers back into the form, so the page shows what the respondent chose.
  function restore() {
    pageUrls().forEach(function (url) {
      var entries = read(url);
      Object.keys(entries).forEach(function (key) {
        var fieldset = fieldsetFor(key);
        if (!fieldset || fieldset.getAttribute("hx-post") !== url) { return; }
        var fields = entries[key];
        fieldset.querySelectorAll("input, textarea").forEach(function (input) {
          if (input.type === "radio" || input.type === "checkbox") {
            input.checked = fields[input.name] === input.value;
          } else if (Object.prototype.hasOwnProperty.call(fields, input.name)) {
            input.value = fields[input.name];
          }
        });
        status(statusFor(key), t("kept", "Kept in this browser, not sent yet."), "text-warning-emphasis");
      });
    });
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) { return input.value; }
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; }
    catch (error) { return ""; }
  }

  // Send what waits, one answer after the other; stop at the first connection failure.
  var sending = null;
  function flush() {
    if (sending) { return sending; }
    var jobs = [];
    pageUrls().forEach(function (url) {
      var entries = read(url);
      Object.keys(entries).forEach(function (key) { jobs.push([url, key, entries[key]]); });
    });
    sending = jobs.reduce(function (chain, job) {
      return chain.then(function (online) {
        if (!online) { return false; }
        return send(job[0], job[1], job[2]);
      });
    }, Promise.resolve(true)).then(function (online) {
      sending = null;
      showWaiting();
      return online;
    });
    return sending;
  }
  function send(url, key, fields) {
    var body = new URLSearchParams();
    Object.keys(fields).forEach(function (name) { body.append(name, fields[name]); });
    body.append("question", key);
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" },
      body: body,
    }).then(function (reply) {
      if (reply.status >= 500) { return false; }  // the server is not there yet: keep it
      return reply.text().then(function (text) {
        // Sent, or refused for good (survey closed or submitted, question gone): either way
        // the server has spoken, and its words replace "not sent yet".
        forget(url, key, fields);
        if (reply.ok) {
          status(statusFor(key), t("resent", "Saved (sent when the connection came back)."), "text-success");
        } else {
          status(statusFor(key), text || t("not_saved", "Not saved."), "text-danger");
        }
        return true;
      });
    }, function () { return false; });
  }

  document.body.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt.matches && event.detail.elt.matches("fieldset.question")) {
      status(event.detail.target, t("saving", "Saving…"), "text-muted");
    }
  });
  document.body.addEventListener("htmx:responseError", function (event) {
    var fieldset = event.detail.elt;
    if (!fieldset.matches || !fieldset.matches("fieldset.question")) { return; }
    if (event.detail.xhr.status >= 500 && keep(fieldset)) {
      status(event.detail.target, t("no_answer", "The server did not answer: kept in this browser, not sent yet."),
             "text-warning-emphasis");
      showWaiting();
      return;
    }
    status(event.detail.target, event.detail.xhr.responseText || t("not_saved", "Not saved."), "text-danger");
  });
  document.body.addEventListener("htmx:sendError", function (event) {
    var fieldset = event.detail.elt;
    if (!fieldset.matches || !fieldset.matches("fieldset.question")) { return; }
    if (keep(fieldset)) {
      status(event.detail.target, t("offline_kept",
             "No connection: kept in this browser, not sent yet. It is sent when you are back " +
             "online, or when you open this survey again in this browser."), "text-warning-emphasis");
    } else {
      status(event.detail.target, t("offline_lost",
             "No connection, and this browser cannot keep it: not saved. Choose it again when " +
             "you are back online."), "text-danger");
    }
    showWaiting();
  });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    var fieldset = event.detail.elt;
    if (!event.detail.successful) { return; }
    if (!fieldset.matches || !fieldset.matches("fieldset.question")) {
      if (waiting()) { flush(); }  // a workshop poll got through: so can the answers
      return;
    }
    // This tap reached the server: whatever waited for this question is now older than it.
    var url = fieldset.getAttribute("hx-post");
    var key = keyOf(fieldset);
    var entries = read(url);
    if (entries[key]) { delete entries[key]; write(url, entries); }
    showWaiting();
    if (waiting()) { flush(); }  // the connection is back: send the rest too
  });

  // A workshop poll or pushed question replaces the question: show the kept vote in the new
  // one too, and, since the server was just heard from, send what waits.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "live") { restore(); }
  });
  document.body.addEventListener("live:swapped", function () {
    restore();
    if (waiting()) { flush(); }
  });
  window.addEventListener("online", flush);
  setInterval(function () { if (waiting() && navigator.onLine) { flush(); } }, 10000);

  // Moving on (Next, Back, Submit) while answers wait: send them first. Offline, stay on the
  // page and say so, instead of the browser's "no internet" page.
  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!waiting()) { return; }
      event.preventDefault();
      var submitter = event.submitter;
      flush().then(function (online) {
        if (online && !waiting()) {
          if (submitter && submitter.name) {
            var move = document.createElement("input");
            move.type = "hidden";
            move.name = submitter.name;
            move.value = submitter.value;
            form.appendChild(move);
          }
          form.submit();
        } else {
          if (submitter) { submitter.disabled = false; }
          var banner = document.getElementById("unsent");
          if (banner) { banner.querySelector("[data-hint]").textContent = t("still_offline",
            "Still no connection. Your answers stay in this browser; try again when you are " +
            "back online."); }
        }
      });
    });
  });
  // One click submits once (the server is idempotent too).
  document.querySelectorAll("form button[data-once]").forEach(function (button) {
    button.form.addEventListener("submit", function (event) {
      if (!event.defaultPrevented) { button.disabled = true; }
    });
  });
  // Texts that are true only with JavaScript (autosave) are hidden until this runs.
  document.querySelectorAll("[data-needs-js]").forEach(function (element) {
    element.hidden = false;
  });

  restore();
  showWaiting();
  if (waiting() && navigator.onLine) {
    flush().then(function (online) {
      // The review lists what is still unanswered: read it again now that answers arrived.
      if (online && document.getElementById("review")) { window.location.reload(); }
    });
  }
})();
