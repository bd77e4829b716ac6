//! AVIF output: a 10-bit AV1 still picture from rav1e (BSD) in an AVIF container written by
//! avif-serialize, alpha as a second, monochrome AV1 picture. AV1 encoding is slow, so the
//! pipeline sends AVIF only up to `MAX_AVIF_DIMENSION`.
//!
//! rav1e's settings are chosen for a still picture made within a request: 8x8 blocks only,
//! coefficient rates counted exactly rather than estimated, psychovisual tuning (activity
//! masking), no fine intra angles, CDEF or loop restoration. `codec-quality avif-settings`
//! (benches/quality) measures each choice against its alternative, and against rav1e's fastest
//! preset as the ravif crate ran it before (benches/results/avif-settings.md). Chroma is 4:2:0
//! (from each 2x2 block's mean light) or 4:4:4 by quality (`quality::AVIF_444_FROM`).

use avif_serialize::{constants::MatrixCoefficients as Matrix, Aviffy};
use kernels::{Image, PixelLayout};
use rav1e::config::SpeedSettings;
use rav1e::prelude::{
    BlockSize, ChromaSampling, ColorDescription, ColorPrimaries, Config, EncoderConfig, EncoderStatus, Frame,
    MatrixCoefficients, PartitionRange, PixelRange, Rational, SceneDetectionSpeed, TransferCharacteristics, Tune,
};

use super::quality::{along, Curve};
use crate::error::{ErrorKind, TransformError};

/// How to encode: rav1e's quantizer (0 best – 255 worst) and whether chroma is halved both ways.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AvifSettings {
    pub quantizer: u8,
    pub chroma_420: bool,
}

impl AvifSettings {
    /// The colour picture's chroma sampling.
    fn sampling(self) -> ChromaSampling {
        if self.chroma_420 {
            ChromaSampling::Cs420
        } else {
            ChromaSampling::Cs444
        }
    }
}

/// Encodes `image` as AVIF; an image with alpha gets an alpha picture at the same quantizer.
/// rav1e's working memory stays within `allowance` bytes where splitting the picture into more
/// tiles can make it ([`avif_working_bytes`] is what it takes; `u64::MAX` for no bound).
pub fn encode_avif(image: &Image, settings: AvifSettings, allowance: u64) -> Result<Vec<u8>, TransformError> {
    encode_avif_with(image, settings, allowance, |_| {})
}

/// [`encode_avif`] with rav1e's configuration changed by `adjust` before each picture: how the
/// codec benchmark measures the alternatives to our settings.
pub fn encode_avif_with(
    image: &Image,
    settings: AvifSettings,
    allowance: u64,
    adjust: impl Fn(&mut EncoderConfig),
) -> Result<Vec<u8>, TransformError> {
    let (width, height) = (image.width, image.height);
    let sampling = settings.sampling();
    let color = encode_picture(width, height, sampling, settings.quantizer, allowance, &adjust, |frame| {
        fill_ycbcr(frame, image, settings.chroma_420)
    })?;
    let alpha = match image.layout {
        PixelLayout::Rgba8 => {
            let allowance = allowance.saturating_sub(color_data_bytes(width, height, sampling));
            Some(encode_picture(
                width,
                height,
                ChromaSampling::Cs400,
                settings.quantizer,
                allowance,
                &adjust,
                |frame| {
                    let [alpha, ..] = &mut frame.planes;
                    let rows = image.pixels.as_chunks::<4>().0.chunks_exact(width);
                    for (row, out) in rows.zip(alpha.mut_slice(Default::default()).rows_iter_mut()) {
                        for (&[.., a], out) in row.iter().zip(out) {
                            *out = ten_bits(a);
                        }
                    }
                },
            )?)
        }
        PixelLayout::Rgb8 | PixelLayout::L8 => None,
    };
    let (Ok(width32), Ok(height32)) = (u32::try_from(width), u32::try_from(height)) else {
        return Err(unencodable("the image is too large"));
    };
    Ok(Aviffy::new()
        .set_matrix_coefficients(Matrix::Bt601)
        .set_chroma_subsampling((settings.chroma_420, settings.chroma_420))
        // AV1's main profile carries 4:2:0, its high profile 4:4:4.
        .set_seq_profile(if settings.chroma_420 { 0 } else { 1 })
        .to_vec(&color, alpha.as_deref(), width32, height32, 10))
}

