// Web chat page of the Villagebot sandbox: vanilla JS, no build step.
// Talks to the sandbox's control API under /sandbox/api/.
"use strict";

const API = "/sandbox/api";
const $ = (id) => document.getElementById(id);
const state = { personaId: null, chatId: null, revision: -1, users: {}, personas: [],
                chats: [], bot: null };

async function call(path, body, opts = {}) {
  const init = body === undefined ? {} : {
    method: "POST",
    headers: body instanceof FormData ? {} : { "Content-Type": "application/json" },
    body: body instanceof FormData ? body : JSON.stringify(body),
  };
  const resp = await fetch(API + path, { ...init, ...opts });
  const data = await resp.json().catch(() => ({}));
  if (!resp.ok) throw new Error(data.error || resp.statusText);
  return data;
}

function toast(text, alert = false) {
  const el = $("toast");
  el.textContent = text;
  el.className = alert ? "toast alert" : "toast";
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { el.hidden = true; }, alert ? 4000 : 2200);
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null) node.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
  }
  return node;
}

// ----------------------------------------------------------- entities → DOM

const ENTITY_TAGS = { bold: "b", italic: "i", underline: "u", strikethrough: "s",
  code: "code", pre: "pre", blockquote: "blockquote", expandable_blockquote: "blockquote" };

function renderEntities(text, entities) {
  // Offsets are UTF-16 code units, which is what JS strings index.
  const frag = document.createDocumentFragment();
  if (!text) return frag;
  const ents = (entities || []).slice().sort((a, b) => a.offset - b.offset || b.length - a.length);
  function build(start, end, list, parent) {
    let pos = start;
    let i = 0;
    while (i < list.length) {
      const e = list[i];
      if (e.offset > pos) parent.append(text.slice(pos, e.offset));
      const eEnd = e.offset + e.length;
      const inner = [];
      let j = i + 1;
      while (j < list.length && list[j].offset < eEnd) { inner.push(list[j]); j++; }
      let node;
      if (e.type === "text_link" && /^(https?|tg):/i.test(e.url || "")) {
        node = link(e.url);
      } else if (e.type === "url") {
        node = link(text.slice(e.offset, eEnd));
      } else if (e.type === "spoiler") {
        node = el("span", { class: "spoiler", onclick: (ev) => ev.currentTarget.classList.add("shown") });
      } else {
        node = el(ENTITY_TAGS[e.type] || "span");
      }
      build(e.offset, eEnd, inner, node);
      parent.append(node);
      pos = Math.max(pos, eEnd);
      i = j;
    }
    if (pos < end) parent.append(text.slice(pos, end));
  }
  build(0, text.length, ents, frag);
  return frag;
}

// ------------------------------------------------------------- deep links

// A link to this bot (t.me/<bot>?start=…, tg://resolve?domain=<bot>&start=…) opens the
// bot's chat here and sends /start with its payload, as Telegram's app does; t.me
// itself cannot be reached from the sandbox. Other links open in a new tab.
function botStartPayload(href) {
  if (!state.bot || !href) return null;
  let url;
  try { url = new URL(href); } catch (err) { return null; }
  let name = null;
  if (/^https?:$/.test(url.protocol) && /^(t|telegram)\.me$/i.test(url.hostname)) {
    name = url.pathname.split("/")[1];
  } else if (url.protocol === "tg:" && url.host === "resolve") {
    name = url.searchParams.get("domain");
  }
  if (!name || name.toLowerCase() !== state.bot.username.toLowerCase()) return null;
  return url.searchParams.get("start") || "";
}

function link(href, ...children) {
  const payload = botStartPayload(href);
  if (payload === null) return el("a", { href, target: "_blank", rel: "noopener" }, ...children);
  return el("a", { href, class: "deeplink", onclick: (ev) => { ev.preventDefault(); openBotStart(payload); } },
    ...children);
}

function openBotStart(payload) {
  guarded(async () => {
    state.chatId = state.personaId;  // the private chat with the bot has the user's id
    $("sidebar").classList.remove("open");
    await call(`/users/${state.personaId}/send`, { text: payload ? `/start ${payload}` : "/start" });
    await refresh();
  });
}

// ------------------------------------------------------------------ render

function userName(u) {
  if (!u) return "";
  if (u.is_bot) return u.first_name;
  return [u.first_name, u.last_name].filter(Boolean).join(" ");
}

