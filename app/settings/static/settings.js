/* Comeback settings page: saves each change through the JSON API and keeps the preview live.
 *
 * Inside the Shopify admin, App Bridge draws the chrome: the navigation menu (<s-app-nav>),
 * the contextual save bar of the shop-wide settings form (<ui-save-bar>, shopify.saveBar),
 * toasts (shopify.toast) and the permission grant modal (shopify.scopes.request). Outside it
 * (the sandbox store, tests) the page shows its own tabs, save bar and toasts.
 *
 * Session tokens: inside the Shopify admin, App Bridge's `shopify.idToken()` gives a fresh
 * one for every call. Without App Bridge (the sandbox store, a standalone tab) the page uses
 * the `id_token` it was opened with; the server cannot mint tokens, so once that one has
 * expired the page offers to reopen itself through the store, which hands out a new one.
 */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("comeback-config").textContent);
  var content = document.getElementById("content");
  var expiredBanner = document.getElementById("session-expired");

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return values[key] == null ? "" : values[key]; });
  }

  function tokenExpiry(token) {
    try {
      var payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      return JSON.parse(atob(payload)).exp * 1000;
    } catch (e) {
      return 0;
    }
  }

  function sessionToken() {
    if (window.shopify && typeof window.shopify.idToken === "function") {
      return window.shopify.idToken();
    }
    // The server allows 10 s of clock skew; stop a little before that to never send a dead token.
    if (config.idToken && tokenExpiry(config.idToken) + 5000 > Date.now()) {
      return Promise.resolve(config.idToken);
    }
    return Promise.reject(new Error("session expired"));
  }

  function showExpired() {
    expiredBanner.querySelector("[data-banner-text]").textContent = config.words.session_expired;
    expiredBanner.hidden = false;
  }

  /* Every call carries the session token as a Bearer header: the API reads no cookies. */
  function api(method, path, body) {
    return sessionToken().then(function (token) {
      var init = { method: method, headers: { Authorization: "Bearer " + token, Accept: "application/json" } };
      if (body !== undefined) {
        init.headers["Content-Type"] = "application/json";
        init.body = JSON.stringify(body);
      }
      return fetch(path, init);
    }, function (error) {
      showExpired();
      throw error;
    }).then(function (response) {
      if (response.status === 401) {
        showExpired();
        throw new Error("session expired");
      }
      return response;
    });
  }

  function jsonOrError(response) {
    return response.json().catch(function () { return {}; }).then(function (data) {
      if (!response.ok) { throw new Error(data.error || config.words.error); }
      return data;
    });
  }

  function inAdmin() { return Boolean(window.shopify && window.shopify.toast); }

  var toastTimer = null;

  /* Saved / failed: App Bridge's toast inside the admin, the page's own outside. */
  function notify(text, isError) {
    if (inAdmin()) {
      window.shopify.toast.show(text, { isError: Boolean(isError) });
      return;
    }
    var toast = document.getElementById("toast");
    toast.textContent = text;
    toast.dataset.kind = isError ? "error" : "ok";
    toast.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { toast.hidden = true; }, 4000);
  }

  /* ---- the contextual save bar of the shop-wide settings form ---- */

  var SAVE_BAR = "settings-save-bar";

  function showSaveBar(shown) {
    if (window.shopify && window.shopify.saveBar) {
      if (shown) { window.shopify.saveBar.show(SAVE_BAR); } else { window.shopify.saveBar.hide(SAVE_BAR); }
      return;
    }
    document.getElementById("savebar").hidden = !shown;
  }

  /* After a save the form's defaults are what is stored, so Discard goes back to them. */
  function keepAsDefaults(form) {
    form.querySelectorAll("input, select").forEach(function (input) {
      if (input.type === "checkbox") { input.defaultChecked = input.checked; }
      else if (input.tagName === "SELECT") {
        Array.prototype.forEach.call(input.options, function (option) { option.defaultSelected = option.selected; });
      } else { input.defaultValue = input.value; }
    });
  }

  function settingsForm() { return document.querySelector("[data-form=settings]"); }

  function setStatus(element, text, kind) {
    element.textContent = text;
    element.dataset.kind = kind || "";
  }

  /* ---- automations ---- */

  function card(element) { return element.closest(".automation"); }

  function loadPreview(cardElement) {
    var frame = cardElement.querySelector("[data-preview-frame]");
    var locale = frame.dataset.locale;
    var step = frame.dataset.step || "0";
    return api("GET", "/api/automations/" + cardElement.dataset.key + "/preview?locale=" + locale + "&step=" + step)
      .then(jsonOrError)
      .then(function (preview) {
        // The merchant switched language or step meanwhile.
        if (frame.dataset.locale !== locale || (frame.dataset.step || "0") !== step) { return; }
        cardElement.querySelector("[data-preview-subject]").textContent = preview.subject;
        frame.srcdoc = preview.html;
      })
      .catch(function (error) {
        cardElement.querySelector("[data-preview-subject]").textContent = error.message;
      });
  }

  function whole(text) { return /^\s*-?\d+\s*$/.test(text) ? Number(text) : text.trim(); }

  function fieldChange(input) {
    var name = input.name;
    var type = input.dataset.type;
    if (type === "bool") { return [name, input.checked]; }
    if (type === "int") { return [name, input.value === "" ? null : Number(input.value)]; }
    if (type === "url") { return [name, input.value.trim()]; }
    if (type === "fraction") { return [name, input.value === "" ? null : Number(input.value)]; }
    if (type === "choice") { return [name, input.value]; }
    if (type === "numbers") {  // "7, 14, 28"
      return [name, input.value.split(",").filter(function (x) { return x.trim() !== ""; }).map(whole)];
    }
    if (type === "product_numbers") {  // one "product id: number" a line
      var map = {};
      input.value.split("\n").forEach(function (line) {
        if (line.trim() === "") { return; }
        var parts = line.split(":");
        map[parts[0].trim()] = whole(parts.slice(1).join(":"));
      });
      return [name, map];
    }
    if (type === "subjects") {  // one {en, vi} per step
      var steps = [];
      card(input).querySelectorAll('input[name="' + name + '"]').forEach(function (each) {
        var index = Number(each.dataset.index);
        steps[index] = steps[index] || {};
        steps[index][each.dataset.lang] = each.value;
      });
      return [name, steps];
    }
    var texts = {};
    card(input).querySelectorAll('input[name="' + name + '"]').forEach(function (each) {
      texts[each.dataset.lang] = each.value;
    });
    return [name, texts];
  }

  function dayWords(count) {
    if (count === undefined || count === null) { return "–"; }
    if (count === 0) { return config.words.period_never; }
    if (count === 1) { return config.words.period_day; }
    return fill(config.words.period_days, { count: count });
  }

  // The merchant's numbers as saved, beside the ones learned from the shop's orders.
  function showProductNumbers(cardElement, automation) {
    cardElement.querySelectorAll("[data-product-numbers]").forEach(function (table) {
      var saved = automation[table.dataset.productNumbers] || {};
      table.querySelectorAll("tr[data-product]").forEach(function (row) {
        row.querySelector("[data-value]").textContent = dayWords(saved[row.dataset.product]);
      });
    });
  }

  function saveAutomation(cardElement, changes, input) {
    var status = cardElement.querySelector("[data-status]");
    setStatus(status, config.words.saving);
    return api("PATCH", "/api/automations/" + cardElement.dataset.key + "?locale=" + config.locale, changes)
      .then(jsonOrError)
      .then(function (automation) {
        if (input) { input.removeAttribute("aria-invalid"); }
        setStatus(status, config.words.saved, "ok");
        showProductNumbers(cardElement, automation);
        notify(config.words.saved);
        var toggle = cardElement.querySelector("[data-action=toggle]");
        toggle.setAttribute("aria-checked", automation.enabled ? "true" : "false");
        var label = toggle.querySelector(".switch__label");
        label.textContent = automation.enabled ? label.dataset.on : label.dataset.off;
        return loadPreview(cardElement);
      })
      .catch(function (error) {
        if (input) { input.setAttribute("aria-invalid", "true"); }
        setStatus(status, error.message, "error");
        notify(error.message, true);
      });
  }

  function sendTest(cardElement, button) {
    var status = cardElement.querySelector("[data-status]");
    var locale = cardElement.querySelector("[data-preview-frame]").dataset.locale;
    button.disabled = true;
    var step = Number(cardElement.querySelector("[data-preview-frame]").dataset.step || "0");
    api("POST", "/api/automations/" + cardElement.dataset.key + "/test", { locale: locale, step: step })
      .then(jsonOrError)
      .then(function (queued) { setStatus(status, fill(config.words.test_queued, { email: queued.to }), "ok"); })
      .catch(function (error) { setStatus(status, error.message, "error"); })
      .then(function () { button.disabled = false; });
  }

  /* ---- shop-wide settings: one PATCH with the whole form, refused or applied as a whole ---- */

  function settingsChanges(form) {
    var changes = { frequency_cap: {}, quiet_hours: {} };
    form.querySelectorAll("input, select").forEach(function (input) {
      var value = input.type === "checkbox" ? input.checked
        : input.type === "number" ? (input.value === "" ? null : Number(input.value))
        : (input.value.trim() === "" ? null : input.value.trim());
      var path = input.name.split(".");
      if (path.length === 2) { changes[path[0]][path[1]] = value; } else { changes[path[0]] = value; }
    });
    return changes;
  }

  function saveSettings(form) {
    var status = form.querySelector("[data-status]");
    setStatus(status, config.words.saving);
    return api("PATCH", "/api/settings", settingsChanges(form))
      .then(jsonOrError)
      .then(function () {
        setStatus(status, config.words.saved, "ok");
        keepAsDefaults(form);
        showSaveBar(false);
        notify(config.words.saved);
        document.querySelectorAll(".automation").forEach(loadPreview);  // branding shows in emails
      })
      .catch(function (error) {
        setStatus(status, error.message, "error");
        notify(error.message || config.words.save_failed, true);
      });
  }

  function discardSettings() {
    var form = settingsForm();
    if (form) { form.reset(); }
    showSaveBar(false);
  }

  /* ---- optional scopes: App Bridge's grant modal inside the admin, the store's page outside ---- */

  function requestScope(link, event) {
    if (!(window.shopify && window.shopify.scopes)) { return; }  // follow the link to the store
    event.preventDefault();
    window.shopify.scopes.request([link.dataset.scope]).then(function (response) {
      if (response && response.result === "granted-all") {
        notify(config.words.scope_granted_toast);
        // The store tells us by app/scopes_update; redraw so the page says what is synced now.
        setTimeout(function () { loadContent(config.locale); }, 1500);
      } else {
        notify(config.words.scope_declined);
      }
    }).catch(function (error) { notify(error.message || config.words.error, true); });
  }

  /* Opened without a token and without App Bridge (e.g. straight after the install): go through
   * the store's link to the app, which comes back with a fresh id_token. Once per half minute,
   * so a store that hands out no token cannot trap the browser in a loop. */
  function bounce() {
    var last = Number(window.sessionStorage.getItem("comeback:bounced") || 0);
    if (Date.now() - last > 30000) {
      window.sessionStorage.setItem("comeback:bounced", String(Date.now()));
      window.location.replace(config.reopenUrl);
    }
  }

  /* ---- page content: drawn by the server, redrawn on a language switch ---- */

  function loadContent(locale) {
    return api("GET", "/api/page?locale=" + locale)
      .then(function (response) {
        if (!response.ok) { throw new Error(config.words.error); }
        return response.text();
      })
      .then(function (html) {
        content.innerHTML = html;
        showSaveBar(false);  // the redrawn form holds what is stored
        expiredBanner.hidden = true;
        config.locale = locale;
        document.documentElement.lang = locale;
        var url = new URL(window.location.href);
        url.searchParams.set("locale", locale);
        window.history.replaceState(null, "", url);
        start();
      });
  }

  /* ---- retention tab: drawn by the server for a period, downloads through the API ---- */

  function showTab(name) {
    document.querySelectorAll("[data-action=tab]").forEach(function (each) {
      each.setAttribute("aria-pressed", each.dataset.tab === name ? "true" : "false");
    });
    document.querySelectorAll("[data-panel]").forEach(function (panel) { panel.hidden = panel.dataset.panel !== name; });
    if (name === "retention" && !document.getElementById("retention").children.length) { loadRetention(""); }
  }

  function loadRetention(query) {
    var panel = document.getElementById("retention");
    panel.setAttribute("aria-busy", "true");
    return api("GET", "/api/retention?locale=" + config.locale + (query ? "&" + query : ""))
      .then(function (response) {
        return response.text().then(function (text) {
          if (!response.ok) {
            var message = config.words.error;
            try { message = JSON.parse(text).error || message; } catch (e) { /* not JSON */ }
            throw new Error(message);
          }
          return text;
        });
      })
      .then(function (html) { panel.innerHTML = html; })
      .catch(function (error) {
        var status = panel.querySelector("[data-period-error]") || document.createElement("p");
        status.className = "status";
        status.dataset.kind = "error";
        status.setAttribute("data-period-error", "");
        status.textContent = error.message;
        panel.prepend(status);
      })
      .then(function () { panel.removeAttribute("aria-busy"); });
  }

  function saveFile(path, filename) {
    api("GET", path)
      .then(function (response) {
        if (!response.ok) { throw new Error(config.words.error); }
        return response.blob();
      })
      .then(function (blob) {
        var link = document.createElement("a");
        link.href = URL.createObjectURL(blob);
        link.download = filename;
        document.body.appendChild(link);
        link.click();
        link.remove();
        setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
      });
  }

  function download(id) {
    api("GET", "/api/data-requests/" + id + ".json")
      .then(function (response) {
        if (!response.ok) { throw new Error(config.words.error); }
        return response.blob();
      })
      .then(function (blob) {
        var link = document.createElement("a");
        link.href = URL.createObjectURL(blob);
        link.download = "data-request-" + id + ".json";
        document.body.appendChild(link);
        link.click();
        link.remove();
        setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
      });
  }

  var importTimer = null;

  function pollImport() {
    var section = document.getElementById("import");
    if (!section) { return; }
    api("GET", "/api/import").then(jsonOrError).then(function (progress) {
      var bar = section.querySelector("[role=progressbar]");
      bar.setAttribute("aria-valuenow", progress.percent);
      bar.querySelector(".progress__bar").style.width = progress.percent + "%";
      var text = section.querySelector("[data-import-text]");
      if (progress.state === "done") {
        text.textContent = config.words.import_done;
        return;
      }
      text.textContent = progress.state === "failed" ? fill(config.words.import_failed, { error: progress.error })
        : progress.total ? fill(config.words.import_running, {
          done: progress.done.toLocaleString(config.locale), total: progress.total.toLocaleString(config.locale) })
        : config.words.import_queued;
      importTimer = setTimeout(pollImport, 2000);
    }).catch(function () { importTimer = setTimeout(pollImport, 10000); });
  }

  function start() {
    clearTimeout(importTimer);
    var section = document.getElementById("app").dataset.section;
    if (section === "settings") {
      var target = document.getElementById("settings");
      if (target) { target.scrollIntoView(); }
    } else if (section === "retention" && document.getElementById("retention")) {
      showTab("retention");
    }
    document.querySelectorAll(".automation").forEach(loadPreview);
    if (document.getElementById("import")) { importTimer = setTimeout(pollImport, 1000); }
  }

  /* One set of listeners on the document, so content redrawn later needs no re-binding. */
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-action]");
    if (!target) { return; }
    var action = target.dataset.action;
    if (action === "savebar-save") {
      if (settingsForm()) { saveSettings(settingsForm()); }
    } else if (action === "savebar-discard") {
      discardSettings();
    } else if (action === "request-scope") {
      requestScope(target, event);
    } else if (action === "toggle") {
      saveAutomation(card(target), { enabled: target.getAttribute("aria-checked") !== "true" });
    } else if (action === "test") {
      sendTest(card(target), target);
    } else if (action === "preview-language") {
      var cardElement = card(target);
      cardElement.querySelectorAll("[data-action=preview-language]").forEach(function (each) {
        each.setAttribute("aria-pressed", each === target ? "true" : "false");
      });
      cardElement.querySelector("[data-preview-frame]").dataset.locale = target.dataset.locale;
      loadPreview(cardElement);
    } else if (action === "preview-step") {
      var stepCard = card(target);
      stepCard.querySelectorAll("[data-action=preview-step]").forEach(function (each) {
        each.setAttribute("aria-pressed", each === target ? "true" : "false");
      });
      stepCard.querySelector("[data-preview-frame]").dataset.step = target.dataset.step;
      loadPreview(stepCard);
    } else if (action === "language") {
      loadContent(target.dataset.locale);
    } else if (action === "download") {
      download(target.dataset.id);
    } else if (action === "tab") {
      showTab(target.dataset.tab);
    } else if (action === "period") {
      loadRetention("days=" + target.dataset.days);
    } else if (action === "csv") {
      saveFile(target.dataset.path, target.dataset.filename);
    }
  });

  /* Any edit of the shop-wide form shows the save bar until it is saved or discarded. */
  document.addEventListener("input", function (event) {
    if (event.target.closest("[data-form=settings]")) { showSaveBar(true); }
  });

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.closest("[data-form=settings]")) { showSaveBar(true); }
    if (input.closest("[data-form=automation]")) {
      var change = fieldChange(input);
      var changes = {};
      changes[change[0]] = change[1];
      saveAutomation(card(input), changes, input);
    }
  });

  document.addEventListener("submit", function (event) {
    // Enter in a field submits its form: automation fields are already saved on change.
    event.preventDefault();
    if (event.target.matches("[data-form=settings]")) { saveSettings(event.target); }
    if (event.target.matches("[data-form=period]")) {
      var form = event.target;
      loadRetention("from=" + encodeURIComponent(form.elements.from.value) + "&to=" + encodeURIComponent(form.elements.to.value));
    }
  });

  if (content.children.length) {
    start();
  } else if (window.shopify && typeof window.shopify.idToken === "function") {
    loadContent(config.locale);
  } else if (!config.appBridge && !config.idToken) {
    bounce();
  }
})();