/// rav1e's settings for a still picture within a request's time: each choice below is measured
/// against its alternative in benches/results/avif-settings.md.
fn speed_settings() -> SpeedSettings {
    let mut speed = SpeedSettings::from_preset(10);
    // One picture: nothing to look ahead at, no motion and no scene cuts.
    speed.rdo_lookahead_frames = 1;
    speed.scene_detection_mode = SceneDetectionSpeed::None;
    speed.multiref = false;
    speed.motion.include_near_mvs = false;
    // 8x8 blocks only: 2% fewer bytes than 16x16 for 15% more time; letting rate-distortion
    // choose between 8x8 and 16x16 saves 6% more, at 1.6x the time.
    speed.partition.partition_range = PartitionRange::new(BlockSize::BLOCK_8X8, BlockSize::BLOCK_8X8);
    // Exact coefficient rates: 19% fewer bytes than estimated ones, for 13% more time.
    speed.transform.tx_domain_rate = false;
    speed.transform.rdo_tx_decision = false;
    // Fine intra angles would save 3.3% of the bytes for 1.3x the time in V8, past what a
    // request can spend; CDEF and loop restoration save nothing at web qualities.
    speed.prediction.fine_directional_intra = false;
    speed.cdef = false;
    speed.lrf = false;
    speed
}

const MIB: u64 = 1 << 20;

/// What rav1e holds for a picture whatever its size. Measured with the figures below by encoding
/// uniform noise (the most symbols a picture can make) at sizes from 0.1 to 1.6 MP and quantizers
/// from 0 to 255, in V8; `benches/memory.mjs --check` holds the pipeline to them.
const PICTURE_FIXED_BYTES: u64 = 6 * MIB;
/// Per sample (of the luma and chroma planes): the source and reconstruction frames and the
/// block decisions.
const FRAME_BYTES_PER_SAMPLE: u64 = 10;
/// What each tile past the first adds: rav1e sets up every tile's state at once, each with
/// loop restoration's integral images (0.9 MB) even when loop restoration is off.
const TILE_BYTES: u64 = MIB;
/// The most one tile's symbol recording may hold; more tiles share a picture beyond it.
const MAX_TILE_RECORDING_BYTES: u64 = 32 * MIB;

/// What rav1e's recording of a tile's symbols holds per sample at most, at `quantizer`: it
/// records every symbol of a tile (6 bytes each, in a vector that grows by doubling) to choose the
/// tile's deblocking before writing it, and finer quantizers code more symbols. The upper
/// envelope of the measurements above, with the AV1 data that grows alongside.
fn recording_bytes_per_sample(quantizer: u8) -> u64 {
    const ENVELOPE: &Curve = &[(0, 150.0), (28, 75.0), (56, 42.0), (90, 36.0), (131, 20.0), (255, 8.0)];
    along(ENVELOPE, quantizer).ceil() as u64
}

/// The samples of a `width` x `height` picture's planes.
fn picture_samples(width: usize, height: usize, sampling: ChromaSampling) -> u64 {
    let luma = (width * height) as u64;
    match sampling {
        ChromaSampling::Cs420 => luma + 2 * (width.div_ceil(2) * height.div_ceil(2)) as u64,
        ChromaSampling::Cs422 => luma + 2 * (width.div_ceil(2) * height) as u64,
        ChromaSampling::Cs444 => 3 * luma,
        ChromaSampling::Cs400 => luma,
    }
}

/// How rav1e splits a picture for a target number of tiles: the count it makes and the pixels
/// of the largest tile.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Tiling {
    target: usize,
    count: u64,
    largest_pixels: u64,
}

