// A modal as Slack's client shows it: its blocks, each input block a field, Cancel and Submit.
// Submitting sends what the member filled in, by block_id, as Slack builds `state.values`; a
// required field left blank is refused here first, as Slack's client refuses it; errors the app
// answers in its ack (`response_action: errors`) appear under their fields.
"use strict";

const Forms = (() => {
  const { h } = Text;
  const REQUIRED = "Please complete this required field.";

  function choices(element, ctx) {
    if (/users/.test(element.type)) return ctx.members.map((m) => [m.id, `${m.real_name} (@${m.name})`]);
    if (/conversations|channels/.test(element.type)) {
      return ctx.conversations.filter((c) => c.kind !== "app").map((c) => [c.id, "#" + c.name]);
    }
    return Blocks.options(element).map((o) => [o.value, Blocks.plain(o.text)]);
  }

  function initial(element) {
    const one = element.initial_value ?? (element.initial_option || {}).value ?? element.initial_user ??
      element.initial_conversation ?? element.initial_channel ?? element.initial_date ?? element.initial_time;
    const many = (element.initial_options || []).map((o) => o.value).concat(
      element.initial_users || [], element.initial_conversations || [], element.initial_channels || []);
    return many.length ? many : one === undefined || one === null ? [] : [String(one)];
  }

  // One input element: the control and how to read its value (null when blank).
  function control(element, ctx, id) {
    const type = element.type;
    const start = initial(element);
    const placeholder = Blocks.plain(element.placeholder);
    if (type === "checkboxes" || type === "radio_buttons") {
      const kind = type === "checkboxes" ? "checkbox" : "radio";
      const boxes = Blocks.options(element).map((o) => h("label", { class: "choice" },
        h("input", { type: kind, name: id, value: o.value, checked: start.includes(o.value) }), Blocks.plain(o.text)));
      const read = () => {
        const picked = boxes.map((b) => b.querySelector("input")).filter((i) => i.checked).map((i) => i.value);
        return kind === "radio" ? picked[0] ?? null : picked;
      };
      return { node: h("div", { class: "choices", id }, boxes), read };
    }
    if (/select$/.test(type)) {
      const multi = type.startsWith("multi_");
      const select = h("select", { id, multiple: multi, class: "input" },
        multi ? null : h("option", { value: "" }, placeholder || "Choose…"),
        choices(element, ctx).map(([value, text]) => h("option", { value, selected: start.includes(value) }, text)));
      const read = () => multi ? [...select.selectedOptions].map((o) => o.value) : select.value || null;
      return { node: select, read };
    }
    const kinds = { datepicker: "date", timepicker: "time", datetimepicker: "datetime-local", number_input: "number",
      email_text_input: "email", url_text_input: "url" };
    const attrs = { id, class: "input", placeholder, type: kinds[type] || "text" };
    if (type === "number_input") Object.assign(attrs, { min: element.min_value, max: element.max_value, step: element.is_decimal_allowed ? "any" : "1" });
    if (type === "plain_text_input") Object.assign(attrs, { maxlength: element.max_length });
    const input = element.multiline ? h("textarea", { ...attrs, rows: 4 }) : h("input", attrs);
    if (start.length) input.value = type === "datetimepicker" ? new Date(start[0] * 1000).toISOString().slice(0, 16) : start[0];
    const read = () => {
      const value = input.value.trim();
      if (!value) return null;
      return type === "datetimepicker" ? Math.floor(new Date(value).getTime() / 1000) : value;
    };
    return { node: input, read };
  }

  function modal(view, ctx) {
    const fields = [];
    const problem = h("div", { class: "form-problem", role: "alert", hidden: true });
    ctx.input = (block) => {
      const id = `field-${fields.length}`;
      const made = control(block.element, ctx, id);
      const error = h("div", { class: "field-error", role: "alert", hidden: true });
      fields.push({ block, made, error });
      return h("div", { class: "block input-block", "data-block-id": block.block_id },
        h("label", { for: id }, Blocks.plain(block.label), block.optional ? h("small", {}, " (optional)") : null),
        made.node,
        block.hint ? h("div", { class: "hint" }, Blocks.plain(block.hint)) : null,
        error);
    };
    const body = Blocks.blocks(view.blocks, ctx);

    function show(errors) {
      for (const field of fields) {
        const message = errors[field.block.block_id];
        field.error.textContent = message || "";
        field.error.hidden = !message;
        field.made.node.classList.toggle("invalid", Boolean(message));
      }
    }

    async function submit(event) {
      event.preventDefault();
      problem.hidden = true;
      const values = {};
      const errors = {};
      for (const { block, made } of fields) {
        const value = made.read();
        const blank = value === null || (Array.isArray(value) && !value.length);
        if (blank && !block.optional) errors[block.block_id] = REQUIRED;
        values[block.block_id] = blank ? null : value;
      }
      show(errors);
      if (Object.keys(errors).length) return;
      const answer = await ctx.post("/api/submit", { view_id: view.id, values });
      if (answer.errors) show(answer.errors);
      if (answer.error) { problem.textContent = answer.error; problem.hidden = false; }
    }

    const close = () => ctx.post("/api/close", { view_id: view.id });
    const title = Blocks.plain(view.title);
    return h("form", { class: "modal", role: "dialog", "aria-label": title, onsubmit: submit, novalidate: true },
      h("div", { class: "modal-head" }, h("h2", {}, title),
        h("button", { class: "modal-x", type: "button", "aria-label": "Close", onclick: close }, "✕")),
      h("div", { class: "modal-body" }, body, problem),
      h("div", { class: "modal-foot" },
        h("button", { class: "btn", type: "button", onclick: close }, Blocks.plain(view.close) || "Cancel"),
        view.submit ? h("button", { class: "btn primary", type: "submit" }, Blocks.plain(view.submit)) : null));
  }

  return { modal };
})();
