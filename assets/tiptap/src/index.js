// The editor behind nexus_ui's TiptapEditor element: StarterKit, images that remember their
// media item, a "/" command menu, and files dropped or pasted handed to the server for upload.
import { Editor, Extension } from "@tiptap/core";
import StarterKit from "@tiptap/starter-kit";
import Image from "@tiptap/extension-image";
import { Placeholder } from "@tiptap/extensions";
import Suggestion from "@tiptap/suggestion";

const MediaImage = Image.extend({
  addOptions() {
    return { ...this.parent?.(), itemAlt: () => "" };
  },
  addAttributes() {
    return {
      ...this.parent?.(),
      // A library image's empty alt means its item's own alt text: stored empty (so the page follows the
      // item's), shown and read out in the editor as the item's, and marked so that copying keeps it empty.
      alt: {
        default: null,
        parseHTML: (element) => (element.hasAttribute("data-item-alt") ? null : element.getAttribute("alt")),
        renderHTML: (attributes) =>
          attributes.alt || !attributes.mediaId
            ? { alt: attributes.alt }
            : { alt: this.options.itemAlt(attributes.mediaId), "data-item-alt": "" },
      },
      mediaId: {
        default: null,
        parseHTML: (element) => element.getAttribute("data-media-id"),
        renderHTML: (attributes) => (attributes.mediaId ? { "data-media-id": attributes.mediaId } : {}),
      },
      uploadId: {
        default: null,
        rendered: false,
      },
    };
  },
});

const COMMANDS = [
  { name: "image", label: "Image", hint: "From the media library", run: (editor, range, hooks) => {
    editor.chain().focus().deleteRange(range).run();
    hooks.onPickImage(editor.state.selection.from);
  } },
  { name: "heading", label: "Heading", hint: "Large section heading", run: (editor, range) =>
    editor.chain().focus().deleteRange(range).setNode("heading", { level: 2 }).run() },
  { name: "subheading", label: "Subheading", hint: "Smaller heading", run: (editor, range) =>
    editor.chain().focus().deleteRange(range).setNode("heading", { level: 3 }).run() },
  { name: "bullets", label: "Bulleted list", hint: "A simple list", run: (editor, range) =>
    editor.chain().focus().deleteRange(range).toggleBulletList().run() },
  { name: "numbers", label: "Numbered list", hint: "A list with numbers", run: (editor, range) =>
    editor.chain().focus().deleteRange(range).toggleOrderedList().run() },
  { name: "quote", label: "Quote", hint: "A quotation", run: (editor, range) =>
    editor.chain().focus().deleteRange(range).toggleBlockquote().run() },
  { name: "divider", label: "Divider", hint: "A horizontal line", run: (editor, range) =>
    editor.chain().focus().deleteRange(range).setHorizontalRule().run() },
];

function commandMenu() {
  let menu = null;
  let items = [];
  let selected = 0;
  let choose = null;

  const draw = () => {
    menu.innerHTML = "";
    items.forEach((item, index) => {
      const row = document.createElement("button");
      row.type = "button";
      row.className = "nexus-slash-item" + (index === selected ? " is-selected" : "");
      row.dataset.command = item.name;
      row.innerHTML = `<strong>${item.label}</strong><span>${item.hint}</span>`;
      row.addEventListener("mousedown", (event) => { event.preventDefault(); choose(item); });
      menu.appendChild(row);
    });
    if (!items.length) menu.innerHTML = '<div class="nexus-slash-empty">No command</div>';
  };
  const place = (rect) => {
    if (!rect) return;
    menu.style.left = `${rect.left + window.scrollX}px`;
    menu.style.top = `${rect.bottom + window.scrollY + 6}px`;
  };
  return {
    onStart(props) {
      menu = document.createElement("div");
      menu.className = "nexus-slash-menu";
      menu.dataset.testid = "slash-menu";
      document.body.appendChild(menu);
      items = props.items; selected = 0; choose = props.command;
      draw(); place(props.clientRect?.());
    },
    onUpdate(props) {
      items = props.items; selected = 0; choose = props.command;
      draw(); place(props.clientRect?.());
    },
    onKeyDown({ event }) {
      if (event.key === "ArrowDown") { selected = (selected + 1) % Math.max(items.length, 1); draw(); return true; }
      if (event.key === "ArrowUp") { selected = (selected + items.length - 1) % Math.max(items.length, 1); draw(); return true; }
      if (event.key === "Enter" || event.key === "Tab") { if (items[selected]) choose(items[selected]); return true; }
      if (event.key === "Escape") { menu?.remove(); menu = null; return true; }
      return false;
    },
    onExit() { menu?.remove(); menu = null; },
  };
}