impl Tiling {
    /// The split rav1e's encoder makes of a `width` x `height` picture for `target` tiles: it
    /// halves the tiles' taller side (in 64-pixel superblocks, rows on a tie) until there are at
    /// least `target`, or they are one superblock; tiles divide the superblocks rounding up.
    fn new(width: usize, height: usize, target: usize) -> Tiling {
        let (sb_columns, sb_rows) = (width.div_ceil(64), height.div_ceil(64));
        let most = |superblocks: usize| superblocks.min(64).next_power_of_two().trailing_zeros();
        let (most_columns_log2, most_rows_log2) = (most(sb_columns), most(sb_rows));
        let split = |columns_log2: u32, rows_log2: u32| {
            let (tile_columns, tile_rows) = (sb_columns.div_ceil(1 << columns_log2), sb_rows.div_ceil(1 << rows_log2));
            (tile_columns, tile_rows, sb_columns.div_ceil(tile_columns) * sb_rows.div_ceil(tile_rows))
        };
        let (mut columns_log2, mut rows_log2) = (0, 0);
        let mut made = split(0, 0);
        while columns_log2 < most_columns_log2 || rows_log2 < most_rows_log2 {
            made = split(columns_log2, rows_log2);
            let (tile_columns, tile_rows, count) = made;
            if count >= target {
                break;
            }
            if (tile_rows >= tile_columns && rows_log2 < most_rows_log2) || columns_log2 >= most_columns_log2 {
                rows_log2 += 1;
            } else {
                columns_log2 += 1;
            }
        }
        let (tile_columns, tile_rows, count) = made;
        let largest_pixels = (tile_columns * 64).min(width) * (tile_rows * 64).min(height);
        Tiling { target, count: count as u64, largest_pixels: largest_pixels as u64 }
    }

    /// As few tiles as keep the largest tile's recording within `MAX_TILE_RECORDING_BYTES` and
    /// the picture's memory within `allowance` (each split costs about 1% of the bytes at web
    /// qualities), up to 64; where none is within `allowance`, the split that takes least.
    fn for_picture(width: usize, height: usize, sampling: ChromaSampling, quantizer: u8, allowance: u64) -> Tiling {
        let splits = std::iter::successors(Some(Tiling::new(width, height, 1)), |tiling| {
            (tiling.target < 64).then(|| Tiling::new(width, height, 2 * tiling.target))
        });
        let bounded: Vec<Tiling> = splits
            .skip_while(|tiling| {
                tiling.recording_bytes(width, height, sampling, quantizer) > MAX_TILE_RECORDING_BYTES
                    && tiling.target < 64
            })
            .collect();
        let bytes = |tiling: &&Tiling| tiling.picture_bytes(width, height, sampling, quantizer);
        bounded
            .iter()
            .find(|tiling| bytes(tiling) <= allowance)
            .or_else(|| bounded.iter().min_by_key(bytes))
            .copied()
            .unwrap_or_else(|| Tiling::new(width, height, 64))
    }

    /// The most memory rav1e takes for the picture split this way.
    fn picture_bytes(&self, width: usize, height: usize, sampling: ChromaSampling, quantizer: u8) -> u64 {
        PICTURE_FIXED_BYTES
            + FRAME_BYTES_PER_SAMPLE * picture_samples(width, height, sampling)
            + self.recording_bytes(width, height, sampling, quantizer)
            + TILE_BYTES * (self.count - 1)
    }

    /// What the largest tile's recording holds at most: its share of the picture's samples.
    fn recording_bytes(&self, width: usize, height: usize, sampling: ChromaSampling, quantizer: u8) -> u64 {
        let samples = picture_samples(width, height, sampling);
        let pixels = (width * height).max(1) as u64;
        (samples * self.largest_pixels).div_ceil(pixels) * recording_bytes_per_sample(quantizer)
    }
}

