import { Cropper, cropperStyles } from "nexus-cropper";

// The core's model: crop in pixels of the upright original, then rotate clockwise, then flip. The crop box
// works on the picture as shown (turned and flipped), so points are mapped between the two.
function turn(point, degrees, width, height) {
  const [x, y] = point;
  return { 0: [x, y], 90: [height - y, x], 180: [width - x, height - y], 270: [y, width - x] }[degrees];
}

// The arrow key's direction, or null for any other key; an arrow is the editor's alone (no scrolling, no
// other handler), as the crop box and the focal point both move by it.
const ARROWS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
function arrowMove(event) {
  const move = ARROWS[event.key];
  if (!move) return null;
  event.preventDefault();
  event.stopPropagation();
  return move;
}

const STYLES = `${cropperStyles}
.nexus-image-editor { display: flex; gap: 20px; height: 100%; min-height: 0; }
.nexus-crop-stage { position: relative; flex: 1; min-width: 0; min-height: 240px; border-radius: 12px; overflow: hidden; }
.nexus-crop-stage:focus-within { box-shadow: 0 0 0 3px #c7d2fe; }
.nexus-crop-stage > img { display: block; max-width: 100%; }
.nexus-crop-stage .cropper-crop-box:focus-visible { outline: 3px solid #4f46e5 !important; outline-offset: 0 !important; }
.nexus-crop-stage .cropper-view-box { outline-color: rgba(79, 70, 229, .85); }
.nexus-crop-stage .cropper-line, .nexus-crop-stage .cropper-point { background-color: #4f46e5; }
.nexus-focal { position: absolute; z-index: 10; width: 36px; height: 36px; margin: -18px 0 0 -18px; padding: 0;
  border-radius: 9999px; border: 3px solid #fff; background: rgba(79, 70, 229, .35); cursor: grab; touch-action: none;
  box-shadow: 0 0 0 2px #4f46e5, 0 4px 12px rgba(15, 23, 42, .35); }
.nexus-focal::after { content: ""; position: absolute; left: 50%; top: 50%; width: 8px; height: 8px; margin: -4px 0 0 -4px;
  border-radius: 9999px; background: #fff; }
.nexus-focal:active { cursor: grabbing; }
.nexus-edit-tools { width: 300px; flex-shrink: 0; display: flex; flex-direction: column; gap: 18px; overflow-y: auto; }
.nexus-edit-tools h2 { font-size: 13px; font-weight: 600; color: #334155; margin: 0 0 6px; letter-spacing: .01em; }
.nexus-chips { display: flex; flex-wrap: wrap; gap: 6px; }
.nexus-chips .q-btn { border-radius: 9999px; }
.nexus-chips .q-btn[aria-pressed=true] { background: #eef2ff !important; color: #3730a3 !important; }
.nexus-crop-preview { width: 100%; height: 150px; overflow: hidden; border-radius: 8px; }
.nexus-edit-hint { font-size: 12px; color: #475569; line-height: 1.5; margin: 0; }
@media (max-width: 767.98px) {
  .nexus-image-editor { flex-direction: column; gap: 14px; }
  .nexus-crop-stage { flex: none; height: 52vh; }
  .nexus-edit-tools { width: 100%; overflow: visible; }
  .nexus-crop-preview { height: 110px; }
}`;

function addStyles() {
  if (document.getElementById("nexus-image-editor-styles")) return;
  const style = document.createElement("style");
  style.id = "nexus-image-editor-styles";
  style.textContent = STYLES;
  document.head.appendChild(style);
}

