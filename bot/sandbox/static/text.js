// Slack's text formats drawn as DOM nodes: mrkdwn, rich_text and the markdown block's Markdown.
// Nothing here writes HTML: every piece of text becomes a text node, so nothing a message holds
// can run as script or markup; links are made only for http(s) and mailto addresses.
"use strict";

const Text = (() => {
  function h(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "class") node.className = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function safeUrl(url) {
    return /^(https?:\/\/|mailto:)/i.test(url || "") ? url : null;
  }

  function link(url, label) {
    const safe = safeUrl(url);
    return safe ? h("a", { href: safe, target: "_blank", rel: "noopener noreferrer" }, label) : h("span", {}, label);
  }

  function decode(text) {
    return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  }

  function emojify(text, ctx) {
    return text.replace(/:([a-z0-9_+-]+):/g, (all, name) => (ctx.emoji && ctx.emoji[name]) || all);
  }

  // <@U1|name>, <#C1|name>, <!here>, <!date^…|fallback>, <url|label>, <url>
  function reference(inner, ctx) {
    const [target, label] = splitOnce(inner, "|");
    const names = ctx.names || {};
    if (/^@[UW]/.test(target)) return h("span", { class: "mention" }, "@" + (names[target.slice(1)] || label || target.slice(1)));
    if (/^#[CGD]/.test(target)) return h("span", { class: "mention" }, "#" + (names[target.slice(1)] || label || target.slice(1)));
    if (target.startsWith("!date^")) return h("span", { class: "date" }, decode(label || target));
    if (target.startsWith("!subteam^")) return h("span", { class: "mention" }, decode(label || "@group"));
    if (target.startsWith("!")) return h("span", { class: "mention" }, "@" + (label || target.slice(1)));
    return link(decode(target), decode(label || target));
  }

  function splitOnce(text, sep) {
    const at = text.indexOf(sep);
    return at < 0 ? [text, ""] : [text.slice(0, at), text.slice(at + 1)];
  }

  // *bold*, _italic_, ~strike~ and emoji in a run of plain mrkdwn (already free of <…> and `…`)
  function styled(text, ctx) {
    const out = [];
    const pattern = /(^|[^\w*])\*(?=\S)([^*\n]+?)\*(?![\w*])|(^|[^\w_])_(?=\S)([^_\n]+?)_(?!\w)|(^|[^\w~])~(?=\S)([^~\n]+?)~(?!\w)/g;
    let last = 0;
    for (let m; (m = pattern.exec(text));) {
      const lead = m[1] ?? m[3] ?? m[5] ?? "";
      out.push(emojify(decode(text.slice(last, m.index) + lead), ctx));
      const inner = m[2] ?? m[4] ?? m[6];
      out.push(h(m[2] !== undefined ? "b" : m[4] !== undefined ? "i" : "s", {}, styled(inner, ctx)));
      last = pattern.lastIndex;
    }
    out.push(emojify(decode(text.slice(last)), ctx));
    return out;
  }

  function inline(line, ctx) {
    const out = [];
    const pattern = /<([^<>]+)>|`([^`\n]+)`/g;
    let last = 0;
    for (let m; (m = pattern.exec(line));) {
      out.push(...styled(line.slice(last, m.index), ctx));
      out.push(m[1] !== undefined ? reference(m[1], ctx) : h("code", {}, decode(m[2])));
      last = pattern.lastIndex;
    }
    out.push(...styled(line.slice(last), ctx));
    return out;
  }

  function mrkdwn(text, ctx) {
    const box = h("span", { class: "mrkdwn" });
    const parts = String(text || "").split(/```([\s\S]*?)```/);
    parts.forEach((part, index) => {
      if (index % 2 === 1) { box.append(h("pre", {}, decode(part.replace(/^\n|\n$/g, "")))); return; }
      let quote = null;
      part.split("\n").forEach((line, number, lines) => {
        const quoted = /^(&gt;|>) ?/.exec(line);
        if (quoted) {
          if (!quote) { quote = h("blockquote"); box.append(quote); } else quote.append(h("br"));
          quote.append(...inline(line.slice(quoted[0].length), ctx));
          return;
        }
        quote = null;
        box.append(...inline(line, ctx));
        if (number < lines.length - 1) box.append(h("br"));
      });
    });
    return box;
  }

  function plainOrMrkdwn(object, ctx) {
    if (!object) return h("span");
    if (typeof object === "string") return mrkdwn(object, ctx);
    return object.type === "mrkdwn" ? mrkdwn(object.text, ctx) : h("span", {}, emojify(String(object.text ?? ""), ctx));
  }

  // rich_text: sections, lists, preformatted and quotes of styled elements
  function richText(block, ctx) {
    return h("div", { class: "rich-text" }, (block.elements || []).map((part) => richPart(part, ctx)));
  }

  function richPart(part, ctx) {
    const runs = (part.elements || []).map((e) => richElement(e, ctx));
    if (part.type === "rich_text_list") {
      return h(part.style === "ordered" ? "ol" : "ul", {}, (part.elements || []).map((e) => h("li", {}, richPart(e, ctx))));
    }
    if (part.type === "rich_text_preformatted") return h("pre", {}, runs);
    if (part.type === "rich_text_quote") return h("blockquote", {}, runs);
    return h("span", { class: "rich-section" }, runs);
  }

  function richElement(e, ctx) {
    const names = ctx.names || {};
    let node;
    if (e.type === "link") node = link(e.url, e.text || e.url);
    else if (e.type === "user") node = h("span", { class: "mention" }, "@" + (names[e.user_id] || e.user_id));
    else if (e.type === "channel") node = h("span", { class: "mention" }, "#" + (names[e.channel_id] || e.channel_id));
    else if (e.type === "usergroup") node = h("span", { class: "mention" }, "@group");
    else if (e.type === "broadcast") node = h("span", { class: "mention" }, "@" + e.range);
    else if (e.type === "emoji") node = document.createTextNode(e.unicode ? String.fromCodePoint(...e.unicode.split("-").map((c) => parseInt(c, 16))) : emojify(`:${e.name}:`, ctx));
    else if (e.type === "date") node = h("span", { class: "date" }, e.fallback || new Date(e.timestamp * 1000).toLocaleString());
    else node = document.createTextNode(String(e.text ?? ""));
    const style = e.style || {};
    if (style.code) node = h("code", {}, node);
    if (style.bold) node = h("b", {}, node);
    if (style.italic) node = h("i", {}, node);
    if (style.strike) node = h("s", {}, node);
    return node;
  }

  // The markdown block: standard Markdown (headings, lists, quotes, fences, tables, emphasis, links)
  function markdown(source, ctx) {
    const box = h("div", { class: "markdown" });
    const lines = String(source || "").split("\n");
    for (let i = 0; i < lines.length;) {
      const line = lines[i];
      if (/^```/.test(line)) {
        const code = [];
        for (i += 1; i < lines.length && !/^```/.test(lines[i]); i += 1) code.push(lines[i]);
        box.append(h("pre", {}, code.join("\n")));
        i += 1;
      } else if (/^#{1,6}\s/.test(line)) {
        const level = /^#+/.exec(line)[0].length;
        box.append(h("h" + Math.min(level + 2, 6), {}, mdInline(line.replace(/^#+\s*/, ""), ctx)));
        i += 1;
      } else if (/^\s*([-*+]|\d+[.)])\s+/.test(line)) {
        const ordered = /^\s*\d/.test(line);
        const list = h(ordered ? "ol" : "ul");
        for (; i < lines.length && /^\s*([-*+]|\d+[.)])\s+/.test(lines[i]); i += 1) {
          list.append(h("li", {}, mdInline(lines[i].replace(/^\s*([-*+]|\d+[.)])\s+/, ""), ctx)));
        }
        box.append(list);
      } else if (/^\s*>/.test(line)) {
        const quoted = [];
        for (; i < lines.length && /^\s*>/.test(lines[i]); i += 1) quoted.push(lines[i].replace(/^\s*>\s?/, ""));
        box.append(h("blockquote", {}, mdInline(quoted.join(" "), ctx)));
      } else if (/^\s*\|/.test(line) && i + 1 < lines.length && /^\s*\|?\s*:?-+/.test(lines[i + 1])) {
        const cells = (row) => row.trim().replace(/^\||\|$/g, "").split("|").map((c) => c.trim());
        const table = h("table", {}, h("tr", {}, cells(line).map((c) => h("th", {}, mdInline(c, ctx)))));
        for (i += 2; i < lines.length && /^\s*\|/.test(lines[i]); i += 1) {
          table.append(h("tr", {}, cells(lines[i]).map((c) => h("td", {}, mdInline(c, ctx)))));
        }
        box.append(h("div", { class: "table-scroll" }, table));
      } else if (!line.trim()) {
        i += 1;
      } else {
        const para = [];
        for (; i < lines.length && lines[i].trim() && !/^(```|#{1,6}\s|\s*([-*+]|\d+[.)])\s|\s*>)/.test(lines[i]); i += 1) para.push(lines[i]);
        box.append(h("p", {}, mdInline(para.join(" "), ctx)));
      }
    }
    return box;
  }

  function mdInline(text, ctx) {
    const out = [];
    const pattern = /`([^`]+)`|\*\*([^*]+)\*\*|__([^_]+)__|\*([^*\s][^*]*)\*|_([^_\s][^_]*)_|~~([^~]+)~~|\[([^\]]+)\]\(([^)\s]+)\)|<(https?:\/\/[^>\s]+)>/g;
    let last = 0;
    for (let m; (m = pattern.exec(text));) {
      out.push(emojify(text.slice(last, m.index), ctx));
      if (m[1] !== undefined) out.push(h("code", {}, m[1]));
      else if (m[2] !== undefined || m[3] !== undefined) out.push(h("b", {}, mdInline(m[2] ?? m[3], ctx)));
      else if (m[4] !== undefined || m[5] !== undefined) out.push(h("i", {}, mdInline(m[4] ?? m[5], ctx)));
      else if (m[6] !== undefined) out.push(h("s", {}, mdInline(m[6], ctx)));
      else if (m[7] !== undefined) out.push(link(m[8], m[7]));
      else out.push(link(m[9], m[9]));
      last = pattern.lastIndex;
    }
    out.push(emojify(text.slice(last), ctx));
    return out;
  }

  return { h, safeUrl, link, mrkdwn, plainOrMrkdwn, richText, markdown, emojify };
})();