/// The most memory rav1e takes for one picture, split as [`Tiling::for_picture`] does.
fn picture_bytes(width: usize, height: usize, sampling: ChromaSampling, quantizer: u8, allowance: u64) -> u64 {
    Tiling::for_picture(width, height, sampling, quantizer, allowance).picture_bytes(width, height, sampling, quantizer)
}

/// The colour picture's AV1 data at most (2 bytes a sample), which the alpha picture's encoding
/// holds meanwhile.
fn color_data_bytes(width: usize, height: usize, sampling: ChromaSampling) -> u64 {
    2 * picture_samples(width, height, sampling)
}

/// The most memory [`encode_avif`] takes for a `width` x `height` image (with `alpha` or not)
/// under `allowance`: what the memory budget counts.
pub fn avif_working_bytes(width: usize, height: usize, settings: AvifSettings, alpha: bool, allowance: u64) -> u64 {
    let sampling = settings.sampling();
    let color = picture_bytes(width, height, sampling, settings.quantizer, allowance);
    if !alpha {
        return color;
    }
    let color_data = color_data_bytes(width, height, sampling);
    let alpha =
        picture_bytes(width, height, ChromaSampling::Cs400, settings.quantizer, allowance.saturating_sub(color_data));
    color.max(color_data + alpha)
}

/// Encodes one AV1 still picture whose planes `fill` writes.
fn encode_picture(
    width: usize,
    height: usize,
    sampling: ChromaSampling,
    quantizer: u8,
    allowance: u64,
    adjust: impl Fn(&mut EncoderConfig),
    fill: impl FnOnce(&mut Frame<u16>),
) -> Result<Vec<u8>, TransformError> {
    let color_description = (sampling != ChromaSampling::Cs400).then_some(ColorDescription {
        color_primaries: ColorPrimaries::BT709,
        transfer_characteristics: TransferCharacteristics::SRGB,
        matrix_coefficients: MatrixCoefficients::BT601,
    });
    let mut encoder = EncoderConfig {
        width,
        height,
        bit_depth: 10,
        chroma_sampling: sampling,
        pixel_range: PixelRange::Full,
        color_description,
        still_picture: true,
        time_base: Rational::new(1, 1),
        quantizer: usize::from(quantizer),
        min_quantizer: quantizer,
        bitrate: 0,
        // Activity masking (bits go where SSIMULACRA2, and the eye, see them): 3.5% fewer
        // bytes at equal SSIMULACRA2 than PSNR tuning, for 1.2x the time in V8.
        tune: Tune::Psychovisual,
        tiles: Tiling::for_picture(width, height, sampling, quantizer, allowance).target,
        speed_settings: speed_settings(),
        ..EncoderConfig::default()
    };
    adjust(&mut encoder);
    let failed = |what: &str| unencodable(&format!("the AV1 encoder {what}"));
    let mut context = Config::new()
        .with_encoder_config(encoder)
        .with_threads(1)
        .new_context::<u16>()
        .map_err(|error| failed(&format!("refused its settings: {error}")))?;
    let mut frame = context.new_frame();
    fill(&mut frame);
    context.send_frame(frame).map_err(|error| failed(&format!("refused the picture: {error}")))?;
    context.flush();
    let mut av1 = Vec::new();
    loop {
        match context.receive_packet() {
            Ok(mut packet) => av1.append(&mut packet.data),
            Err(EncoderStatus::Encoded) => {}
            Err(EncoderStatus::LimitReached) => return Ok(av1),
            Err(error) => return Err(failed(&format!("failed: {error}"))),
        }
    }
}

fn unencodable(reason: &str) -> TransformError {
    TransformError::new(ErrorKind::Unencodable, format!("the image cannot be encoded as AVIF: {reason}"))
}

