import { createEditor, finishUpload, insertBlocks, uploadsInFlight } from "nexus-tiptap";

const TOOLS = [
  { name: "bold", icon: "format_bold", title: "Bold", run: (c) => c.toggleBold(), active: ["bold"] },
  { name: "italic", icon: "format_italic", title: "Italic", run: (c) => c.toggleItalic(), active: ["italic"] },
  { name: "strike", icon: "strikethrough_s", title: "Strikethrough", run: (c) => c.toggleStrike(), active: ["strike"] },
  { name: "code", icon: "code", title: "Inline code", run: (c) => c.toggleCode(), active: ["code"] },
  { name: "h2", icon: "title", title: "Heading", run: (c) => c.toggleHeading({ level: 2 }), active: ["heading", { level: 2 }] },
  { name: "h3", icon: "text_fields", title: "Subheading", run: (c) => c.toggleHeading({ level: 3 }), active: ["heading", { level: 3 }] },
  { name: "bullets", icon: "format_list_bulleted", title: "Bulleted list", run: (c) => c.toggleBulletList(), active: ["bulletList"] },
  { name: "numbers", icon: "format_list_numbered", title: "Numbered list", run: (c) => c.toggleOrderedList(), active: ["orderedList"] },
  { name: "quote", icon: "format_quote", title: "Quote", run: (c) => c.toggleBlockquote(), active: ["blockquote"] },
];

