// The page: found a group, then fire its next steps. Everything it shows comes from the API:
// labels and reasons from the group's status (in the chosen language), each event's form from
// its payload schema in /openapi.json, the lifecycle from /diagram.
"use strict";

const $ = (selector) => document.querySelector(selector);
const UI = {
  en: { found: "Found a group", type: "Type", create: "Create", next: "Next steps",
        optional: "optional", lines: "one per line", version: "version" },
  id: { found: "Dirikan kelompok", type: "Jenis", create: "Buat", next: "Langkah berikutnya",
        optional: "opsional", lines: "satu per baris", version: "versi" },
};
let api;   // the OpenAPI document
let group; // { type, id, etag } of the group shown

const lang = () => $("#lang").value;
const say = (key) => UI[lang()][key];

function el(tag, attributes = {}, ...children) {
  const node = Object.assign(document.createElement(tag), attributes);
  node.append(...children);
  return node;
}

async function call(method, path, body, headers = {}) {
  const response = await fetch(path, {
    method,
    headers: { "Accept-Language": lang(), "Content-Type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = await response.json();
  $("#refusal").replaceChildren();
  if (!response.ok) {
    const reasons = answer.reasons.map((r) => el("li", {}, r.message, " ", el("code", {}, r.code)));
    $("#refusal").append(el("ul", {}, ...reasons));
  }
  return { ok: response.ok, etag: response.headers.get("ETag"), body: answer };
}

const bodySchema = (path) => api.paths[path].post.requestBody.content["application/json"].schema;

function example(schema) { // a skeleton of a JSON value, as a hint
  if (schema.type === "object" && schema.properties) {
    return Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, example(v)]));
  }
  if (schema.type === "object") return { "...": example(schema.additionalProperties || {}) };
  if (schema.type === "array") return [example(schema.items)];
  return { string: "", integer: 0 }[schema.type] ?? null;
}

function fields(schema) { // one input per field of a payload: text, number, lines or JSON
  return Object.entries(schema.properties).map(([name, field]) => {
    const optional = !(schema.required || []).includes(name);
    let input;
    if (field.type === "string") {
      input = el("input", { name, type: field.format === "date" ? "date" : "text" });
    } else if (field.type === "integer") {
      input = el("input", { name, type: "number", step: 1 });
    } else if (field.type === "array" && field.items.type === "string") {
      input = el("textarea", { name, placeholder: say("lines") });
      input.dataset.lines = true;
    } else {
      input = el("textarea", { name, placeholder: JSON.stringify(example(field)) });
      input.dataset.json = true;
    }
    input.dataset.optional = optional;
    return el("label", {}, optional ? `${name} (${say("optional")})` : name, input);
  });
}

function read(form) { // the payload a form holds; blank optional fields are left out
  const payload = {};
  for (const input of form.querySelectorAll("[name]")) {
    const value = input.value.trim();
    if (!value && input.dataset.optional === "true") continue;
    if (input.type === "number") payload[input.name] = Number(value);
    else if (input.dataset.lines) payload[input.name] = value.split("\n").map((l) => l.trim()).filter(Boolean);
    else if (input.dataset.json) payload[input.name] = JSON.parse(value || "null");
    else payload[input.name] = input.value;
  }
  return payload;
}

function drawLifecycle(diagram) { // the live stages in order, then the end; other moves below
  const live = diagram.stages.filter((s) => !s.terminal);
  const at = (name) => live.findIndex((s) => s.name === name);
  const forward = (move) => at(move.source) >= 0 && at(move.dest) === at(move.source) + 1;
  const label = (name) => diagram.stages.find((s) => s.name === name).label;
  const box = (stage) => el("div", { className: stage.terminal ? "stage terminal" : "stage",
                                     id: `stage-${stage.name}` }, stage.label);
  const boxes = live.flatMap((stage, i) => {
    const into = diagram.moves.find((m) => m.dest === stage.name && forward(m));
    return i ? [el("div", { className: "arrow" }, into?.label ?? ""), box(stage)] : [box(stage)];
  });
  $("#lifecycle").replaceChildren(...boxes, ...diagram.stages.filter((s) => s.terminal).map(box));
  $(`#stage-${diagram.current}`).classList.add("current");
  const others = diagram.moves.filter((m) => !forward(m)).map((m) =>
    at(m.dest) < 0 ? `* → ${label(m.dest)}: ${m.label}` : `${label(m.source)} ↩ ${label(m.dest)}: ${m.label}`);
  $("#others").textContent = [...new Set(others)].join(" · ");
  $("#mermaid").textContent = diagram.mermaid;
}

function drawSteps(status) {
  const cards = status.next_steps.map((step) => {
    const path = `/groups/${status.type}/{group_id}/events/${step.event}`;
    const key = crypto.randomUUID(); // one key per form shown: a resent request applies once
    const form = el("form", { className: step.ready ? "step" : "step blocked" },
      el("strong", {}, step.label), " ", el("code", {}, step.event),
      ...step.unmet.map((r) => el("div", { className: "unmet" }, r.message)),
      ...fields(bodySchema(path)),
      el("button", { type: "submit" }, step.label));
    form.dataset.event = step.event;
    form.addEventListener("submit", async (submitted) => {
      submitted.preventDefault();
      let payload;
      try { payload = read(form); } catch (error) { $("#refusal").textContent = error.message; return; }
      const url = `/groups/${group.type}/${group.id}/events/${step.event}`;
      const answer = await call("POST", url, payload, { "If-Match": group.etag, "Idempotency-Key": key });
      if (answer.ok) show(answer.body, answer.etag);
    });
    return form;
  });
  $("#steps").replaceChildren(...cards);
}

async function show(status, etag) {
  group = { type: status.type, id: status.id, etag };
  location.hash = `${status.type}/${status.id}`;
  $("#group").hidden = false;
  $("#title").textContent = `${status.name} — ${status.type_label}`;
  $("#where").textContent = `${status.stage_label} (${say("version")} ${status.version})`;
  $("#where").dataset.stage = status.stage;
  drawSteps(status);
  const diagram = await call("GET", `/groups/${status.type}/${status.id}/diagram`);
  if (diagram.ok) drawLifecycle(diagram.body);
}

async function load(type, id) {
  const answer = await call("GET", `/groups/${type}/${id}`);
  if (answer.ok) await show(answer.body, answer.etag);
}

function drawCreate() {
  for (const node of document.querySelectorAll("[data-ui]")) node.textContent = say(node.dataset.ui);
  const type = $("#create [name=type]").value;
  $("#founding").replaceChildren(...fields(bodySchema(`/groups/${type}`)));
}

$("#create [name=type]").addEventListener("change", drawCreate);
$("#create").addEventListener("submit", async (submitted) => {
  submitted.preventDefault();
  const type = $("#create [name=type]").value;
  const answer = await call("POST", `/groups/${type}`, read($("#founding")));
  if (answer.ok) await show(answer.body, answer.etag);
});
$("#lang").addEventListener("change", async () => {
  document.documentElement.lang = lang();
  drawCreate();
  if (group) await load(group.type, group.id);
});

(async () => {
  api = await (await fetch("/openapi.json")).json();
  drawCreate();
  const [type, id] = location.hash.slice(1).split("/");
  if (type && id) await load(type, id);
  document.body.dataset.ready = "true";
})();
