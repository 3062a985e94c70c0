// Cropper.js 1 and its stylesheet (as text, added to the page once by the edit view's element).
import Cropper from "cropperjs";
import cropperStyles from "cropperjs/dist/cropper.css";

export { Cropper, cropperStyles };
