// Contract Lucidity's page script: live status badges, multi-file upload with progress, and
// the document page's live progress. Every page works without it; it only adds liveness.
// No inline handlers and no eval, so the strict Content-Security-Policy holds.
"use strict";

(function () {
  const STATUS_LABELS = {
    queued: "Queued",
    extracting: "Extracting text",
    classifying: "Classifying",
    playbook: "Checking playbook",
    analyzing: "Analysing clauses",
    embedding: "Indexing",
    storing: "Saving",
    complete: "Complete",
    failed: "Failed",
  };
  const STAGES = Object.keys(STATUS_LABELS);

  function statusClass(status) {
    if (status === "complete") return "badge-done";
    if (status === "failed") return "badge-failed";
    if (status === "queued") return "badge-waiting";
    return "badge-working";
  }

  function setBadge(badge, status, error) {
    badge.textContent = STATUS_LABELS[status] || status;
    badge.className = "badge " + statusClass(status);
    badge.dataset.status = status;
    if (error) badge.title = error;
  }

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  // One event stream per page; handlers subscribe to status events of documents.
  function follow(url, onStatus) {
    if (!window.EventSource) return null;
    const source = new EventSource(url);
    source.addEventListener("status", function (event) {
      let data;
      try {
        data = JSON.parse(event.data);
      } catch (_) {
        return;
      }
      onStatus(data);
    });
    return source;
  }

  // The project page: badges in the table, and the upload list's entries.
  function liveProject(projectId) {
    return follow("/live/projects/" + encodeURIComponent(projectId), function (data) {
      const selector = '[data-document="' + CSS.escape(data.document_id) + '"]';
      document.querySelectorAll(selector).forEach(function (row) {
        const badge = row.querySelector("[data-status]");
        if (badge) setBadge(badge, data.status, data.error_message);
      });
    });
  }

  // The document page: progress while it runs, then the analysis once it is complete.
  function liveDocument(heading) {
    const id = heading.dataset.liveDocument;
    const initial = heading.dataset.status;
    if (initial === "complete" || initial === "failed") return;
    const badge = heading.querySelector("[data-status-badge]");
    const progress = document.querySelector("[data-progress]");
    const text = document.querySelector("[data-progress-text] strong");
    const source = follow("/live/documents/" + encodeURIComponent(id), function (data) {
      if (badge) setBadge(badge, data.status, data.error_message);
      if (text) text.textContent = STATUS_LABELS[data.status] || data.status;
      if (progress) progress.value = Math.max(STAGES.indexOf(data.status), 0);
      if (data.status === "complete" || data.status === "failed") {
        if (source) source.close();
        window.location.reload();
      }
    });
  }

  // Plain-language reasons for the statuses an upload can be refused with.
  function refusalMessage(status, body) {
    if (body && typeof body.detail === "string") return body.detail;
    if (body && Array.isArray(body.detail) && body.detail.length) {
      return body.detail.map(function (item) { return item.msg; }).join(" ");
    }
    if (status === 413) return "The file is larger than the upload limit.";
    if (status === 415) return "This type of file is not accepted.";
    if (status === 401) return "Your session has ended. Sign in again.";
    if (status === 403) return "You cannot upload to this project.";
    return "The upload failed (" + status + "). Try again.";
  }

  function uploadEntry(list, file) {
    const item = document.createElement("li");
    item.className = "upload-item";
    const name = document.createElement("span");
    name.className = "upload-name";
    name.textContent = file.name;
    const bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", "Upload progress of " + file.name);
    const state = document.createElement("span");
    state.className = "upload-state";
    state.textContent = "Waiting";
    item.append(name, bar, state);
    list.append(item);
    return { item: item, bar: bar, state: state };
  }

  // Once a file is in, the table below is out of date: offer to show it again.
  function offerRefresh(list) {
    if (list.parentElement.querySelector("[data-upload-refresh]")) return;
    const note = document.createElement("p");
    note.className = "upload-refresh";
    note.dataset.uploadRefresh = "";
    const link = document.createElement("a");
    link.href = window.location.pathname + window.location.search;
    link.textContent = "Show the new documents in the list";
    note.append(link);
    list.after(note);
  }

  function showAccepted(entry, accepted) {
    offerRefresh(entry.item.parentElement);
    entry.item.dataset.document = accepted.id;
    entry.state.textContent = "";
    const badge = document.createElement("span");
    badge.dataset.status = accepted.status;
    setBadge(badge, accepted.status);
    const link = document.createElement("a");
    link.href = "/documents/" + encodeURIComponent(accepted.id);
    link.textContent = accepted.duplicate ? "Already uploaded: open" : "Open";
    entry.state.append(badge, " ", link);
  }

  function showRefused(entry, message) {
    entry.item.classList.add("is-refused");
    entry.bar.remove();
    entry.state.textContent = message;
    entry.state.setAttribute("role", "alert");
  }

  // Sends one file; each file gets its own request, bar and verdict.
  function send(url, projectId, file, entry) {
    return new Promise(function (resolve) {
      const data = new FormData();
      data.append("project_id", projectId);
      data.append("files", file, file.name);
      const request = new XMLHttpRequest();
      request.open("POST", url);
      request.setRequestHeader("Accept", "application/json");
      request.setRequestHeader("X-CSRF-Token", csrfToken());
      request.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) {
          entry.bar.value = Math.round((event.loaded / event.total) * 100);
          entry.state.textContent = "Uploading";
        }
      });
      request.addEventListener("load", function () {
        let body = null;
        try {
          body = JSON.parse(request.responseText);
        } catch (_) {
          body = null;
        }
        const accepted = body && Array.isArray(body.documents) ? body.documents : [];
        const done = accepted.find(function (d) { return d.id; });
        if (request.status < 300 && done) {
          entry.bar.value = 100;
          showAccepted(entry, done);
        } else {
          const own = accepted.find(function (d) { return d.detail || d.error; });
          const message = own ? (own.detail || own.error) : refusalMessage(request.status, body);
          showRefused(entry, message);
        }
        resolve();
      });
      request.addEventListener("error", function () {
        showRefused(entry, "The connection was lost. Try again.");
        resolve();
      });
      request.send(data);
    });
  }

  function setUpUpload(section) {
    const form = section.querySelector("form");
    const input = section.querySelector('input[type="file"]');
    const list = section.querySelector("[data-upload-list]");
    const projectId = section.dataset.project;
    const url = "/projects/" + encodeURIComponent(projectId) + "/upload";
    const submit = section.querySelector(".dropzone-submit");
    if (submit) submit.hidden = true;

    function upload(files) {
      const entries = Array.from(files).map(function (file) {
        return { file: file, entry: uploadEntry(list, file) };
      });
      // Two at a time: quick for a batch, gentle on the server.
      let next = 0;
      function worker() {
        if (next >= entries.length) return Promise.resolve();
        const job = entries[next++];
        return send(url, projectId, job.file, job.entry).then(worker);
      }
      return Promise.all([worker(), worker()]);
    }

    input.addEventListener("change", function () {
      if (input.files.length) upload(input.files);
      input.value = "";
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (input.files.length) upload(input.files);
    });
    ["dragenter", "dragover"].forEach(function (name) {
      form.addEventListener(name, function (event) {
        event.preventDefault();
        form.classList.add("is-dragging");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      form.addEventListener(name, function (event) {
        event.preventDefault();
        form.classList.remove("is-dragging");
      });
    });
    form.addEventListener("drop", function (event) {
      if (event.dataTransfer && event.dataTransfer.files.length) {
        upload(event.dataTransfer.files);
      }
    });
  }

  // Forms that ask before they act (data-confirm="question").
  function setUpConfirmations() {
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.dataset.confirm)) event.preventDefault();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    const upload = document.querySelector("[data-upload]");
    if (upload) setUpUpload(upload);
    const table = document.querySelector("[data-live-project]");
    const projectId = table ? table.dataset.liveProject : upload && upload.dataset.project;
    if (projectId) liveProject(projectId);
    const heading = document.querySelector("[data-live-document]");
    if (heading) liveDocument(heading);
    setUpConfirmations();
  });
})();