/// Writes the image's full-range BT.601 YCbCr into the frame's planes. With `chroma_420` each
/// chroma sample is the chroma of the mean light of a 2x2 block (centred between them, as
/// JPEG's): the mean of the blocks' gamma-encoded chroma instead darkens colour next to dark
/// pixels and cost 2% more bytes at equal SSIMULACRA2 (benches/results/avif-settings.md).
fn fill_ycbcr(frame: &mut Frame<u16>, image: &Image, chroma_420: bool) {
    let [luma, cb, cr] = &mut frame.planes;
    let (mut luma, mut cb, mut cr) =
        (luma.mut_slice(Default::default()), cb.mut_slice(Default::default()), cr.mut_slice(Default::default()));
    let (mut cb_rows, mut cr_rows) = (cb.rows_iter_mut(), cr.rows_iter_mut());
    let rows = image.pixels.chunks_exact(image.width * image.layout.channels());
    let last = rows.len().saturating_sub(1);
    // 4:4:4: a row's own chroma; 4:2:0: the light summed over each block so far.
    let light = chroma_420.then(Light::new);
    let (mut chroma, mut sums) = match light {
        Some(_) => (Vec::new(), vec![[0.0f32; 3]; image.width.div_ceil(2)]),
        None => (vec![[0; 2]; image.width], Vec::new()),
    };
    for (y, (row, luma_out)) in rows.zip(luma.rows_iter_mut()).enumerate() {
        let Some(light) = &light else {
            convert_row(row, image.layout, luma_out, &mut chroma);
            let (Some(cb_out), Some(cr_out)) = (cb_rows.next(), cr_rows.next()) else { continue };
            for (&[cb, cr], (cb_out, cr_out)) in chroma.iter().zip(cb_out.iter_mut().zip(cr_out)) {
                (*cb_out, *cr_out) = (cb, cr);
            }
            continue;
        };
        luma_row(row, image.layout, luma_out);
        light.add_row(row, image.layout, &mut sums);
        // A 4:2:0 chroma row is written once its two image rows are in; an odd last row pairs
        // with itself.
        if y % 2 == 0 {
            if y != last {
                continue;
            }
            light.add_row(row, image.layout, &mut sums);
        }
        let (Some(cb_out), Some(cr_out)) = (cb_rows.next(), cr_rows.next()) else { continue };
        for (sum, (cb_out, cr_out)) in sums.iter_mut().zip(cb_out.iter_mut().zip(cr_out)) {
            [*cb_out, *cr_out] = chroma_of(sum.map(|total| light.encoded(total / 4.0)));
            *sum = [0.0; 3];
        }
    }
}

/// sRGB's transfer function both ways by table: the light (0–1) of each 8-bit value, and the
/// value (on the 0–255 scale, unrounded) of light in `LIGHT_STEPS` steps, linear between them.
struct Light {
    of_value: [f32; 256],
    values: Vec<f32>,
}

/// Fine enough that interpolation stays within 0.01 of a level (the curve is steepest at black,
/// 12.92 levels per 1/255 of light).
const LIGHT_STEPS: usize = 4096;

impl Light {
    fn new() -> Light {
        let mut of_value = [0.0; 256];
        for (value, light) in of_value.iter_mut().enumerate() {
            let v = value as f32 / 255.0;
            *light = if v <= 0.04045 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) };
        }
        let values = (0..=LIGHT_STEPS)
            .map(|step| {
                let light = step as f32 / LIGHT_STEPS as f32;
                let v = if light <= 0.003_130_8 { light * 12.92 } else { 1.055 * light.powf(1.0 / 2.4) - 0.055 };
                v * 255.0
            })
            .collect();
        Light { of_value, values }
    }

    fn of(&self, value: u8) -> f32 {
        self.of_value.get(usize::from(value)).copied().unwrap_or(0.0)
    }

    /// The 0–255 value of `light` (0–1).
    fn encoded(&self, light: f32) -> f32 {
        let position = light.clamp(0.0, 1.0) * LIGHT_STEPS as f32;
        let step = (position as usize).min(LIGHT_STEPS - 1);
        let (Some(&low), Some(&high)) = (self.values.get(step), self.values.get(step + 1)) else { return 0.0 };
        low + (high - low) * (position - step as f32)
    }

    /// Adds each pixel's light (R, G, B) into its 2x2 block's sum; an odd last column counts
    /// twice, pairing with itself.
    fn add_row(&self, row: &[u8], layout: PixelLayout, sums: &mut [[f32; 3]]) {
        let channels = layout.channels();
        for (pair, sum) in row.chunks(2 * channels).zip(sums) {
            let pixels = pair.chunks_exact(channels);
            for pixel in pixels.clone().cycle().take(2) {
                let rgb = match (layout, pixel) {
                    (PixelLayout::L8, &[v, ..]) => [v; 3],
                    (_, &[r, g, b, ..]) => [r, g, b],
                    _ => continue,
                };
                for (total, value) in sum.iter_mut().zip(rgb) {
                    *total += self.of(value);
                }
            }
        }
    }
}

