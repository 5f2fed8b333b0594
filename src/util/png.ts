// Grayscale and colour images to PNG (pngjs), for montages and report figures.
import { writeFileAtomic } from './atomic.ts';
import { PNG } from 'pngjs';

/** A grayscale image, values in [0, 1], `data[y*width + x]`. */
export interface GrayImage {
  width: number;
  height: number;
  data: Float32Array;
}

/** Encodes a grayscale image (clamped to [0, 1]) as an 8-bit PNG. */
export function encodePng(image: GrayImage): Buffer {
  const png = new PNG({ width: image.width, height: image.height, colorType: 0, inputColorType: 0, bitDepth: 8 });
  const px = new Uint8Array(image.width * image.height);
  for (let i = 0; i < px.length; i++) {
    const v = image.data[i];
    px[i] = Number.isNaN(v) ? 0 : Math.round(Math.min(1, Math.max(0, v)) * 255);
  }
  png.data = Buffer.from(px);
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false });
}

/** An 8-bit RGBA image, `data[4·(y*width + x) + channel]` (as a render target reads back). */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Encodes an RGBA image as an 8-bit RGB PNG (alpha dropped: the report's renders are opaque). */
export function encodeRgbaPng(image: RgbaImage): Buffer {
  if (image.data.length !== 4 * image.width * image.height) throw new Error(`PNG: ${image.data.length} bytes for a ${image.width}×${image.height} RGBA image`);
  const png = new PNG({ width: image.width, height: image.height });
  png.data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return PNG.sync.write(png, { colorType: 2 });
}

/** Writes a grayscale image as a PNG file. */
export function writePng(path: string, image: GrayImage): void {
  writeFileAtomic(path, encodePng(image));
}

/**
 * Tiles equally sized images into a grid (row-major, `columns` per row) with `gap` pixels of `background`
 * between them and `scale`× nearest-neighbour magnification.
 */
export function tile(images: GrayImage[], columns: number, gap = 2, scale = 1, background = 1): GrayImage {
  const w = images[0].width * scale;
  const h = images[0].height * scale;
  const rows = Math.ceil(images.length / columns);
  const width = columns * w + (columns + 1) * gap;
  const height = rows * h + (rows + 1) * gap;
  const data = new Float32Array(width * height).fill(background);
  for (const [k, img] of images.entries()) {
    const ox = gap + (k % columns) * (w + gap);
    const oy = gap + Math.floor(k / columns) * (h + gap);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        data[(oy + y) * width + ox + x] = img.data[Math.floor(y / scale) * img.width + Math.floor(x / scale)];
      }
    }
  }
  return { width, height, data };
}
