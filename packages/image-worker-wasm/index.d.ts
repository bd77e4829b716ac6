/** Formats the pipeline writes (the `format=` values). */
export type OutputFormat = "jpeg" | "png" | "webp" | "avif" | "gif";
/** Formats the pipeline reads. */
export type SourceFormat = "jpeg" | "png" | "gif" | "webp";

/**
 * The options of the URL grammar (the README lists them all), as an object: `{ width: 800, fit:
 * "cover" }`. Dotted names may be nested (`border: { color: "#fff", width: 4 }`), `trim` may be
 * a `[top, right, bottom, left]` array, and `gravity` an `{ x, y }` point.
 */
export interface TransformOptionsObject {
  width?: number;
  height?: number;
  fit?: "scale-down" | "contain" | "cover" | "crop" | "pad" | "squeeze";
  gravity?: "auto" | "left" | "right" | "top" | "bottom" | "center" | { x: number; y: number } | string;
  quality?: number | "high" | "medium-high" | "medium-low" | "low";
  format?: "auto" | "avif" | "webp" | "jpeg" | "baseline-jpeg" | "png" | "gif" | "json";
  compression?: "fast";
  dpr?: number;
  rotate?: 0 | 90 | 180 | 270;
  flip?: "h" | "v" | "hv";
  trim?: "border" | [number, number, number, number] | string | Record<string, unknown>;
  background?: string;
  border?: Record<string, string | number>;
  brightness?: number;
  contrast?: number;
  gamma?: number;
  saturation?: number;
  blur?: number;
  sharpen?: number;
  metadata?: "keep" | "copyright" | "none";
  anim?: boolean;
  "gamma-correct"?: boolean;
  [name: string]: unknown;
}

/** The limits the Worker reads from its variables, by the same names (defaults in the README). */
export interface Limits {
  MAX_INPUT_BYTES?: number;
  MAX_INPUT_PIXELS?: number;
  MAX_OUTPUT_DIMENSION?: number;
  MAX_OUTPUT_PIXELS?: number;
  MAX_AVIF_DIMENSION?: number;
  MAX_WORKING_BYTES?: number;
}

export interface TransformSettings {
  /** An HTTP `Accept` header value, read by `format=auto`. */
  accept?: string;
  /** The kernels: "simd128" (the default) or "scalar". */
  backend?: "simd128" | "scalar";
  limits?: Limits;
}

export interface Transformed {
  bytes: Uint8Array;
  format: OutputFormat;
  contentType: string;
  width: number;
  height: number;
}

export interface Probed {
  format: SourceFormat;
  /** As stored, before EXIF orientation. */
  width: number;
  height: number;
  frames: number;
  /** The EXIF orientation tag, 1 (upright) to 8. */
  orientation: number;
}

/** A refusal, with the same `code` and message as the Worker's JSON errors, and its HTTP status. */
export class ImageError extends Error {
  readonly name: "ImageError";
  readonly code: number;
  readonly status: number;
}

/**
 * Transforms an encoded image: `options` as in the URL (`"width=800,fit=cover"`) or as an object.
 * Throws an `ImageError` for bad options and images it cannot or may not read.
 */
export function transform(
  bytes: Uint8Array | ArrayBuffer | ArrayBufferView,
  options?: string | TransformOptionsObject,
  settings?: TransformSettings,
): Transformed;

/** Reads the header only: format, stored size, frames and EXIF orientation. */
export function probe(bytes: Uint8Array | ArrayBuffer | ArrayBufferView, settings?: { limits?: Limits }): Probed;

/** The instance's wasm linear memory in bytes (it grows to a request's peak and never shrinks). */
export function memoryBytes(): number;
