// The studio: a prompt box, the queue with live progress and a gallery, over the Videos API.
// Requests carry the session cookie and the page's CSRF token; nothing here holds state the
// server does not (a reload shows the same page).
"use strict";

const csrf = document.querySelector('meta[name="csrf-token"]').content;
const gallery = document.getElementById("gallery");
const cards = new Map(); // video id → card element
let polling = null;

async function api(method, path, body) {
  const options = { method, headers: { "X-CSRF-Token": csrf }, credentials: "same-origin" };
  if (body instanceof FormData) options.body = body;
  else if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error((data.error && data.error.message) || `request failed (${response.status})`);
  return data;
}

function describe(video) {
  const k = video.kinema || {};
  const parts = [video.size, `${video.seconds} s`];
  if (k.seed !== undefined) parts.push(`seed ${k.seed}`);
  if (k.mode && k.mode !== "text-to-video") parts.push(k.mode);
  return parts.join(" · ");
}

function render(video) {
  let card = cards.get(video.id);
  if (!card) {
    card = document.getElementById("card").content.firstElementChild.cloneNode(true);
    card.dataset.id = video.id;
    card.querySelector(".remix").addEventListener("click", () => remix(video.id));
    card.querySelector(".extend").addEventListener("click", () => extend(video.id));
    card.querySelector(".delete").addEventListener("click", () => remove(video.id));
    cards.set(video.id, card);
  }
  card.dataset.status = video.status;
  card.querySelector(".prompt").textContent = video.prompt;
  card.querySelector(".meta").textContent = describe(video);
  const bar = card.querySelector(".progress");
  const media = card.querySelector(".media");
  const active = video.status === "queued" || video.status === "in_progress";
  bar.hidden = !active;
  if (active) {
    bar.querySelector(".fill").style.width = `${video.progress}%`;
    bar.querySelector(".label").textContent = video.status === "queued" ? "queued" : `${video.progress}%`;
  }
  const failure = card.querySelector(".failure");
  failure.hidden = video.status !== "failed";
  if (video.status === "failed") failure.textContent = video.error ? video.error.message : "failed";
  card.querySelector(".actions").hidden = active;
  card.querySelector(".remix").hidden = card.querySelector(".extend").hidden = video.status !== "completed";
  const download = card.querySelector(".download");
  download.hidden = video.status !== "completed";
  if (video.status === "completed" && !media.querySelector("video")) {
    const src = `/v1/videos/${video.id}/content`;
    const player = document.createElement("video");
    player.src = src;
    player.poster = `${src}?variant=thumbnail`;
    player.controls = player.loop = player.muted = player.playsInline = true;
    player.preload = "metadata";
    media.replaceChildren(player);
    download.href = src;
    download.setAttribute("download", `${video.id}.mp4`);
  }
  return card;
}

async function refresh() {
  const page = await api("GET", "/v1/videos?limit=100");
  const seen = new Set();
  page.data.forEach((video, index) => {
    seen.add(video.id);
    const card = render(video);
    if (gallery.children[index] !== card) gallery.insertBefore(card, gallery.children[index] || null);
  });
  for (const [id, card] of cards) if (!seen.has(id)) { card.remove(); cards.delete(id); }
  document.getElementById("empty").hidden = page.data.length > 0;
  const busy = page.data.some(v => v.status === "queued" || v.status === "in_progress");
  clearTimeout(polling);
  if (busy) polling = setTimeout(() => refresh().catch(showError), 1000);
}

function showError(error) {
  const box = document.getElementById("form-error");
  box.textContent = error.message;
  box.hidden = false;
}

async function remix(id) {
  const prompt = window.prompt("Remix: describe how the new video should differ");
  if (!prompt) return;
  await api("POST", `/v1/videos/${id}/remix`, { prompt }).then(refresh).catch(showError);
}

async function extend(id) {
  const prompt = window.prompt("Extend: what happens next?");
  if (!prompt) return;
  const seconds = Number(window.prompt("How many seconds to add?", "4"));
  await api("POST", "/v1/videos/extensions", { prompt, seconds, video: { id } }).then(refresh).catch(showError);
}

async function remove(id) {
  if (!window.confirm("Delete this video for good?")) return;
  await api("DELETE", `/v1/videos/${id}`).then(refresh).catch(showError);
}

document.getElementById("create").addEventListener("submit", async event => {
  event.preventDefault();
  const form = event.target;
  const body = new FormData();
  for (const [name, value] of new FormData(form)) {
    if (value instanceof File ? value.size > 0 : value !== "") body.append(name, value);
  }
  const button = document.getElementById("generate");
  button.disabled = true;
  document.getElementById("form-error").hidden = true;
  try {
    await api("POST", "/v1/videos", body);
    form.querySelector("#prompt").value = "";
    await refresh();
  } catch (error) {
    showError(error);
  } finally {
    button.disabled = false;
  }
});

refresh().catch(showError);