function serviceText(m) {
  const who = userName(m.from);
  if (m.new_chat_members) return `${who} đã thêm ${m.new_chat_members.map(userName).join(", ")}`;
  if (m.left_chat_member) return `${userName(m.left_chat_member)} đã rời nhóm`;
  if (m.migrate_to_chat_id) return `Nhóm đã được nâng cấp thành siêu nhóm (${m.migrate_to_chat_id})`;
  if (m.migrate_from_chat_id) return `Siêu nhóm được tạo từ nhóm ${m.migrate_from_chat_id}`;
  if (m.pinned_message) return `${who} đã ghim: ${m.pinned_message.text || m.pinned_message.caption || "tin nhắn"}`;
  return null;
}

function renderMessage(m) {
  const service = serviceText(m);
  if (service) return el("div", { class: "msg service", id: `m${m.message_id}` }, service);
  const mine = !m.from_bot && m.from && m.from.id === state.personaId;
  const box = el("div", { class: "msg" + (mine ? " mine" : ""), id: `m${m.message_id}` });
  const chat = currentChat();
  if (!mine && chat && chat.type !== "private") box.append(el("div", { class: "who" }, userName(m.from)));
  if (m.reply_to_message) {
    const r = m.reply_to_message;
    box.append(el("div", { class: "quote" }, `${userName(r.from)}: ${(r.text || r.caption || "…").slice(0, 80)}`));
  }
  if (m.photo) {
    const big = m.photo[m.photo.length - 1];
    box.append(el("img", { src: `${API}/files/${encodeURIComponent(big.file_id)}`, alt: "ảnh", loading: "lazy" }));
  }
  if (m.document) {
    box.append(el("div", {}, "📄 ", el("a", { href: `${API}/files/${encodeURIComponent(m.document.file_id)}`,
      download: m.document.file_name || "tep" }, m.document.file_name || "Tệp đính kèm")));
  }
  if (m.sticker) box.append(el("div", { style: "font-size:40px" }, m.sticker.emoji || "🖼"));
  if (m.voice) box.append(el("div", {}, `🎤 Tin nhắn thoại (${m.voice.duration}s)`));
  if (m.location) box.append(el("div", {}, `📍 ${m.location.latitude.toFixed(4)}, ${m.location.longitude.toFixed(4)}`));
  if (m.contact) box.append(el("div", {}, `📱 ${m.contact.first_name}: ${m.contact.phone_number}`));
  const body = m.text !== undefined && m.text !== null ? m.text : null;
  if (body) box.append(el("div", {}, renderEntities(body, m.entities || m.caption_entities)));
  const kb = m.reply_markup && m.reply_markup.inline_keyboard;
  if (kb) {
    const grid = el("div", { class: "inline-kb" });
    for (const row of kb) {
      const r = el("div", { class: "row" });
      for (const b of row) {
        if (b.url) r.append(link(b.url, b.text + " ↗"));
        else r.append(el("button", { type: "button", onclick: () => press(m, b) }, b.text));
      }
      grid.append(r);
    }
    box.append(grid);
  }
  // The bot writes Vietnam time; show the same clock whatever the browser's zone is.
  const time = new Date((m.edit_date || m.date) * 1000).toLocaleTimeString("vi-VN",
    { hour: "2-digit", minute: "2-digit", timeZone: "Asia/Ho_Chi_Minh" });
  box.append(el("div", { class: "meta" }, (m.edit_date ? "đã sửa " : "") + time));
  return box;
}

function renderMessages(messages) {
  const list = $("messages");
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 60;
  list.replaceChildren();
  const visible = messages.filter((m) => !m.deleted);
  if (!visible.length) list.append(el("div", { class: "empty" }, "Chưa có tin nhắn. Hãy gửi /start"));
  for (const m of visible) list.append(renderMessage(m));
  const newChat = renderMessages.lastChat !== state.chatId || renderMessages.lastPersona !== state.personaId;
  const grew = visible.length > (renderMessages.lastCount || 0);
  renderMessages.lastChat = state.chatId;
  renderMessages.lastPersona = state.personaId;
  renderMessages.lastCount = visible.length;
  // The reply keyboard changes the list's height: scroll only after it is drawn, or
  // the newest reply stays hidden under the keyboard (after switching persona).
  renderReplyKeyboard(messages);
  if (atBottom || newChat || grew) {
    list.scrollTop = list.scrollHeight;
    requestAnimationFrame(() => { list.scrollTop = list.scrollHeight; });
  }
}