export default {
  template: `
    <div class="nexus-image-editor">
      <div ref="stage" class="nexus-crop-stage nexus-checker" data-testid="crop-stage">
        <img ref="image" :src="src" alt="" />
        <button ref="focal" type="button" class="nexus-focal" data-testid="focal-point" v-show="ready"
                :aria-label="focalLabel" aria-describedby="nexus-edit-hint"
                @keydown="nudgeFocal" @pointerdown="grabFocal"></button>
      </div>
      <div class="nexus-edit-tools">
        <section>
          <h2 id="nexus-crop-shape">Crop</h2>
          <div class="nexus-chips" role="group" aria-labelledby="nexus-crop-shape">
            <q-btn v-for="shape in aspects" :key="shape.label" outline dense no-caps size="md" class="q-px-sm"
                   :label="shape.label" :aria-pressed="String(shape.label === aspect)"
                   :data-testid="'aspect-' + shape.label" @click="setAspect(shape)" />
          </div>
        </section>
        <section>
          <h2 id="nexus-turn">Rotate and flip</h2>
          <div class="nexus-chips" role="group" aria-labelledby="nexus-turn">
            <q-btn outline round icon="rotate_left" aria-label="Rotate left" data-testid="rotate-left" @click="rotateBy(-90)"><q-tooltip>Rotate left</q-tooltip></q-btn>
            <q-btn outline round icon="rotate_right" aria-label="Rotate right" data-testid="rotate-right" @click="rotateBy(90)"><q-tooltip>Rotate right</q-tooltip></q-btn>
            <q-btn outline round icon="flip" aria-label="Flip horizontally" data-testid="flip-horizontal"
                   :aria-pressed="String(flip.horizontal)" @click="flipAlong('horizontal')"><q-tooltip>Flip horizontally</q-tooltip></q-btn>
            <q-btn outline round icon="flip" style="transform: rotate(90deg)" aria-label="Flip vertically" data-testid="flip-vertical"
                   :aria-pressed="String(flip.vertical)" @click="flipAlong('vertical')"><q-tooltip>Flip vertically</q-tooltip></q-btn>
          </div>
        </section>
        <section>
          <h2>Focal point</h2>
          <p class="nexus-edit-hint">Drag the circle onto what must stay in view when a page cuts the picture to another shape.</p>
          <q-btn flat dense no-caps icon="center_focus_strong" label="Centre it" data-testid="focal-centre" class="q-mt-xs" @click="centreFocal" />
        </section>
        <section>
          <h2 id="nexus-preview-title">Preview</h2>
          <div ref="preview" class="nexus-crop-preview nexus-checker" role="img" aria-labelledby="nexus-preview-title" data-testid="crop-preview"></div>
        </section>
        <p id="nexus-edit-hint" class="nexus-edit-hint">Keyboard: Tab to the crop box, then the arrow keys move it and Shift with
          the arrow keys resizes it; on the focal point the arrow keys move it (Shift: in bigger steps).</p>
      </div>
    </div>
  `,
  props: {
    src: String,
    width: Number,
    height: Number,
    edits: Object,
    aspects: Array,
  },
  data() {
    const edits = this.edits || {};
    return {
      crop: edits.crop || null,
      focal: edits.focal_point || null,
      rotate: edits.rotate || 0,
      flip: { horizontal: !!edits.flip?.horizontal, vertical: !!edits.flip?.vertical },
      aspect: "Free",
      ratio: NaN,
      ready: false,
    };
  },
  computed: {
    focalLabel() {
      const [x, y] = this.focalFractions();
      return `Focal point, ${Math.round(x * 100)}% across and ${Math.round(y * 100)}% down the original`;
    },
  },
  mounted() {
    addStyles();
    this.$refs.image.addEventListener("load", () => this.build(), { once: true });
    this.resizing = new ResizeObserver(() => {
      clearTimeout(this.resizeTimer);
      this.resizeTimer = setTimeout(() => this.build(), 150);
    });
    this.resizing.observe(this.$refs.stage);
  },
  beforeUnmount() {
    this.resizing.disconnect();
    this.cropper?.destroy();
  },
  methods: {
    turned() {
      return this.rotate % 180 ? [this.height, this.width] : [this.width, this.height];
    },
    // A point of the upright original to the picture as shown, and back.
    toShown([x, y]) {
      const [width, height] = this.turned();
      [x, y] = turn([x, y], this.rotate, this.width, this.height);
      return [this.flip.horizontal ? width - x : x, this.flip.vertical ? height - y : y];
    },
    toUpright([x, y]) {
      const [width, height] = this.turned();
      if (this.flip.horizontal) x = width - x;
      if (this.flip.vertical) y = height - y;
      return turn([x, y], (360 - this.rotate) % 360, width, height);
    },
    build() {
      if (!this.$refs.image?.complete || this.$refs.stage.offsetWidth === 0) return;
      this.cropper?.destroy();
      this.ready = false;
      this.applying = true;
      const oneFlip = this.flip.horizontal !== this.flip.vertical;
      this.cropper = new Cropper(this.$refs.image, {
        viewMode: 1,
        dragMode: "crop",
        autoCropArea: 1,
        movable: false,
        zoomable: false,
        background: false,
        checkOrientation: false,
        toggleDragModeOnDblclick: false,
        responsive: false,
        aspectRatio: this.ratio,
        preview: this.$refs.preview,
        ready: () => {
          const cropper = this.cropper;
          // Cropper.js draws rotate(r) scale(s): the flip first. The core flips after turning, which is the
          // same picture turned the other way when exactly one flip is set.
          // Without a crop box meanwhile: in view mode 1 the picture may not shrink below the box.
          cropper.clear();
          cropper.rotateTo(oneFlip ? (360 - this.rotate) % 360 : this.rotate);
          cropper.scale(this.flip.horizontal ? -1 : 1, this.flip.vertical ? -1 : 1);
          this.fitCanvas();
          cropper.crop();
          const [width, height] = this.turned();
          const crop = this.crop || { left: 0, top: 0, width: this.width, height: this.height };
          const a = this.toShown([crop.left, crop.top]);
          const b = this.toShown([crop.left + crop.width, crop.top + crop.height]);
          cropper.setData(
            this.crop
              ? { x: Math.min(a[0], b[0]), y: Math.min(a[1], b[1]), width: Math.abs(a[0] - b[0]), height: Math.abs(a[1] - b[1]) }
              : { x: 0, y: 0, width, height },
          );
          this.applying = false;
          this.ready = true;
          this.readCrop();
          this.placeFocal();
          if (this.saved === undefined) this.saved = JSON.stringify(this.currentEdits()); // as read back, rounding and all
          const box = this.$refs.stage.querySelector(".cropper-crop-box");
          box.setAttribute("tabindex", "0");
          box.setAttribute("role", "group");
          box.setAttribute("aria-label", "Crop box");
          box.setAttribute("aria-describedby", "nexus-edit-hint");
          box.setAttribute("data-testid", "crop-box");
          box.addEventListener("keydown", (event) => this.nudgeCrop(event));
        },
        crop: () => {
          if (!this.applying && this.ready) this.readCrop();
        },
      });
    },
    fitCanvas() {
      const container = this.cropper.getContainerData();
      const canvas = this.cropper.getCanvasData();
      const scale = Math.min(container.width / canvas.naturalWidth, container.height / canvas.naturalHeight);
      const width = canvas.naturalWidth * scale;
      const height = canvas.naturalHeight * scale;
      this.cropper.setCanvasData({ left: (container.width - width) / 2, top: (container.height - height) / 2, width, height });
    },
    readCrop() {
      const data = this.cropper.getData();
      const a = this.toUpright([data.x, data.y]);
      const b = this.toUpright([data.x + data.width, data.y + data.height]);
      const clamp = (value, most) => Math.min(Math.max(Math.round(value), 0), most);
      const left = clamp(Math.min(a[0], b[0]), this.width - 1);
      const top = clamp(Math.min(a[1], b[1]), this.height - 1);
      const right = Math.max(clamp(Math.max(a[0], b[0]), this.width), left + 1);
      const bottom = Math.max(clamp(Math.max(a[1], b[1]), this.height), top + 1);
      const whole = left === 0 && top === 0 && right === this.width && bottom === this.height;
      this.crop = whole ? null : { left, top, width: right - left, height: bottom - top };
    },
    nudgeCrop(event) {
      const move = arrowMove(event);
      if (!move) return;
      const [width, height] = this.turned();
      const step = Math.max(1, Math.round(Math.max(width, height) / 100));
      const data = this.cropper.getData();
      if (event.shiftKey) {
        this.cropper.setData({ width: Math.max(step, data.width + move[0] * step), height: Math.max(step, data.height + move[1] * step) });
      } else {
        this.cropper.setData({ x: data.x + move[0] * step, y: data.y + move[1] * step });
      }
      this.readCrop();
    },
    setAspect(shape) {
      this.aspect = shape.label;
      this.ratio = shape.ratio || NaN;
      this.cropper?.setAspectRatio(this.ratio);
      if (this.cropper) this.readCrop();
    },
    rotateBy(degrees) {
      // Turning the picture as shown: with exactly one flip set, the core's rotation goes the other way.
      const sign = this.flip.horizontal !== this.flip.vertical ? -1 : 1;
      this.rotate = (this.rotate + sign * degrees + 360) % 360;
      this.build();
    },
    flipAlong(axis) {
      this.flip = { ...this.flip, [axis]: !this.flip[axis] };
      this.build();
    },
    focalFractions() {
      return this.focal ? [this.focal.x, this.focal.y] : [0.5, 0.5];
    },
    placeFocal() {
      if (!this.cropper || !this.ready) return;
      const canvas = this.cropper.getCanvasData();
      const [width, height] = this.turned();
      const [x, y] = this.shownFocal();
      this.$refs.focal.style.left = `${canvas.left + (x / width) * canvas.width}px`;
      this.$refs.focal.style.top = `${canvas.top + (y / height) * canvas.height}px`;
    },
    setFocalShown(x, y) {
      const [width, height] = this.turned();
      const [ux, uy] = this.toUpright([Math.min(Math.max(x, 0), width), Math.min(Math.max(y, 0), height)]);
      const round = (value) => Math.round(value * 10000) / 10000;
      this.focal = { x: round(ux / this.width), y: round(uy / this.height) };
      this.placeFocal();
    },
    shownFocal() {
      const [fx, fy] = this.focalFractions();
      return this.toShown([fx * this.width, fy * this.height]);
    },
    nudgeFocal(event) {
      const move = arrowMove(event);
      if (!move) return;
      const [width, height] = this.turned();
      const step = (event.shiftKey ? 0.1 : 0.01) * Math.max(width, height);
      const [x, y] = this.shownFocal();
      this.setFocalShown(x + move[0] * step, y + move[1] * step);
    },
    grabFocal(event) {
      event.preventDefault();
      event.stopPropagation();
      const marker = this.$refs.focal;
      marker.focus();
      marker.setPointerCapture(event.pointerId);
      const move = (moved) => {
        const stage = this.$refs.stage.getBoundingClientRect();
        const canvas = this.cropper.getCanvasData();
        const [width, height] = this.turned();
        this.setFocalShown(
          ((moved.clientX - stage.left - canvas.left) / canvas.width) * width,
          ((moved.clientY - stage.top - canvas.top) / canvas.height) * height,
        );
      };
      const release = () => {
        marker.removeEventListener("pointermove", move);
        marker.removeEventListener("pointerup", release);
        marker.removeEventListener("pointercancel", release);
      };
      marker.addEventListener("pointermove", move);
      marker.addEventListener("pointerup", release);
      marker.addEventListener("pointercancel", release);
    },
    centreFocal() {
      this.focal = null;
      this.placeFocal();
    },
    currentEdits() {
      return { crop: this.crop, focal_point: this.focal, rotate: this.rotate, flip: { ...this.flip } };
    },
    hasChanges() {
      return this.saved !== undefined && JSON.stringify(this.currentEdits()) !== this.saved;
    },
  },
};