/// One image row as 10-bit luma and full-resolution (Cb, Cr).
fn convert_row(row: &[u8], layout: PixelLayout, luma: &mut [u16], chroma: &mut [[u16; 2]]) {
    let put = |(([y, cb, cr], luma), chroma): (([u16; 3], &mut u16), &mut [u16; 2])| {
        *luma = y;
        *chroma = [cb, cr];
    };
    match layout {
        PixelLayout::Rgb8 => {
            row.as_chunks::<3>().0.iter().map(|&[r, g, b]| ycbcr(r, g, b)).zip(luma).zip(chroma).for_each(put);
        }
        PixelLayout::Rgba8 => {
            row.as_chunks::<4>().0.iter().map(|&[r, g, b, _]| ycbcr(r, g, b)).zip(luma).zip(chroma).for_each(put);
        }
        PixelLayout::L8 => row.iter().map(|&v| [ten_bits(v), 512, 512]).zip(luma).zip(chroma).for_each(put),
    }
}

/// One image row as 10-bit luma.
fn luma_row(row: &[u8], layout: PixelLayout, luma: &mut [u16]) {
    match layout {
        PixelLayout::Rgb8 => row.as_chunks::<3>().0.iter().zip(luma).for_each(|(&[r, g, b], y)| *y = ycbcr(r, g, b)[0]),
        PixelLayout::Rgba8 => {
            row.as_chunks::<4>().0.iter().zip(luma).for_each(|(&[r, g, b, _], y)| *y = ycbcr(r, g, b)[0]);
        }
        PixelLayout::L8 => row.iter().zip(luma).for_each(|(&v, y)| *y = ten_bits(v)),
    }
}

/// An 8-bit sample on the 10-bit scale (0 → 0, 255 → 1023).
fn ten_bits(value: u8) -> u16 {
    u16::from(value) << 2 | u16::from(value) >> 6
}

/// Full-range BT.601 YCbCr (the matrix the file declares), 10-bit, rounded to nearest.
fn ycbcr(r: u8, g: u8, b: u8) -> [u16; 3] {
    exact_ycbcr([r, g, b].map(f32::from)).map(round)
}

/// The 10-bit (Cb, Cr) of a colour on the 0–255 scale, rounded to nearest.
fn chroma_of(rgb: [f32; 3]) -> [u16; 2] {
    let [_, cb, cr] = exact_ycbcr(rgb).map(round);
    [cb, cr]
}

/// Unrounded full-range BT.601 YCbCr on the 10-bit scale of a colour on the 0–255 scale.
fn exact_ycbcr([r, g, b]: [f32; 3]) -> [f32; 3] {
    const SCALE: f32 = 1023.0 / 255.0;
    let (r, g, b) = (r * SCALE, g * SCALE, b * SCALE);
    let y = 0.299 * r + 0.587 * g + 0.114 * b;
    [y, (b - y) / 1.772 + 512.0, (r - y) / 1.402 + 512.0]
}