function renderReplyKeyboard(messages) {
  const box = $("reply-keyboard");
  box.replaceChildren();
  let keyboard = null;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (!m.from_bot || m.deleted || !m.keyboard) continue;
    if (m.keyboard.keyboard) keyboard = m.keyboard;
    break;
  }
  box.hidden = !keyboard;
  if (!keyboard) return;
  for (const row of keyboard.keyboard) {
    const r = el("div", { class: "row" });
    for (const b of row) {
      const btn = typeof b === "string" ? { text: b } : b;
      // Telegram shows the text as the bot wrote it; our labels already carry their emoji.
      const label = btn.text;
      r.append(el("button", { type: "button", onclick: () => pressReply(btn.text) }, label));
    }
    box.append(r);
  }
}

function currentChat() { return state.chats.find((c) => c.id === state.chatId); }

function renderChats() {
  const ul = $("chats");
  ul.replaceChildren();
  for (const c of state.chats) {
    const badge = c.type === "private" ? null
      : el("span", { class: "badge" + (["member", "administrator"].includes(c.bot_status) ? " ok" : "") },
        c.bot_status === "administrator" ? "bot QTV" : c.bot_status === "member" ? "có bot" : "không bot");
    ul.append(el("li", { class: c.id === state.chatId ? "active" : "", onclick: () => openChat(c.id) },
      el("div", { class: "name" }, el("span", {}, c.type === "private" ? `🤖 ${c.title}` : `👥 ${c.title}`), badge),
      el("div", { class: "last" }, c.last_text || "")));
  }
  const chat = currentChat();
  $("chat-title").textContent = chat ? (chat.type === "private" ? `🤖 ${chat.title}` : `👥 ${chat.title}`) : "—";
  $("chat-sub").textContent = chat ? (chat.type === "private" ? "trò chuyện riêng với bot"
    : `${chat.type === "supergroup" ? "siêu nhóm" : "nhóm"} · ${Object.keys(chat.members).length} thành viên · id ${chat.id}`) : "";
  const actions = $("chat-actions");
  actions.replaceChildren();
  if (chat && chat.type !== "private" && !chat.migrated_to) {
    if (!["member", "administrator"].includes(chat.bot_status)) {
      actions.append(el("button", { onclick: () => addBot(false) }, "+ Thêm bot"),
                     el("button", { onclick: () => addBot(true) }, "+ Thêm bot (QTV)"));
    } else {
      actions.append(el("button", { onclick: removeBot }, "Xoá bot"));
    }
    if (chat.type === "group") actions.append(el("button", { onclick: migrate }, "Nâng cấp siêu nhóm"));
  }
  $("composer").classList.toggle("disabled", !chat || !!chat.migrated_to);
}

function renderPersonas() {
  const sel = $("persona");
  sel.replaceChildren();
  const seen = new Set();
  for (const p of state.personas) {
    seen.add(p.user_id);
    sel.append(el("option", { value: p.user_id }, `${p.name} — ${p.role_label}`));
  }
  for (const u of Object.values(state.users)) {
    if (!seen.has(u.id)) sel.append(el("option", { value: u.id }, `${u.full_name} (${u.id})`));
  }
  if (state.personaId) sel.value = String(state.personaId);
}

// ------------------------------------------------------------------ data

async function loadState() {
  const s = await call("/state");
  state.bot = s.bot;
  state.personas = s.personas;
  state.users = Object.fromEntries(s.users.map((u) => [u.id, u]));
  if (!state.personaId || !state.users[state.personaId]) {
    const saved = Number(localStorage.getItem("sandbox-persona"));
    state.personaId = state.users[saved] ? saved : (s.personas[0] || s.users[0] || {}).user_id || (s.users[0] || {}).id || null;
  }
  renderPersonas();
  $("status").textContent = `@${s.bot.username} · ${s.pending_updates} cập nhật chờ` +
    (s.webhook ? " · webhook" : "") + (s.limits_enabled ? "" : " · không giới hạn");
}

async function loadChats() {
  if (!state.personaId) { state.chats = []; renderChats(); return; }
  state.chats = await call(`/users/${state.personaId}/chats`);
  if (!state.chats.some((c) => c.id === state.chatId)) state.chatId = state.chats[0] ? state.chats[0].id : null;
  renderChats();
}