function slashCommands(hooks) {
  return Extension.create({
    name: "slashCommands",
    addProseMirrorPlugins() {
      return [Suggestion({
        editor: this.editor,
        char: "/",
        startOfLine: false,
        items: ({ query }) => COMMANDS.filter((command) =>
          command.name.startsWith(query.toLowerCase()) || command.label.toLowerCase().startsWith(query.toLowerCase())),
        command: ({ editor, range, props }) => props.run(editor, range, hooks),
        render: commandMenu,
      })];
    },
  });
}

// `accept` is the server's list of formats (".jpg,…,image/jpeg,…", from nexus_core.media.formats),
// the same as the upload zone's; extensions count too, as browsers give some files no MIME type.
export function accepts(accept, file) {
  const allowed = String(accept || "").toLowerCase().split(",").map((entry) => entry.trim()).filter(Boolean);
  const name = file.name.toLowerCase();
  return allowed.some((entry) => (entry.startsWith(".") ? name.endsWith(entry) : file.type === entry));
}

function imageFiles(list, accept) {
  return Array.from(list || []).filter((file) => accepts(accept, file));
}

let uploadCounter = 0;

function insertPlaceholders(editor, files, position) {
  const placeholders = files.map((file) => ({ file, uploadId: `upload-${Date.now()}-${uploadCounter++}` }));
  const nodes = placeholders.map(({ file, uploadId }) => ({
    type: "image",
    attrs: { src: URL.createObjectURL(file), alt: `Uploading ${file.name}…`, uploadId },
  }));
  insertBlocks(editor, position ?? editor.state.selection.from, nodes);
  return placeholders;
}

// Images are blocks: follow them with an empty paragraph and put the cursor there, so typing
// right after an insert writes below the image instead of replacing the (selected) image.
export function insertBlocks(editor, position, nodes) {
  editor.chain().focus().insertContentAt(position, [...nodes, { type: "paragraph" }]).run();
}

export function uploadsInFlight(editor) {
  let count = 0;
  editor.state.doc.descendants((node) => {
    if (node.type.name === "image" && node.attrs.uploadId) count += 1;
  });
  return count;
}

function findUpload(editor, uploadId) {
  let found = null;
  editor.state.doc.descendants((node, position) => {
    if (found === null && node.type.name === "image" && node.attrs.uploadId === uploadId) found = { node, position };
  });
  return found;
}

export function finishUpload(editor, uploadId, attributes) {
  const found = findUpload(editor, uploadId);
  if (!found) return;
  URL.revokeObjectURL(found.node.attrs.src);
  const transaction = editor.state.tr;
  if (attributes) {
    transaction.setNodeMarkup(found.position, undefined, { ...found.node.attrs, ...attributes, uploadId: null });
  } else {
    transaction.delete(found.position, found.position + found.node.nodeSize);
  }
  editor.view.dispatch(transaction);
}

export function createEditor(element, { content, editable, placeholder, accept, label, itemAlt, onUpdate, onPickImage, onFiles }) {
  const hooks = { onPickImage };
  const handleFiles = (files, position) => {
    const placeholders = insertPlaceholders(editor, files, position);
    onFiles(placeholders);
  };
  const editor = new Editor({
    element,
    editable,
    content,
    extensions: [
      StarterKit.configure({ heading: { levels: [2, 3, 4] }, link: { openOnClick: false, autolink: true } }),
      MediaImage.configure({ inline: false, allowBase64: false, itemAlt }),
      Placeholder.configure({ placeholder }),
      slashCommands(hooks),
    ],
    editorProps: {
      attributes: {
        class: "nexus-prose", "data-testid": "tiptap-content",
        role: "textbox", "aria-multiline": "true", "aria-label": label || "Rich text",
      },
      handleDrop(view, event, _slice, moved) {
        const files = imageFiles(event.dataTransfer?.files, accept);
        if (moved || !files.length) return false;
        event.preventDefault();
        const target = view.posAtCoords({ left: event.clientX, top: event.clientY });
        handleFiles(files, target ? target.pos : undefined);
        return true;
      },
      handlePaste(_view, event) {
        const files = imageFiles(event.clipboardData?.files, accept);
        if (!files.length) return false;
        event.preventDefault();
        handleFiles(files);
        return true;
      },
    },
    onUpdate: ({ editor: current }) => onUpdate(current.getJSON()),
  });
  return editor;
}
