// Block Kit as Slack lays it out, from the JSON the app sent: blocks of messages, modals and the
// Home tab (@slack/types' kinds, the newer table, markdown, alert, card and carousel included),
// legacy attachments with their colour bar, and uploaded files.
// ctx: {names, emoji, members, conversations, press(element, blockId, value)}.
"use strict";

const Blocks = (() => {
  const { h, mrkdwn, plainOrMrkdwn, richText, markdown, link } = Text;
  const COLOURS = { good: "#2eb67d", warning: "#ecb22e", danger: "#e01e5a" };
  const ALERTS = { default: "💬", info: "ℹ️", warning: "⚠️", error: "⛔", success: "✅" };

  function plain(object) {
    return object ? String(object.text ?? "") : "";
  }

  // Only what the page serves itself is loaded; a picture elsewhere is named, never fetched.
  function picture(element, cls) {
    const fileId = element.slack_file && element.slack_file.id;
    const url = fileId ? `/files/${encodeURIComponent(fileId)}` : element.image_url || (element.slack_file || {}).url || "";
    if (/^\/files\//.test(url)) return h("img", { class: cls, src: url, alt: element.alt_text || "" });
    let host = "";
    try { host = new URL(url).host; } catch (e) { host = ""; }
    return h("span", { class: `${cls} picture-elsewhere`, title: url, role: "img", "aria-label": element.alt_text || "" },
      "🖼 ", element.alt_text || "a picture", host ? h("small", {}, ` (${host}, not loaded offline)`) : null);
  }

  function options(element) {
    return [...(element.option_groups || []).flatMap((g) => g.options || []), ...(element.options || [])];
  }

  function button(element, blockId, ctx) {
    const style = element.style ? ` ${element.style}` : "";
    return h("button", {
      class: `btn${style}`, type: "button", "data-action-id": element.action_id,
      onclick: (event) => {
        const url = Text.safeUrl(element.url);
        if (url) window.open(url, "_blank", "noopener");
        ctx.press(element, blockId, element.value, event.currentTarget);
      },
    }, plain(element.text), element.url ? " ↗" : null);
  }

  function menu(element, blockId, ctx) {
    const kind = element.type;
    let choices;
    if (/users/.test(kind)) choices = (ctx.members || []).map((m) => [m.id, `${m.real_name} (@${m.name})`]);
    else if (/conversations|channels/.test(kind)) choices = (ctx.conversations || []).filter((c) => c.kind !== "app").map((c) => [c.id, "#" + c.name]);
    else choices = options(element).map((o) => [o.value, plain(o.text)]);
    const label = kind === "overflow" ? "⋯" : plain(element.placeholder) || "Choose…";
    const select = h("select", { class: "menu", "data-action-id": element.action_id, "aria-label": label },
      h("option", { value: "" }, label), choices.map(([value, text]) => h("option", { value }, text)));
    select.addEventListener("change", () => { if (select.value) ctx.press(element, blockId, select.value, select); });
    return select;
  }

  // A context_actions block's feedback buttons: 👍 and 👎, each pressed with its own value.
  function contextAction(e, blockId, ctx) {
    if (e.type === "feedback_buttons") {
      return [["positive_button", "👍"], ["negative_button", "👎"]].map(([side, sign]) => {
        const b = e[side] || {};
        return h("button", {
          class: "btn feedback", type: "button", "data-action-id": e.action_id, "data-value": b.value,
          title: b.accessibility_label || plain(b.text), onclick: () => ctx.press(e, blockId, b.value),
        }, sign + " ", plain(b.text));
      });
    }
    return h("span", { class: "unknown" }, `(${e.type})`);
  }

  function element(e, blockId, ctx) {
    if (e.type === "button") return button(e, blockId, ctx);
    if (e.type === "image") return picture(e, "element-image");
    if (/select$|^overflow$/.test(e.type)) return menu(e, blockId, ctx);
    if (e.type === "datepicker" || e.type === "timepicker") {
      const input = h("input", { type: e.type === "datepicker" ? "date" : "time", value: e.initial_date || e.initial_time || "" });
      input.addEventListener("change", () => ctx.press(e, blockId, input.value, input));
      return input;
    }
    if (e.type === "mrkdwn" || e.type === "plain_text") return plainOrMrkdwn(e, ctx);
    return h("span", { class: "unknown" }, `(${e.type})`);
  }

  function section(block, ctx) {
    const body = h("div", { class: "section-body" });
    if (block.text) body.append(h("div", { class: "section-text" }, plainOrMrkdwn(block.text, ctx)));
    if (block.fields) body.append(h("div", { class: "fields" }, block.fields.map((f) => h("div", { class: "field" }, plainOrMrkdwn(f, ctx)))));
    const side = block.accessory ? h("div", { class: "accessory" }, element(block.accessory, block.block_id, ctx)) : null;
    return h("div", { class: "block section" }, body, side);
  }

  function table(block, ctx) {
    const rows = (block.rows || []).filter(Array.isArray);
    const settings = block.column_settings || [];
    const cell = (c, index, tag) => {
      const s = settings[index] || {};
      const content = c && c.type === "rich_text" ? richText(c, ctx) : mrkdwn(c ? c.text : "", ctx);
      return h(tag, { class: `align-${s.align || "left"}${s.is_wrapped ? " wrapped" : ""}` }, content);
    };
    const grid = h("table", { class: "table-block" },
      rows.map((row, r) => h("tr", {}, row.map((c, i) => cell(c, i, r === 0 ? "th" : "td")))));
    return h("div", { class: "block table-scroll" }, grid);
  }

  function card(block, ctx) {
    const hero = block.hero_image ? picture(block.hero_image, "card-hero") : null;
    const icon = block.icon ? picture(block.icon, "card-icon") : null;
    return h("div", { class: "card" }, hero,
      h("div", { class: "card-head" }, icon, h("div", {},
        block.title ? h("div", { class: "card-title" }, plainOrMrkdwn(block.title, ctx)) : null,
        block.subtitle ? h("div", { class: "card-subtitle" }, plainOrMrkdwn(block.subtitle, ctx)) : null)),
      block.body ? h("div", { class: "card-body" }, plainOrMrkdwn(block.body, ctx)) : null,
      block.actions ? h("div", { class: "actions" }, block.actions.map((e) => element(e, block.block_id, ctx))) : null);
  }

  function block(b, ctx) {
    switch (b.type) {
      case "section": return section(b, ctx);
      case "header": return h("div", { class: "block header" }, Text.emojify(plain(b.text), ctx));
      case "divider": return h("hr", { class: "block divider" });
      case "context": return h("div", { class: "block context" }, (b.elements || []).map((e) =>
        e.type === "image" ? picture(e, "context-image") : plainOrMrkdwn(e, ctx)));
      case "image": return h("figure", { class: "block image" }, b.title ? h("figcaption", {}, plain(b.title)) : null, picture(b, "image-block"));
      case "actions": return h("div", { class: "block actions" }, (b.elements || []).map((e) => element(e, b.block_id, ctx)));
      case "context_actions": return h("div", { class: "block actions context-actions" },
        (b.elements || []).flatMap((e) => contextAction(e, b.block_id, ctx)));
      case "rich_text": return h("div", { class: "block" }, richText(b, ctx));
      case "markdown": return h("div", { class: "block" }, markdown(b.text, ctx));
      case "table": return table(b, ctx);
      case "alert": return h("div", { class: `block alert alert-${b.level || "default"}`, role: "alert" },
        h("span", { class: "alert-sign" }, ALERTS[b.level] || ALERTS.default), plainOrMrkdwn(b.text, ctx));
      case "card": return h("div", { class: "block" }, card(b, ctx));
      case "carousel": return h("div", { class: "block carousel" }, (b.elements || []).map((c) => card(c, ctx)));
      case "input": return ctx.input ? ctx.input(b) : h("div", { class: "block" }, plain(b.label));
      case "video": return h("div", { class: "block" }, link(b.title_url || b.video_url, "▶ " + plain(b.title)));
      default: return h("div", { class: "block unknown" }, `(a ${b.type} block)`);
    }
  }

  function blocks(list, ctx) {
    return h("div", { class: "blocks" }, (list || []).map((b) => block(b, ctx)));
  }

  function attachment(a, ctx) {
    const colour = COLOURS[a.color] || (/^#?[0-9a-f]{6}$/i.test(a.color || "") ? "#" + a.color.replace("#", "") : "#dddddd");
    const fields = (a.fields || []).map((f) => h("div", { class: f.short ? "field short" : "field" },
      h("div", { class: "field-title" }, String(f.title ?? "")), mrkdwn(String(f.value ?? ""), ctx)));
    const bar = h("div", { class: "attachment-bar" });
    bar.style.background = colour;
    return h("div", { class: "attachment-wrap" },
      a.pretext ? h("div", { class: "pretext" }, mrkdwn(a.pretext, ctx)) : null,
      h("div", { class: "attachment" }, bar, h("div", { class: "attachment-body" },
        a.author_name ? h("div", { class: "author" }, a.author_name) : null,
        a.title ? h("div", { class: "attachment-title" }, a.title_link ? link(a.title_link, a.title) : a.title) : null,
        a.text ? h("div", {}, mrkdwn(a.text, ctx)) : null,
        fields.length ? h("div", { class: "attachment-fields" }, fields) : null,
        a.blocks ? blocks(a.blocks, ctx) : null,
        a.image_url ? picture({ image_url: a.image_url, alt_text: a.fallback }, "image-block") : null,
        a.footer ? h("div", { class: "footer" }, a.footer) : null,
        !a.text && !a.title && !fields.length && !a.blocks ? h("div", {}, a.fallback || "") : null)));
  }

  function file(f) {
    if (f.mode === "tombstone" || !f.url) return h("div", { class: "file" }, "📎 (a deleted file)");
    const name = f.title || f.name || "file";
    if (/^image\//.test(f.mimetype || "")) {
      return h("figure", { class: "file picture" }, h("figcaption", {}, name), h("img", { src: f.url, alt: name }));
    }
    const size = f.size < 1024 ? `${f.size} B` : f.size < 1048576 ? `${(f.size / 1024).toFixed(1)} KB` : `${(f.size / 1048576).toFixed(1)} MB`;
    return h("a", { class: "file", href: f.url, download: f.name || "file" }, h("span", { class: "file-icon" }, "📄"),
      h("span", {}, h("b", {}, name), h("br"), h("small", {}, `${f.pretty_type || "File"} · ${size}`)));
  }

  return { blocks, attachment, file, options, plain };
})();
