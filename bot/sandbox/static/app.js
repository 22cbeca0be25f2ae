// The sandbox page: the sidebar, a conversation or the app's Home tab, the composer and the open
// modal, redrawn from /api/state whenever the workspace changes (a long poll that answers at once
// when something changed since the version the page holds).
"use strict";

(() => {
  const { h, mrkdwn } = Text;
  const page = { user: "", channel: "", tab: "messages", version: "", data: null, modalKey: "", poll: null };
  const $ = (selector) => document.querySelector(selector);

  async function post(path, body) {
    const response = await fetch(path, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ user: page.user, ...body }),
    });
    const answer = response.headers.get("Content-Type", "").includes("json") ? await response.json() : { error: await response.text() };
    if (!response.ok || answer.error) say(answer.error || `The sandbox answered ${response.status}.`);
    return answer;
  }

  function say(problem) {
    const note = $("#notice");
    note.textContent = problem;
    note.hidden = !problem;
  }

  function context(extra) {
    const data = page.data;
    return {
      names: namesOf(data), emoji: data.emoji, members: page.members || [], conversations: data.conversations,
      press: (element, blockId, value) => post("/api/press", { ...extra, action_id: element.action_id, value }),
    };
  }

  function namesOf(data) {
    const names = { ...(page.names || {}) };
    for (const c of data.conversations) names[c.id] = c.name;
    for (const m of page.members || []) names[m.id] = m.name;
    names[data.app.id] = data.app.name;
    return names;
  }

  async function poll() {
    const controller = new AbortController();
    page.poll = controller;
    while (page.poll === controller) {
      const query = new URLSearchParams({ user: page.user, channel: page.channel, seen: page.version });
      try {
        const response = await fetch(`/api/state?${query}`, { signal: controller.signal });
        if (!response.ok) throw new Error(await response.text());
        const data = await response.json();
        if (page.poll !== controller) return;
        page.version = data.version;
        draw(data);
      } catch (e) {
        if (controller.signal.aborted) return;
        say("The sandbox is not answering; is `sloth sandbox --web` still running?");
        await new Promise((resolve) => setTimeout(resolve, 2000)); // then try again
      }
    }
  }

  function restart() {
    if (page.poll) page.poll.abort();
    page.poll = null;
    page.version = "";
    poll();
  }

  function draw(data) {
    page.data = data;
    page.user = data.me.id;
    page.channel = data.channel.id;
    page.members = page.members || data.members;
    document.title = `${data.channel.is_im ? data.app.name : "#" + data.channel.name} · ${data.team.name} · Sloth sandbox`;
    $("#team").textContent = data.team.name;
    drawSidebar(data);
    drawHeader(data);
    if (page.tab === "home" && data.channel.is_im) drawHome(data); else drawMessages(data);
    $("#composer").hidden = page.tab === "home" && data.channel.is_im;
    $("#text").placeholder = data.channel.is_im ? `Message ${data.app.name}` : `Message #${data.channel.name} — try /sloth help`;
    drawModal(data);
  }

  function drawSidebar(data) {
    const item = (c) => h("button", {
      class: `conversation${c.id === data.channel.id ? " active" : ""}`, type: "button", "data-channel": c.id,
      onclick: () => { page.channel = c.id; page.tab = c.kind === "app" ? "home" : "messages"; openTab(); },
    }, h("span", { class: "sigil" }, c.kind === "app" ? "●" : c.kind === "private" ? "◆" : "#"), c.name);
    $("#channels").replaceChildren(...data.conversations.filter((c) => c.kind !== "app").map(item));
    $("#apps").replaceChildren(...data.conversations.filter((c) => c.kind === "app").map(item));
    const who = $("#member");
    if (!who.options.length) {
      who.replaceChildren(...page.members.map((m) => h("option", { value: m.id }, `${m.real_name} (@${m.name})`)));
    }
    who.value = data.me.id;
  }

  function drawHeader(data) {
    if (!data.channel.is_im) {
      $("#header").replaceChildren(h("h1", {}, "# " + data.channel.name), h("span", { class: "purpose" }, data.channel.purpose || ""));
      return;
    }
    const tab = (name, label) => h("button", {
      class: `tab${page.tab === name ? " active" : ""}`, type: "button", "data-tab": name,
      onclick: () => { page.tab = name; openTab(); },
    }, label);
    $("#header").replaceChildren(h("h1", {}, data.app.name), h("nav", { class: "tabs" }, tab("home", "Home"), tab("messages", "Messages")));
  }

  function openTab() {
    restart();
    if (page.tab === "home") post("/api/home", {}); // Slack sends app_home_opened each time the tab opens
  }

  function drawHome(data) {
    const box = $("#messages");
    if (!data.home) {
      box.replaceChildren(h("div", { class: "empty" }, `${data.app.name} has not published a Home tab for you yet.`));
      return;
    }
    const ctx = context({ view_id: data.home.id });
    box.replaceChildren(h("div", { class: "home" }, Blocks.blocks(data.home.blocks, ctx)));
  }

  function drawMessages(data) {
    const box = $("#messages");
    const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
    box.replaceChildren(...data.messages.map((m) => message(m, data)));
    if (!data.messages.length) box.append(h("div", { class: "empty" }, "No messages yet. Say hello, or try /sloth help."));
    if (atBottom || !page.drawn) box.scrollTop = box.scrollHeight;
    page.drawn = true;
  }

  function message(m, data, reply) {
    const ctx = context({ channel: data.channel.id, ts: m.ts });
    const when = new Date(parseFloat(m.ts) * 1000).toLocaleTimeString([], { hour: "numeric", minute: "2-digit" });
    const face = m.icon_emoji ? Text.emojify(m.icon_emoji, ctx) : m.author.slice(0, 1).toUpperCase();
    const avatar = h("div", { class: `avatar${m.app ? " app" : ""}` }, face);
    if (!m.app) avatar.style.background = m.colour;
    const content = m.streamed ? streamed(m, ctx)
      : m.blocks && m.blocks.length && !typedOnly(m) ? Blocks.blocks(m.blocks, ctx) : mrkdwn(m.text, ctx);
    return h("div", { class: `message${m.ephemeral ? " ephemeral" : ""}${reply ? " reply" : ""}`, "data-ts": m.ts }, avatar,
      h("div", { class: "message-main" },
        h("div", { class: "meta" }, h("b", {}, m.author), m.app ? h("span", { class: "badge" }, "APP") : null,
          h("time", {}, when), m.edited ? h("small", {}, "(edited)") : null),
        h("div", { class: "message-body" }, content),
        (m.attachments || []).map((a) => Blocks.attachment(a, ctx)),
        (m.files || []).map(Blocks.file),
        m.ephemeral ? h("div", { class: "only-you" }, "Only visible to you") : null,
        m.replies && m.replies.length ? h("div", { class: "thread" },
          h("div", { class: "thread-count" }, `${m.replies.length} ${m.replies.length === 1 ? "reply" : "replies"}`),
          m.replies.map((r) => message(r, data, true))) : null));
  }

  // An answer streamed in (chat.startStream): its Markdown text as written so far, and once the stream
  // stops, the blocks it ended with (the feedback buttons) below the text, as Slack draws it.
  function streamed(m, ctx) {
    return h("div", { class: `streamed${m.streaming ? " streaming" : ""}` }, Text.markdown(m.text, ctx),
      m.streaming ? h("span", { class: "writing", "aria-label": "writing" }, "…") : null,
      m.blocks && m.blocks.length ? Blocks.blocks(m.blocks, ctx) : null);
  }

  // What a member typed arrives as one rich_text block holding the text as typed: draw the text,
  // whose <@U…> and <#C…> references resolve to names.
  function typedOnly(m) {
    const [only, ...rest] = m.blocks;
    const runs = only.type === "rich_text" && !rest.length ? (only.elements || []).flatMap((e) => e.elements || []) : [];
    return runs.length > 0 && runs.every((r) => r.type === "text" && !r.style) && runs.map((r) => r.text).join("") === m.text;
  }

  function drawModal(data) {
    const view = data.modal;
    const key = view ? `${view.id}:${view.hash}` : "";
    if (key === page.modalKey) return; // the same view: keep what the member typed into it
    page.modalKey = key;
    $("#overlay").replaceChildren();
    $("#overlay").hidden = !view;
    if (view) $("#overlay").append(Forms.modal(view, { ...context({ view_id: view.id }), post, say }));
  }

  $("#composer").addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = $("#text").value.trim();
    if (!text) return;
    say("");
    $("#text").value = "";
    const answer = await post("/api/send", { channel: page.channel, text });
    if (answer.error) $("#text").value = text; // give the member their words back to fix
  });
  $("#member").addEventListener("change", () => { page.user = $("#member").value; page.channel = ""; page.tab = "messages"; restart(); });

  fetch("/api/members").then((r) => r.json()).then((found) => { page.members = found.members; page.names = found.names; restart(); });
})();