export default {
  template: `
    <div class="nexus-editor">
      <div v-if="editable" class="nexus-toolbar" role="toolbar" :aria-label="label + ' formatting'">
        <q-btn v-for="tool in tools" :key="tool.name" flat dense size="sm" :icon="tool.icon"
               :class="{ 'is-active': isActive(tool) }" :data-testid="'tool-' + tool.name" :aria-label="tool.title"
               @mousedown.prevent @click="apply(tool)"><q-tooltip>{{ tool.title }}</q-tooltip></q-btn>
        <q-btn flat dense size="sm" icon="link" :class="{ 'is-active': isActive({ active: ['link'] }) }"
               data-testid="tool-link" aria-label="Link" @mousedown.prevent @click="editLink"><q-tooltip>Link</q-tooltip></q-btn>
        <q-btn flat dense size="sm" icon="image" data-testid="tool-image" aria-label="Insert an image from the media library" @mousedown.prevent @click="pickImage">
          <q-tooltip>Insert an image from the media library</q-tooltip></q-btn>
        <q-btn flat dense size="sm" icon="edit_note" data-testid="tool-image-alt" :disable="!selectedImage()"
               aria-label="Alt text of the selected image for this page" @mousedown.prevent @click="openAlt">
          <q-tooltip>Alt text of the selected image for this page</q-tooltip></q-btn>
        <q-separator vertical class="q-mx-xs" />
        <q-btn flat dense size="sm" icon="undo" data-testid="tool-undo" aria-label="Undo" @click="editor && editor.chain().focus().undo().run()"><q-tooltip>Undo</q-tooltip></q-btn>
        <q-btn flat dense size="sm" icon="redo" data-testid="tool-redo" aria-label="Redo" @click="editor && editor.chain().focus().redo().run()"><q-tooltip>Redo</q-tooltip></q-btn>
      </div>
      <div ref="content" class="nexus-editor-content"></div>
      <q-dialog v-model="alt.open">
        <q-card class="q-pa-md" style="width: 420px; max-width: 90vw" role="dialog" aria-labelledby="nexus-alt-title">
          <div id="nexus-alt-title" class="text-subtitle1 q-mb-sm">Alt text for this page</div>
          <q-input v-model="alt.text" autofocus outlined dense label="Alt text for this page"
                   :placeholder="alt.placeholder" hint="Empty: the image's own alt text, kept up to date"
                   data-testid="image-alt-input" @keydown.enter.prevent="applyAlt" />
          <q-card-actions align="right" class="q-px-none">
            <q-btn flat no-caps label="Cancel" data-testid="image-alt-cancel" v-close-popup />
            <q-btn unelevated no-caps color="primary" label="Apply" data-testid="image-alt-apply" @click="applyAlt" />
          </q-card-actions>
        </q-card>
      </q-dialog>
    </div>
  `,
  props: {
    value: Object,
    placeholder: String,
    editable: Boolean,
    upload_url: String,
    accept: String,
    label: String,
    item_alts: Object,
  },
  data() {
    return { tools: TOOLS, revision: 0, pickPosition: null, alt: { open: false, text: "", placeholder: "" } };
  },
  mounted() {
    this.editor = createEditor(this.$refs.content, {
      content: this.value,
      editable: this.editable,
      placeholder: this.placeholder,
      accept: this.accept,
      label: this.label,
      itemAlt: (mediaId) => (this.item_alts || {})[mediaId] || "",
      onUpdate: (json) => this.emitSoon(json),
      onPickImage: (position) => this.pickImage(position),
      onFiles: (placeholders) => {
        this.reportUploads();
        placeholders.forEach((placeholder) => this.upload(placeholder));
      },
    });
    this.editor.on("transaction", () => (this.revision += 1));
  },
  beforeUnmount() {
    clearTimeout(this.timer);
    this.editor?.destroy();
  },
  methods: {
    emitSoon(json) {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.$emit("update:value", json), 250);
    },
    isActive(tool) {
      this.revision;
      return Boolean(this.editor && this.editor.isActive(...tool.active));
    },
    apply(tool) {
      tool.run(this.editor.chain().focus()).run();
    },
    editLink() {
      const previous = this.editor.getAttributes("link").href || "https://";
      const url = window.prompt("Link address (leave empty to remove the link)", previous);
      if (url === null) return;
      const chain = this.editor.chain().focus().extendMarkRange("link");
      (url.trim() ? chain.setLink({ href: url.trim() }) : chain.unsetLink()).run();
    },
    selectedImage() {
      this.revision;
      const node = this.editor?.state.selection.node;
      return node && node.type.name === "image" && node.attrs.mediaId ? node : null;
    },
    // The alt text of the selected library image for this page; empty means the item's own (its placeholder).
    openAlt() {
      const node = this.selectedImage();
      if (!node) return;
      const own = (this.item_alts || {})[node.attrs.mediaId];
      this.alt = { open: true, text: node.attrs.alt || "", placeholder: own || "The image has no alt text" };
    },
    applyAlt() {
      this.editor.chain().focus().updateAttributes("image", { alt: this.alt.text.trim() }).run();
      this.alt.open = false;
    },
    pickImage(position) {
      this.pickPosition = typeof position === "number" ? position : this.editor.state.selection.from;
      this.$emit("pick_image");
    },
    insertImage(attributes) {
      const position = this.pickPosition ?? this.editor.state.selection.from;
      this.pickPosition = null;
      insertBlocks(this.editor, position, [{ type: "image", attrs: attributes }]);
    },
    setValue(json) {
      this.editor.commands.setContent(json, { emitUpdate: false });
    },
    currentDocument() {
      clearTimeout(this.timer);
      return { document: this.editor.getJSON(), uploading: uploadsInFlight(this.editor) };
    },
    reportUploads() {
      window.nexusUploading = uploadsInFlight(this.editor);
      this.$emit("uploads", window.nexusUploading);
    },
    async upload({ file, uploadId }) {
      const form = new FormData();
      form.append("file", file, file.name);
      let body = {};
      let ok = false;
      try {
        const response = await fetch(this.upload_url, { method: "POST", body: form });
        ok = response.ok;
        body = await response.json();
      } catch (error) {
        body = { detail: "The upload did not reach the server." };
      }
      finishUpload(this.editor, uploadId, ok ? body.image : null);
      this.reportUploads();
      if (!ok && !body.reported) this.$emit("upload_error", { name: file.name, detail: body.detail || "The upload failed." });
    },
  },
};