async function loadMessages() {
  if (state.chatId === null) { $("messages").replaceChildren(); return; }
  const data = await call(`/chats/${state.chatId}/messages`);
  renderMessages(data.messages);
}

async function refresh() {
  await loadState();
  await loadChats();
  await loadMessages();
}

async function poll() {
  for (;;) {
    try {
      const r = await call(`/wait?since_rev=${state.revision}&wait=25`);
      if (r.revision !== state.revision) {
        state.revision = r.revision;
        await refresh();
      }
    } catch (err) {
      $("status").textContent = "Mất kết nối với sandbox…";
      await new Promise((ok) => setTimeout(ok, 2000));
    }
  }
}

// --------------------------------------------------------------- actions

async function guarded(fn) {
  try { await fn(); } catch (err) { toast(`Lỗi: ${err.message}`, true); }
}

function openChat(id) {
  state.chatId = id;
  $("sidebar").classList.remove("open");
  guarded(async () => { renderChats(); await loadMessages(); });
}

function press(m, button) {
  guarded(async () => {
    const r = await call(`/users/${state.personaId}/press`, { chat_id: m.chat.id, message_id: m.message_id,
      callback_data: button.callback_data, timeout: 10 });
    if (!r.answered) toast("Bot không trả lời nút bấm (hết thời gian)", true);
    else if (r.answer && r.answer.text) toast(r.answer.text, r.answer.show_alert);
  });
}

function pressReply(text) {
  guarded(() => call(`/users/${state.personaId}/reply_button`, { text, chat_id: state.chatId }));
}

function addBot(asAdmin) {
  guarded(() => call(`/users/${state.personaId}/add_bot`, { chat_id: state.chatId, as_admin: asAdmin }));
}

function removeBot() {
  guarded(() => call(`/users/${state.personaId}/remove_bot`, { chat_id: state.chatId }));
}

function migrate() {
  guarded(async () => {
    const chat = await call(`/groups/${state.chatId}/migrate`, { by: state.personaId });
    state.chatId = chat.id;
  });
}

$("composer").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const input = $("text");
  const text = input.value.trim();
  if (!text || !state.personaId) return;
  input.value = "";
  guarded(() => call(`/users/${state.personaId}/send`, { text, chat_id: state.chatId }));
});

$("contact").addEventListener("click", () => guarded(() =>
  call(`/users/${state.personaId}/share_contact`, { chat_id: state.chatId })));

$("location").addEventListener("click", () => guarded(() =>
  call(`/users/${state.personaId}/location`, { latitude: 21.0285, longitude: 105.8542, chat_id: state.chatId })));

$("attach").addEventListener("click", () => $("file").click());
$("file").addEventListener("change", () => {
  const file = $("file").files[0];
  if (!file) return;
  // Pictures go as photos; anything else (PDF, Word, Excel) as a document.
  const kind = file.type.startsWith("image/") ? "photo" : "document";
  const form = new FormData();
  form.append(kind, file, file.name);
  form.append("chat_id", String(state.chatId));
  const caption = $("text").value.trim();
  if (caption) { form.append("caption", caption); $("text").value = ""; }
  $("file").value = "";
  guarded(() => call(`/users/${state.personaId}/${kind}`, form));
});

$("persona").addEventListener("change", (ev) => {
  state.personaId = Number(ev.target.value);
  localStorage.setItem("sandbox-persona", String(state.personaId));
  state.chatId = null;
  guarded(refresh);
});

$("new-resident").addEventListener("click", () => guarded(async () => {
  const name = prompt("Tên cư dân mới:", "Cư dân mới");
  if (!name) return;
  const phone = prompt("Số điện thoại:", "") || undefined;
  const u = await call("/users", { first_name: name, phone, role_label: "Cư dân mới" });
  state.personaId = u.id;
  localStorage.setItem("sandbox-persona", String(u.id));
  state.chatId = null;
  await refresh();
}));

$("new-group").addEventListener("click", () => guarded(async () => {
  const title = prompt("Tên nhóm:", "Thôn mới");
  if (!title) return;
  const chat = await call("/groups", { title, type: "supergroup", creator: state.personaId });
  state.chatId = chat.id;
  await refresh();
}));

$("menu").addEventListener("click", () => $("sidebar").classList.toggle("open"));

guarded(refresh).then(poll);