/// To the nearest 10-bit value. In range by construction (0..=1023 up to rounding); `as`
/// saturates anyway. Ties to even is wasm's own `f32.nearest`; `round` would be three software
/// calls a pixel.
fn round(value: f32) -> u16 {
    value.round_ties_even().min(1023.0) as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 5x3 image: odd in both directions, so the last chroma column and row average a sample
    /// with itself.
    fn odd_image() -> Image {
        let pixels = (0..5 * 3).flat_map(|i| [(i * 17) as u8, (255 - i * 11) as u8, (i * i) as u8]).collect();
        Image { pixels, width: 5, height: 3, layout: PixelLayout::Rgb8 }
    }

    #[test]
    fn chroma_420_is_the_chroma_of_each_2x2_blocks_mean_light() {
        let image = odd_image();
        let mut frame = Frame::new_with_padding(5, 3, ChromaSampling::Cs420, 0);
        fill_ycbcr(&mut frame, &image, true);
        // sRGB's transfer function in f64, from its definition.
        let light = |v: u8| {
            let v = f64::from(v) / 255.0;
            if v <= 0.04045 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        let encoded = |l: f64| 255.0 * if l <= 0.0031308 { l * 12.92 } else { 1.055 * l.powf(1.0 / 2.4) - 0.055 };
        for (cy, cx) in [(0, 0), (0, 1), (0, 2), (1, 0), (1, 2)] {
            let block = [
                (2 * cx, 2 * cy),
                ((2 * cx + 1).min(4), 2 * cy),
                (2 * cx, (2 * cy + 1).min(2)),
                ((2 * cx + 1).min(4), (2 * cy + 1).min(2)),
            ];
            let mean = [0, 1, 2].map(|c| {
                let total: f64 = block.iter().map(|&(x, y)| light(image.pixels[(y * 5 + x) * 3 + c])).sum();
                encoded(total / 4.0)
            });
            let [r, g, b] = mean.map(|v| v * 1023.0 / 255.0);
            let y = 0.299 * r + 0.587 * g + 0.114 * b;
            let expected = [(b - y) / 1.772 + 512.0, (r - y) / 1.402 + 512.0];
            for (plane, expected) in [1, 2].into_iter().zip(expected) {
                let got = f64::from(frame.planes[plane].p(cx, cy));
                assert!((got - expected).abs() <= 0.51, "plane {plane} at {cx},{cy}: {got} for {expected:.3}");
            }
        }
        for (x, y) in [(0, 0), (4, 0), (3, 2), (4, 2)] {
            let p = &image.pixels[(y * 5 + x) * 3..][..3];
            assert_eq!(frame.planes[0].p(x, y), ycbcr(p[0], p[1], p[2])[0]);
        }
    }

    #[test]
    fn grey_has_neutral_chroma_in_either_sampling() {
        let image = Image { pixels: (0..=255).collect(), width: 16, height: 16, layout: PixelLayout::L8 };
        for chroma_420 in [true, false] {
            let sampling = if chroma_420 { ChromaSampling::Cs420 } else { ChromaSampling::Cs444 };
            let mut frame = Frame::new_with_padding(16, 16, sampling, 0);
            fill_ycbcr(&mut frame, &image, chroma_420);
            let side = if chroma_420 { 8 } else { 16 };
            for (x, y) in (0..side).flat_map(|y| (0..side).map(move |x| (x, y))) {
                assert_eq!([frame.planes[1].p(x, y), frame.planes[2].p(x, y)], [512, 512], "at {x},{y}");
            }
        }
    }

    #[test]
    fn the_recording_envelope_is_linear_between_its_points_and_rounds_up() {
        assert_eq!(recording_bytes_per_sample(0), 150);
        assert_eq!(recording_bytes_per_sample(14), 113); // 112.5
        assert_eq!(recording_bytes_per_sample(28), 75);
        assert_eq!(recording_bytes_per_sample(255), 8);
        let envelope: Vec<u64> = (0..=255).map(recording_bytes_per_sample).collect();
        assert!(envelope.windows(2).all(|pair| pair[0] >= pair[1]), "finer quantizers record more");
    }

    #[test]
    fn tiles_split_as_rav1e_does() {
        // 1600x1000 is 25x16 superblocks: columns split first (13 and 12), then rows.
        assert_eq!(Tiling::new(1600, 1000, 1), Tiling { target: 1, count: 1, largest_pixels: 1_600_000 });
        assert_eq!(Tiling::new(1600, 1000, 2), Tiling { target: 2, count: 2, largest_pixels: 13 * 64 * 1000 });
        assert_eq!(Tiling::new(1600, 1000, 4), Tiling { target: 4, count: 4, largest_pixels: 13 * 64 * 512 });
        // 5 superblock rows split in four make three tiles (2, 2 and 1); the next split is the
        // last there is, and rav1e's search ends before making it.
        assert_eq!(Tiling::new(64, 320, 4), Tiling { target: 4, count: 3, largest_pixels: 64 * 128 });
        // A picture of one superblock is one tile whatever the target.
        assert_eq!(Tiling::new(60, 40, 8), Tiling { target: 8, count: 1, largest_pixels: 2400 });
    }

    #[test]
    fn tiles_split_only_pictures_whose_recording_would_pass_its_bound() {
        use crate::codec::quality;
        let tiling = |width, height, quality: u8| {
            let settings = quality::avif(quality);
            let sampling = settings.sampling();
            let tiling = Tiling::for_picture(width, height, sampling, settings.quantizer, u64::MAX);
            assert!(tiling.recording_bytes(width, height, sampling, settings.quantizer) <= MAX_TILE_RECORDING_BYTES);
            tiling.count
        };
        // The default quality at 800 px (the codec benchmark's) codes in one tile; the largest
        // AVIF at the default quality and lossless ones split.
        assert_eq!(tiling(800, 533, 85), 1);
        assert_eq!(tiling(1600, 1000, 85), 4);
        assert_eq!(tiling(400, 266, 100), 2);
        assert_eq!(tiling(1200, 900, 95), 16);
        // rav1e makes 49 tiles of 4x4 superblocks for 32.
        assert_eq!(tiling(1600, 1600, 100), 49);
    }

    #[test]
    fn a_tight_allowance_takes_more_tiles_or_else_the_least_memory() {
        use crate::codec::quality;
        let settings = quality::avif(85);
        let (sampling, quantizer) = (settings.sampling(), settings.quantizer);
        let bytes = |tiling: Tiling| tiling.picture_bytes(1600, 1000, sampling, quantizer);
        let roomy = Tiling::for_picture(1600, 1000, sampling, quantizer, u64::MAX);
        assert_eq!(roomy.count, 4);
        let tight = Tiling::for_picture(1600, 1000, sampling, quantizer, bytes(roomy) - 1);
        assert!(tight.count > roomy.count && bytes(tight) < bytes(roomy), "{tight:?}");
        let least = (2..7).map(|log2| bytes(Tiling::new(1600, 1000, 1 << log2))).min().unwrap();
        assert_eq!(bytes(Tiling::for_picture(1600, 1000, sampling, quantizer, 0)), least);
    }

    #[test]
    fn working_memory_grows_with_quality_and_never_shrinks_with_alpha() {
        use crate::codec::quality;
        let bytes = |quality, alpha| avif_working_bytes(1200, 800, quality::avif(quality), alpha, u64::MAX);
        for quality in [30, 85, 90, 95, 100] {
            assert!(bytes(quality, true) >= bytes(quality, false), "quality {quality}");
        }
        assert!(bytes(30, false) <= bytes(85, false) && bytes(85, false) < bytes(100, false));
    }

    #[test]
    fn chroma_444_is_each_pixels_own() {
        let image = odd_image();
        let mut frame = Frame::new_with_padding(5, 3, ChromaSampling::Cs444, 0);
        fill_ycbcr(&mut frame, &image, false);
        for (x, y) in [(0, 0), (4, 0), (1, 1), (4, 2)] {
            let p = &image.pixels[(y * 5 + x) * 3..][..3];
            let expected = ycbcr(p[0], p[1], p[2]);
            for (plane, expected) in frame.planes.iter().zip(expected) {
                assert_eq!(plane.p(x, y), expected);
            }
        }
    }
}
