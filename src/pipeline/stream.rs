//! The streaming route: a PNG stored row by row (not interlaced) or a sequential JPEG that is
//! resampled goes from the decoder to the resize in bands of rows, through the per-pixel steps the resize needs
//! (premultiplied alpha, or linear light), so the full-size image never exists. Rows outside the
//! region are decoded and dropped (a corrupt file is refused wherever its damage is). The first
//! pass for `trim=border` and `gravity=auto` on images too large to decode whole is PNG's only. What
//! `trim=border` and `gravity=auto` need from the pixels comes from an earlier pass over the
//! rows ([`scan_rows`]) when the image is too large to decode whole.
//!
//! Whether RGBA is opaque is only known once every row has gone by, so RGBA sources resize as
//! RGBA, and an output whose alpha came out 255 everywhere is written without it (which is
//! lossless). The pixels are those of the whole-image route bit for bit (the tests below), but
//! for subsampled JPEGs resized as YCbCr planes for lossy outputs ([`resize_planes`]).

use jpeg::PlaneSampling;
use kernels::{
    downsample_h2v2, downsample_v2, from_linear, is_opaque, premultiply, to_linear, ycbcr_fine_to_rgb, Backend, Filter,
    Image, ImageMut, ImageRef, OutputSample, PixelLayout, RowResizer, Sample, SourceRegion,
};

use super::render::{copy_crop, drop_alpha_in_place, whole_pixel_crop};
use crate::codec::{jpeg_chroma_halved, JpegRows, PngRows, Probe, Rows, YcbcrPlanes};
use crate::config::Limits;
use crate::content::{border_corner, BorderScan, EnergyGrid, FocusScan};
use crate::error::{ErrorKind, TransformError};
use crate::format::OutputFormat;
use crate::geometry::Size;
use crate::options::TrimBorder;

/// Decoded bytes per band: large enough that per-band work is amortised, small next to the
/// resize's own window.
const BAND_BYTES: usize = 128 * 1024;

/// The resized image, and whether its alpha is premultiplied (as the whole-image route leaves it).
pub(super) struct Resized {
    pub image: Image,
    pub premultiplied: bool,
}

/// How the streaming resize may work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Resampling {
    /// In linear light (`gamma-correct=true`).
    Linear,
    /// On sRGB values, exactly as a resize of the decoded image would.
    Exact,
    /// On sRGB values, or (a subsampled JPEG, where it saves work) on its YCbCr planes
    /// ([`resize_planes`]): for lossy outputs, whose encoders' own error dwarfs the difference
    /// (it adds about 1.5% to a q85 JPEG's).
    PlanesAllowed,
}

impl Resampling {
    /// For an output in `format` at `quality`: planes only for the lossy formats, below the
    /// top quality.
    pub(super) fn for_output(gamma_correct: bool, format: OutputFormat, quality: u8) -> Self {
        let lossy = matches!(format, OutputFormat::Jpeg | OutputFormat::Webp | OutputFormat::Avif) && quality < 100;
        match (gamma_correct, lossy) {
            (true, _) => Resampling::Linear,
            (false, true) => Resampling::PlanesAllowed,
            (false, false) => Resampling::Exact,
        }
    }
}

/// Resizes `region` of the rows to `size` as `resampling` says.
pub(super) fn resize_rows(
    rows: Rows<'_>,
    region: SourceRegion,
    size: Size,
    resampling: Resampling,
    backend: Backend,
) -> Result<Resized, TransformError> {
    let gamma_correct = resampling == Resampling::Linear;
    let (layout, source_width) = (rows.layout(), rows.width());
    let (width, height) = (size.width as usize, size.height as usize);
    let crop = whole_pixel_crop(region, size);
    let rows = match rows {
        Rows::Jpeg(jpeg) => match planar_route(&jpeg, region, size, resampling) {
            Some(planes) => {
                let image = resize_planes(jpeg, &planes, region, size, backend)?;
                return Ok(Resized { image, premultiplied: false });
            }
            None => Rows::Jpeg(jpeg),
        },
        rows => rows,
    };
    let mut bands = Bands::new(rows)?;
    let mut resized = if let Some((left, top)) = crop {
        bands.need_columns(left..left + width);
        let mut image = Image::new(width, height, layout)?;
        let mut copied = 0;
        while copied < height {
            let band = bands.next(top + copied)?;
            copied += copy_crop(band.as_image_ref(), left, &mut image, copied)?;
        }
        Resized { image, premultiplied: false }
    } else if gamma_correct {
        let mut resizer = lanczos3::<u16>(&bands.rows, region, size, backend)?;
        bands.need_columns(resizer.source_columns());
        let mut linear = Image::<u16>::new(source_width, bands.band_rows, layout)?;
        let mut out = Image::<u16>::new(width, height, layout)?;
        let mut out_view = out.view_mut();
        while !resizer.is_done() {
            let band = bands.next(resizer.next_row())?;
            let (stride, rows) = (band.stride, band.height);
            let linear = linear.pixels.get_mut(..rows * stride).ok_or_else(band_overflow)?;
            to_linear(
                band.as_image_ref(),
                ImageMut { pixels: linear, width: source_width, height: rows, stride, layout },
            )?;
            let linear_band = ImageRef { pixels: linear, width: source_width, height: rows, stride, layout };
            resizer.push(linear_band, &mut out_view)?;
        }
        resizer.finish()?;
        let mut image = Image::new(width, height, layout)?;
        from_linear(out.view(), image.view_mut())?;
        Resized { image, premultiplied: false }
    } else {
        let mut resizer = lanczos3::<u8>(&bands.rows, region, size, backend)?;
        bands.need_columns(resizer.source_columns());
        let mut out = Image::new(width, height, layout)?;
        let mut out_view = out.view_mut();
        let has_alpha = layout == PixelLayout::Rgba8;
        while !resizer.is_done() {
            let mut band = bands.next(resizer.next_row())?;
            if has_alpha {
                premultiply(band.reborrow(), backend)?;
            }
            resizer.push(band.as_image_ref(), &mut out_view)?;
        }
        resizer.finish()?;
        Resized { image: out, premultiplied: has_alpha }
    };
    bands.rows.finish()?;
    if layout == PixelLayout::Rgba8 && is_opaque(resized.image.view(), backend)? {
        drop_alpha_in_place(&mut resized.image, backend)?;
        resized.premultiplied = false;
    }
    Ok(resized)
}

/// The planes `jpeg` is resized as ([`resize_planes`]), where `resampling` allows it, the
/// region is resampled rather than copied ([`whole_pixel_crop`]) and planes pay ([`planes_pay`]).
fn planar_route(
    jpeg: &JpegRows<'_>,
    region: SourceRegion,
    size: Size,
    resampling: Resampling,
) -> Option<[PlaneSampling; 3]> {
    if resampling != Resampling::PlanesAllowed || whole_pixel_crop(region, size).is_some() {
        return None;
    }
    jpeg.ycbcr_planes().filter(|planes| planes_pay(planes, region, size))
}

/// Whether resizing the planes one at a time ([`resize_planes`]) does less work than resizing
/// RGB rows: when the image shrinks to the output and either chroma is stored at half size (and
/// upsampled by the triangle filter, which the planes' weights reproduce), so the upsampling and
/// the source-sized colour conversion it saves were work thrown away, or the source has at least
/// [`FULL_CHROMA_PLANES_RATIO`] times the output's pixels, so the conversion it saves is large.
/// (An enlargement would convert more pixels than the source has.) Chroma may still grow: the
/// 4:2:0 photo 1411 px square → 800 px took 0.89x the time as planes, the 2560x1600 4:2:0 one →
/// 1600 px 0.90x.
fn planes_pay(planes: &[PlaneSampling], region: SourceRegion, size: Size) -> bool {
    let subsampled = planes.iter().any(|plane| plane.upsampling != (1, 1));
    let halved_by_the_triangle = planes.iter().all(|plane| {
        let (across, down) = plane.upsampling;
        matches!(across, 1 | 2) && matches!(down, 1 | 2) && (plane.fancy || (across, down) == (1, 1))
    });
    let shrinks = region.width >= f64::from(size.width) && region.height >= f64::from(size.height);
    let pixels_per_output = region.width * region.height / (f64::from(size.width) * f64::from(size.height));
    (subsampled || pixels_per_output >= FULL_CHROMA_PLANES_RATIO) && halved_by_the_triangle && shrinks
}

/// Source pixels per output pixel from which a JPEG with full-size chroma (4:4:4) is resized as
/// planes: three one-channel resizes cost a little more than one of RGB, and the conversion
/// they save must pay for that. 2560x1600 4:4:4 photos took 0.94-0.96x the time as planes →
/// 800 and 1000 px (10 and 6.4 source pixels an output one), the same → 1280 px (4) and
/// 1.04-1.11x → 1600 px (2.6).
const FULL_CHROMA_PLANES_RATIO: f64 = 6.0;

/// A YCbCr JPEG resized one plane at a time, each from its own size, then converted to RGB:
/// chroma stored at half size is resized from there, with weights that fold in the triangle
/// upsampling the RGB route would have done, and the colour conversion runs on the output's
/// pixels instead of the source's. The conversion is linear, so this is the RGB route's resize
/// but for rounding (the upsampled chroma and the RGB pixels are never rounded to bytes here;
/// the planes come out of the resize with 4 fractional bits, [`kernels::FINE_BITS`], and the
/// pixels are rounded once), and for clamping to 0–255 coming after the resize rather than
/// before.
fn resize_planes(
    rows: JpegRows<'_>,
    planes: &[PlaneSampling; 3],
    region: SourceRegion,
    size: Size,
    backend: Backend,
) -> Result<Image, TransformError> {
    let (width, height) = (size.width as usize, size.height as usize);
    let output = PlaneOutput { size: (width, height), region, halve_rows: false, halve_columns: false };
    let [y, cb, cr] = resize_each_plane::<i16>(rows, planes, [output; 3], backend)?;
    let mut image = Image::new(width, height, PixelLayout::Rgb8)?;
    let planes = y.pixels.chunks_exact(width).zip(cb.pixels.chunks_exact(width)).zip(cr.pixels.chunks_exact(width));
    for (rgb, ((y, cb), cr)) in image.pixels.chunks_exact_mut(width * 3).zip(planes) {
        ycbcr_fine_to_rgb(y, cb, cr, rgb, backend)?;
    }
    Ok(image)
}

/// Whether [`resize_to_jpeg_planes`] takes `jpeg`'s planes to the encoder at `quality` (the
/// planar route applies), asked before the rows are read, for the memory budget.
pub(super) fn jpeg_planes_apply(jpeg: &JpegRows<'_>, region: SourceRegion, size: Size, quality: u8) -> bool {
    planar_route(jpeg, region, size, Resampling::for_output(false, OutputFormat::Jpeg, quality)).is_some()
}

/// For JPEG output with nothing to do between the resize and the encoder: the YCbCr planes of
/// a JPEG that takes the planar route ([`planar_route`]), resized straight to the encoder's
/// sampling ([`crate::codec::jpeg_chroma_halved`] at `quality`), with no conversion to RGB and
/// back; `Err(rows)` (untouched) where the route does not apply. Chroma halved is resized
/// from the plane to half the output size, each sample centred on the 2 x 2 pixels it stands
/// for: where a side is odd, the last pair's second pixel does not exist, and its region
/// reaches one output pixel past the image's edge (the filter reads the edge there, as
/// libjpeg repeats the edge pixel).
pub(super) fn resize_to_jpeg_planes<'a>(
    rows: Rows<'a>,
    region: SourceRegion,
    size: Size,
    quality: u8,
    backend: Backend,
) -> Result<Result<YcbcrPlanes, Rows<'a>>, TransformError> {
    let Rows::Jpeg(jpeg) = rows else { return Ok(Err(rows)) };
    let resampling = Resampling::for_output(false, OutputFormat::Jpeg, quality);
    let Some(planes) = planar_route(&jpeg, region, size, resampling) else { return Ok(Err(Rows::Jpeg(jpeg))) };
    let (width, height) = (size.width as usize, size.height as usize);
    let (chroma, chroma_region) = if jpeg_chroma_halved(quality) {
        let (across, down) = (width.div_ceil(2), height.div_ceil(2));
        let region_width = region.width * (2 * across) as f64 / width as f64;
        let region_height = region.height * (2 * down) as f64 / height as f64;
        ((across, down), SourceRegion { width: region_width, height: region_height, ..region })
    } else {
        ((width, height), region)
    };
    // Chroma whose region shrinks 4x or more down has its rows halved first, and its columns too
    // where it also shrinks 4x or more across (only planes stored at full size are halved, whose
    // samples are the decoded image's, so the region's reduction is theirs).
    let chroma_output = PlaneOutput {
        size: chroma,
        region: chroma_region,
        halve_rows: chroma_region.height >= 4.0 * chroma.1 as f64,
        halve_columns: chroma_region.width >= 4.0 * chroma.0 as f64,
    };
    let luma = PlaneOutput { size: (width, height), region, halve_rows: false, halve_columns: false };
    let outputs = [luma, chroma_output, chroma_output];
    let [y, cb, cr] = resize_each_plane::<u8>(jpeg, &planes, outputs, backend)?;
    Ok(Ok(YcbcrPlanes { size, y: y.pixels, cb: cb.pixels, cr: cr.pixels }))
}

/// How [`resize_each_plane`] resizes a plane: to `size` from `region` (in the decoded image's
/// coordinates), and whether its rows are first halved, for a plane stored at full height that
/// shrinks 4x or more down, and with them its columns where it also shrinks 4x or more across:
/// the box halves what the resize reads, and the resize still reduces at least twice. The
/// decoder halves the plane where it can (a reduced IDCT, [`JpegRows::halve_plane`]); else pairs
/// of rows are averaged as they come ([`kernels::downsample_v2`], [`kernels::downsample_h2v2`]).
#[derive(Clone, Copy)]
struct PlaneOutput {
    size: (usize, usize),
    region: SourceRegion,
    halve_rows: bool,
    halve_columns: bool,
}

/// Each of a JPEG's three planes resized as `outputs` says, as the rows come.
fn resize_each_plane<O: OutputSample>(
    mut rows: JpegRows<'_>,
    planes: &[PlaneSampling; 3],
    outputs: [PlaneOutput; 3],
    backend: Backend,
) -> Result<[Image<O>; 3], TransformError> {
    let decoded = (rows.width(), rows.height());
    let mut first_mcu_row = usize::MAX;
    let mut resizers = Vec::with_capacity(3);
    // Only planes stored at full height, in bands of whole pairs of rows, have their rows halved;
    // their columns only with them, where the plane is stored at full width.
    let halved_rows = |plane: &PlaneSampling, output: &PlaneOutput| {
        output.halve_rows && plane.upsampling.1 == 1 && plane.height == decoded.1 && plane.mcu_rows.is_multiple_of(2)
    };
    let halved_columns = |plane: &PlaneSampling, output: &PlaneOutput| {
        halved_rows(plane, output) && output.halve_columns && plane.upsampling.0 == 1 && plane.width == decoded.0
    };
    for ((component, plane), output) in planes.iter().enumerate().zip(&outputs) {
        // A plane at half size along an axis is weighted as the RGB route's upsampled plane.
        let halved = (plane.upsampling.0 == 2, plane.upsampling.1 == 2);
        let how = (Filter::Lanczos3, halved);
        let (mut source, mut extent, mut region) = ((plane.width, plane.height), decoded, output.region);
        let (mut row_pairs, mut column_pairs) = (halved_rows(plane, output), halved_columns(plane, output));
        if row_pairs {
            // Row j of the halved plane is the mean of rows 2j and 2j + 1, centred between them.
            (source.1, extent.1) = (plane.height.div_ceil(2), decoded.1.div_ceil(2));
            region = SourceRegion { top: region.top / 2.0, height: region.height / 2.0, ..region };
        }
        if column_pairs {
            (source.0, extent.0) = (plane.width.div_ceil(2), decoded.0.div_ceil(2));
            region = SourceRegion { left: region.left / 2.0, width: region.width / 2.0, ..region };
        }
        // The decoder halves the plane itself where it can: the same means, computed in the DCT
        // domain by a reduced IDCT, for less of the IDCT's work (and none of the averaging's).
        let mut mcu_rows = plane.mcu_rows;
        if row_pairs {
            if let Some(halved) = rows.halve_plane(component, column_pairs) {
                (source, mcu_rows) = ((halved.width, halved.height), halved.mcu_rows);
                (row_pairs, column_pairs) = (false, false);
            }
        }
        let resizer: RowResizer<u8, O> =
            RowResizer::for_halved_plane((source, extent), PixelLayout::L8, region, output.size, how, backend)?;
        let columns = resizer.source_columns();
        let columns = if column_pairs { 2 * columns.start..(2 * columns.end).min(plane.width) } else { columns };
        rows.need_plane_columns(component, columns);
        let first_row = resizer.source_rows().start * if row_pairs { 2 } else { 1 };
        first_mcu_row = first_mcu_row.min(first_row / mcu_rows.max(1));
        resizers.push((resizer, (row_pairs, column_pairs), plane.height));
    }
    let plane = |output: &PlaneOutput| Image::<O>::new(output.size.0, output.size.1, PixelLayout::L8);
    let [y_output, cb_output, cr_output] = &outputs;
    let mut resized = [plane(y_output)?, plane(cb_output)?, plane(cr_output)?];
    let [y_plane, cb_plane, cr_plane] = &mut resized;
    let mut outputs = [y_plane.view_mut(), cb_plane.view_mut(), cr_plane.view_mut()];
    let mut halved_band = Vec::new();
    rows.skip_mcu_rows(first_mcu_row);
    while let Some(bands) = rows.next_planes()? {
        for ((resizer, (row_pairs, column_pairs), plane_height), (out, band)) in
            resizers.iter_mut().zip(outputs.iter_mut().zip(&bands))
        {
            let next = resizer.next_row();
            let mut end = band.first_row + band.rows;
            if *row_pairs {
                // The band's pairs of rows; the last row of an odd-height plane pairs with itself.
                end = if end >= *plane_height { end.div_ceil(2) } else { end / 2 };
            }
            if resizer.is_done() || next >= end {
                continue;
            }
            let (height, width) = (end - next, band.width);
            let image = if *row_pairs {
                let halved_width = if *column_pairs { width.div_ceil(2) } else { width };
                halved_band.resize(height * halved_width, 0);
                for (j, target) in (next..end).zip(halved_band.chunks_exact_mut(halved_width)) {
                    let row = |y: usize| {
                        let at = y.min(*plane_height - 1).checked_sub(band.first_row).ok_or_else(band_overflow)?;
                        band.samples.get(at * band.stride..at * band.stride + width).ok_or_else(band_overflow)
                    };
                    let (top, bottom) = (row(2 * j)?, row(2 * j + 1)?);
                    if *column_pairs {
                        downsample_h2v2(top, bottom, target, backend)?;
                    } else {
                        downsample_v2(top, bottom, target, backend)?;
                    }
                }
                let (pixels, width) = (&halved_band[..], halved_width);
                ImageRef { pixels, width, height, stride: width, layout: PixelLayout::L8 }
            } else {
                // Rows come in order from the first MCU row any plane needs, so none is missed.
                let skipped = next.checked_sub(band.first_row).ok_or_else(band_overflow)?;
                let pixels = band.samples.get(skipped * band.stride..).ok_or_else(band_overflow)?;
                ImageRef { pixels, width, height, stride: band.stride, layout: PixelLayout::L8 }
            };
            resizer.push(image, out)?;
        }
        if resizers.iter().all(|(resizer, _, _)| resizer.is_done()) {
            break;
        }
    }
    rows.finish()?;
    for (resizer, _, _) in resizers {
        resizer.finish()?;
    }
    Ok(resized)
}

/// What the stored image's pixels say about the plan: the box `trim=border` keeps (`None` when
/// it was not asked for or everything is border) and the edge energy for `gravity=auto`.
pub(super) struct Scanned {
    pub content: Option<SourceRegion>,
    pub energy: Option<EnergyGrid>,
}

/// One pass over the PNG's rows, a band at a time, for the `trim` box and (if `focus`) the edge
/// energy. The border colour's pixel is read first, by decoding down to its row (the first row
/// in most orientations, the last in those that turn the image upside down).
pub(super) fn scan_rows(
    source: &[u8],
    probe: &Probe,
    limits: &Limits,
    trim: Option<TrimBorder>,
    focus: bool,
    backend: Backend,
) -> Result<Scanned, TransformError> {
    let rows = PngRows::new(source, probe, limits)?;
    let (width, height, layout) = (rows.width(), rows.height(), rows.layout());
    let corner = trim.and_then(|settings| border_corner(settings, probe.orientation(), width, height));
    let corner_pixel = match corner {
        Some((x, y)) => {
            let channels = layout.channels();
            let mut corner_rows = PngRows::new(source, probe, limits)?;
            corner_rows.skip_rows(y)?;
            let mut row = vec![0; width * channels];
            corner_rows.read_rows(&mut row)?;
            Some(row.get(x * channels..(x + 1) * channels).unwrap_or_default().to_vec())
        }
        None => None,
    };
    let mut border = trim
        .map(|settings| BorderScan::new(width, height, layout, settings, corner_pixel.as_deref(), backend))
        .transpose()?;
    let mut energy = if focus { Some(FocusScan::new(width, height, layout, backend)?) } else { None };
    let mut bands = Bands::new(Rows::Png(rows))?;
    while bands.decoded < height {
        let first = bands.decoded;
        let band = bands.next(first)?;
        let band = band.as_image_ref();
        if let Some(border) = border.as_mut() {
            border.push(band)?;
        }
        if let Some(energy) = energy.as_mut() {
            energy.push(band)?;
        }
    }
    bands.rows.finish()?;
    let energy = energy.map(FocusScan::finish).transpose()?;
    Ok(Scanned { content: border.and_then(BorderScan::finish), energy })
}

/// The Lanczos3 resize of `region` of the rows to `size`, in samples `S`.
fn lanczos3<S: Sample>(
    rows: &Rows<'_>,
    region: SourceRegion,
    size: Size,
    backend: Backend,
) -> Result<RowResizer<S>, TransformError> {
    let (width, height) = (size.width as usize, size.height as usize);
    let filter = Filter::Lanczos3;
    Ok(RowResizer::new(rows.width(), rows.height(), rows.layout(), region, width, height, filter, backend)?)
}

/// The rows in bands, decoded into one reused buffer.
struct Bands<'a> {
    rows: Rows<'a>,
    buffer: Vec<u8>,
    band_rows: usize,
    /// Rows decoded so far.
    decoded: usize,
}

impl<'a> Bands<'a> {
    fn new(rows: Rows<'a>) -> Result<Self, TransformError> {
        let row_len = rows.width() * rows.layout().channels();
        let band_rows = (BAND_BYTES / row_len.max(1)).clamp(1, rows.height());
        let buffer = Image::<u8>::new(rows.width(), band_rows, rows.layout())?.pixels;
        Ok(Bands { rows, buffer, band_rows, decoded: 0 })
    }

    /// Tells a JPEG decoder which columns the resize reads (a crop's): it skips the IDCT of the
    /// blocks outside them.
    fn need_columns(&mut self, columns: core::ops::Range<usize>) {
        if let Rows::Jpeg(jpeg) = &mut self.rows {
            jpeg.need_columns(columns);
        }
    }

    /// The band that starts at source row `first` (rows before it are decoded and dropped).
    fn next(&mut self, first: usize) -> Result<ImageMut<'_>, TransformError> {
        self.rows.skip_rows(first.saturating_sub(self.decoded))?;
        let count = self.band_rows.min(self.rows.height().saturating_sub(first));
        if count == 0 {
            return Err(band_overflow());
        }
        let row_len = self.rows.width() * self.rows.layout().channels();
        let pixels = self.buffer.get_mut(..count * row_len).ok_or_else(band_overflow)?;
        self.rows.read_rows(pixels)?;
        self.decoded = first + count;
        Ok(ImageMut { pixels, width: self.rows.width(), height: count, stride: row_len, layout: self.rows.layout() })
    }
}

/// A band that does not fit where it goes: our bug, never the image's.
fn band_overflow() -> TransformError {
    TransformError::new(ErrorKind::Internal, "a band of rows does not fit the streaming buffers")
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use kernels::is_opaque;

    use super::*;
    use crate::codec;
    use crate::codec::JpegRows;
    use crate::codec::Storage;
    use crate::config::Limits;
    use crate::format::{OutputFormat, SourceFormat};
    use crate::options::Trim;
    use crate::options::{FormatRequest, Gravity, TransformOptions};
    use crate::pipeline::render::{resamples, with_layout, Steps};
    use crate::pipeline::shrink::{jpeg_shrink, region_in};
    use crate::pipeline::{place, place_from_rows, Request};

    /// Crops, fits, orientations, linear light, underlays, pads and upscales.
    const OPTIONS: [&str; 15] = [
        "width=37",
        // Whole-pixel crops, copied rather than resampled (also in linear light).
        "trim=3;5;7;2",
        "trim=3;5;7;2,gamma-correct=true",
        "width=5000,height=40,fit=crop,gravity=0x0,format=jpeg",
        "width=200,height=100,fit=cover",
        "width=45,gamma-correct=true",
        "width=64,height=64,fit=pad,background=red",
        "rotate=90,width=40",
        "flip=hv,width=33,height=60,fit=crop,gravity=0.2x0.8",
        "trim=3;5;7;2,width=20",
        "width=300,fit=contain",
        "dpr=2,width=30,format=jpeg",
        "width=50,height=50,fit=cover,gamma-correct=true,background=%2300ff0080",
        "height=13,fit=scale-down,blur=2",
        "width=71,height=29,fit=squeeze,format=jpeg,gamma-correct=true",
    ];

    /// The rendered output of both routes, as RGBA (the streaming route drops alpha only from
    /// outputs that came out opaque, the whole route from opaque sources).
    fn both_routes(png: &[u8], options: &str) -> Option<(Image, Image)> {
        let limits = Limits::default();
        let options = TransformOptions::from_path_segment(options, &limits).unwrap();
        let probe = codec::probe(png, &limits).unwrap();
        let rows = PngRows::new(png, &probe, &limits).unwrap();
        // Options the image is too small for (a trim larger than it) have nothing to compare.
        let request = Request { source: png, probe: &probe, options: &options, accept: None, limits: &limits };
        let (placement, decoded) = place(&request, Backend::Scalar).ok()?;
        if rows.is_interlaced() || !resamples(placement.region, placement.resized, probe.size) {
            return None;
        }
        assert!(decoded.is_none());
        let format = match options.format {
            FormatRequest::Exactly(format) => format,
            _ => OutputFormat::Png,
        };
        let backend = Backend::Scalar;
        let steps =
            Steps { placement: &placement, stored: probe.size, options: &options, format, limits: &limits, backend };
        let resampling = Resampling::for_output(options.gamma_correct, format, options.quality);
        let mut whole = match codec::decode(png, &probe, &limits, 1, Backend::best()) {
            Ok(image) => image,
            Err(error) => {
                // Corrupt files are refused the same way by both routes.
                let region = placement.region;
                let streamed = resize_rows(Rows::Png(rows), region, placement.resized, resampling, backend);
                assert_eq!(streamed.err().map(|error| error.message), Some(error.message));
                return None;
            }
        };
        if whole.layout == PixelLayout::Rgba8 && is_opaque(whole.view(), backend).unwrap() {
            drop_alpha_in_place(&mut whole, backend).unwrap();
        }
        let whole = steps.render(whole).unwrap();
        let resized = resize_rows(Rows::Png(rows), placement.region, placement.resized, resampling, backend).unwrap();
        let streamed = steps.after_resize(resized.image, resized.premultiplied).unwrap();
        let rgba = |image| with_layout(image, PixelLayout::Rgba8, backend).unwrap();
        Some((rgba(whole), rgba(streamed)))
    }

    /// Both routes for a resampled JPEG (whose rows stream, or are read from its decoded planes),
    /// shrunk on load alike, and whether the rows' route resized YCbCr planes.
    fn both_jpeg_routes(jpeg: &[u8], options: &str) -> Option<(Image, Image, bool)> {
        let limits = Limits::default();
        let options = TransformOptions::from_path_segment(options, &limits).unwrap();
        let probe = codec::probe(jpeg, &limits).ok()?;
        let request = Request { source: jpeg, probe: &probe, options: &options, accept: None, limits: &limits };
        let (placement, decoded) = place(&request, Backend::Scalar).ok()?;
        let streams = probe.format == SourceFormat::Jpeg && resamples(placement.region, placement.resized, probe.size);
        if decoded.is_some() || !streams {
            return None;
        }
        let format = match options.format {
            FormatRequest::Exactly(format) => format,
            _ => OutputFormat::Png,
        };
        let backend = Backend::Scalar;
        let steps =
            Steps { placement: &placement, stored: probe.size, options: &options, format, limits: &limits, backend };
        let shrink = jpeg_shrink(&placement.plan);
        let mut planar = false;
        let streamed = JpegRows::new(jpeg, &probe, &limits, shrink, backend).and_then(|rows| {
            let decoded = Size { width: rows.width() as u32, height: rows.height() as u32 };
            let region = region_in(placement.region, probe.size, decoded);
            let resampling = Resampling::for_output(options.gamma_correct, format, options.quality);
            planar = planar_route(&rows, region, placement.resized, resampling).is_some();
            resize_rows(Rows::Jpeg(rows), region, placement.resized, resampling, backend)
        });
        let whole = match codec::decode(jpeg, &probe, &limits, shrink, backend) {
            Ok(image) => steps.render(image).unwrap(),
            Err(error) => {
                // Corrupt files are refused by both routes.
                assert!(streamed.is_err(), "the whole decode refused it ({}), the rows did not", error.message);
                return None;
            }
        };
        let resized = streamed.unwrap();
        let streamed = steps.after_resize(resized.image, resized.premultiplied).unwrap();
        Some((whole, streamed, planar))
    }

    /// Resizes that take YCbCr planes (a subsampled JPEG shrunk less than 4x, to a lossy format):
    /// e.g. the 4:2:0 fixture, 1411 px square, its chroma shrunk or grown; and ones that do not,
    /// to PNG and enlarged.
    const PLANAR_OPTIONS: [&str; 6] = [
        "width=400,format=jpeg",
        "width=600,height=300,fit=cover,gravity=0.3x0.7,format=webp",
        "width=500,height=500,fit=pad,background=blue,format=avif",
        "width=1000,format=jpeg",
        "width=400",
        "width=1500,format=jpeg",
    ];
    /// How far the planar route may be from the RGB rows' (rounded once rather than twice, and
    /// clamped to 0–255 after the resize rather than before): the fixture and the corpus's
    /// JPEGs measured 0.08–0.30 levels on average (the most on a 510x532 4:2:0 flower with a
    /// scan per component, whose rows are read from its decoded planes), and 11 at most
    /// (saturated colours, where the RGB route clipped each pixel before averaging).
    const PLANAR_MEAN: f64 = 0.35;
    const PLANAR_MAX: u32 = 12;

    fn files_in(folder: &Path, extension: &str) -> Vec<(String, Vec<u8>)> {
        let Ok(entries) = std::fs::read_dir(folder) else { return Vec::new() };
        let mut files: Vec<_> = entries
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .filter(|path| path.extension().is_some_and(|ext| ext == extension))
            .collect();
        files.sort();
        files.into_iter().map(|path| (path.display().to_string(), std::fs::read(&path).unwrap())).collect()
    }

    /// Both routes for `jpeg` with `options`: `Some(true)` where the streamed one resized planes,
    /// within [`PLANAR_MEAN`] and [`PLANAR_MAX`] of the RGB rows', `Some(false)` where it read
    /// the same pixels, `None` where there is nothing to compare.
    fn compare_jpeg_routes(name: &str, jpeg: &[u8], options: &str) -> Option<bool> {
        let (whole, streamed, planar) = both_jpeg_routes(jpeg, options)?;
        if !planar {
            assert!(whole == streamed, "{name} with {options}: the streamed pixels differ from the whole image's");
            return Some(false);
        }
        assert_eq!((whole.width, whole.height, whole.layout), (streamed.width, streamed.height, streamed.layout));
        let differences: Vec<u32> =
            whole.pixels.iter().zip(&streamed.pixels).map(|(&a, &b)| u32::from(a.abs_diff(b))).collect();
        let mean = f64::from(differences.iter().sum::<u32>()) / differences.len() as f64;
        let max = differences.iter().max().copied().unwrap_or(0);
        println!("{name} with {options}: planes against RGB rows: mean {mean:.3}, max {max}");
        assert!(mean <= PLANAR_MEAN && max <= PLANAR_MAX, "{name} with {options}: mean {mean:.3}, max {max}");
        Some(true)
    }

    #[test]
    fn streamed_jpeg_rows_give_the_whole_images_pixels() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = files_in(&root.join("fixtures"), "jpg");
        // The corpus's JPEGs when present: sampling factors, restart intervals, CMYK, profiles.
        files.extend(files_in(&root.join("../shared/corpus/jpeg"), "jpg"));
        let (mut compared, mut planar_compared) = (0, 0);
        for (name, jpeg) in &files {
            for options in OPTIONS.iter().chain(&PLANAR_OPTIONS) {
                match compare_jpeg_routes(name, jpeg, options) {
                    Some(true) => planar_compared += 1,
                    Some(false) => compared += 1,
                    None => {}
                }
            }
        }
        assert!(compared >= 15, "only {compared} comparisons");
        assert!(planar_compared >= 2, "only {planar_compared} comparisons of the planar route");
    }

    /// PSNR of `a` against `b`, in dB.
    fn psnr(a: &[u8], b: &[u8]) -> f64 {
        let squared: f64 = a.iter().zip(b).map(|(&x, &y)| (f64::from(x) - f64::from(y)).powi(2)).sum();
        10.0 * (255.0f64.powi(2) / (squared / a.len() as f64)).log10()
    }

    #[test]
    fn jpeg_planes_go_to_the_encoder_no_worse_than_through_rgb() {
        // The 4:2:0 fixture, 1411 px square: even and odd sizes, 4:2:0 and 4:4:4 qualities; and
        // chelsea.png, 451x300, as a 4:4:4 JPEG (ours at quality 95), whose chroma shrinks more
        // than 4x down (its rows halved first).
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let limits = Limits::default();
        let decode =
            |file: &[u8]| codec::decode(file, &codec::probe(file, &limits).unwrap(), &limits, 1, Backend::Scalar);
        let retina = std::fs::read(root.join("retina.jpg")).unwrap();
        let chelsea = decode(&std::fs::read(root.join("chelsea.png")).unwrap()).unwrap();
        let settings = codec::EncodeSettings { quality: 95, exif: None, avif_allowance: 0 };
        let chelsea = codec::encode(&chelsea, OutputFormat::Jpeg, &settings).unwrap();
        let cases = [
            ("retina.jpg", &retina, "width=400,format=jpeg"),
            ("retina.jpg", &retina, "width=401,height=333,fit=squeeze,format=jpeg"),
            ("retina.jpg", &retina, "width=500,quality=95,format=jpeg"),
            ("chelsea 4:4:4", &chelsea, "width=150,format=jpeg"),
            ("chelsea 4:4:4", &chelsea, "width=151,height=99,fit=squeeze,format=jpeg"),
        ];
        for (name, jpeg, options) in cases {
            let (whole, through_rgb, planar) = both_jpeg_routes(jpeg, options).unwrap();
            assert!(planar, "{name} {options}: takes the planar route");
            let parsed = TransformOptions::from_path_segment(options, &limits).unwrap();
            let settings = codec::EncodeSettings { quality: parsed.quality, exif: None, avif_allowance: 0 };
            let through_rgb = decode(&codec::encode(&through_rgb, OutputFormat::Jpeg, &settings).unwrap()).unwrap();
            let out = crate::pipeline::transform(jpeg, &parsed, None, &limits, Backend::Scalar).unwrap();
            let direct = decode(&out.bytes).unwrap();
            assert_eq!((direct.width, direct.height), (whole.width, whole.height));
            let (direct_psnr, rgb_psnr) =
                (psnr(&direct.pixels, &whole.pixels), psnr(&through_rgb.pixels, &whole.pixels));
            println!("{name} {options}: planes to the encoder {direct_psnr:.2} dB, through RGB {rgb_psnr:.2} dB");
            assert!(direct.pixels != through_rgb.pixels, "{name} {options}: the planes went to the encoder");
            assert!(direct_psnr > rgb_psnr - 0.2, "{name} {options}: {direct_psnr:.2} dB against {rgb_psnr:.2}");
        }
    }

    #[test]
    fn a_jpeg_with_full_size_chroma_is_resized_as_planes_only_when_much_smaller() {
        // chelsea.png, 451x300, as a 4:4:4 JPEG (the image crate's encoder: ours halves chroma
        // below quality 90).
        let png = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/chelsea.png")).unwrap();
        let mut jpeg = Vec::new();
        image::load_from_memory(&png)
            .unwrap()
            .to_rgb8()
            .write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90))
            .unwrap();
        let name = "chelsea.png as a 4:4:4 JPEG";
        // 9 and 6.3 source pixels an output one, then 4.
        let cases =
            [("width=150,format=jpeg", true), ("width=180,format=webp", true), ("width=225,format=jpeg", false)];
        for (options, planar) in cases {
            assert_eq!(compare_jpeg_routes(name, &jpeg, options), Some(planar), "{options}");
        }
    }

    fn assert_routes_agree(name: &str, png: &[u8]) -> usize {
        let mut compared = 0;
        for options in OPTIONS {
            if let Some((whole, streamed)) = both_routes(png, options) {
                assert!(whole == streamed, "{name} with {options}: the streamed pixels differ from the whole image's");
                compared += 1;
            }
        }
        compared
    }

    fn pngs_in(folder: &Path) -> Vec<(String, Vec<u8>)> {
        files_in(folder, "png")
    }

    #[test]
    fn streamed_rows_give_the_whole_images_pixels_on_pngsuite_and_photos() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = pngs_in(&root.join("fixtures/pngsuite"));
        files.extend(pngs_in(&root.join("fixtures")));
        // The corpus's photos when present (the test stands without them).
        files.extend(pngs_in(&root.join("../shared/corpus/photos")));
        let valid = files.into_iter().filter(|(_, png)| codec::probe(png, &Limits::default()).is_ok());
        let compared: usize = valid.map(|(name, png)| assert_routes_agree(&name, &png)).sum();
        assert!(compared > 500, "only {compared} comparisons");
    }

    #[test]
    fn streamed_rows_give_the_whole_images_pixels_for_16_bit_and_grey_alpha() {
        let (width, height) = (173, 211);
        let pixel = |x: u32, y: u32| {
            let v = |k: u32| ((x * 379 + y * 113 + k * 9001) % 65536) as u16;
            [v(0), v(1), v(2), if (x / 20 + y / 30).is_multiple_of(3) { 0 } else { v(3) }]
        };
        let rgba16 = image::ImageBuffer::<image::Rgba<u16>, _>::from_fn(width, height, |x, y| image::Rgba(pixel(x, y)));
        let grey_alpha = image::GrayAlphaImage::from_fn(width, height, |x, y| {
            let [v, _, _, a] = pixel(x, y);
            image::LumaA([(v >> 8) as u8, (a >> 8) as u8])
        });
        for (name, image) in [("RGBA16", image::DynamicImage::from(rgba16)), ("LA8", grey_alpha.into())] {
            let mut png = Vec::new();
            image.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
            assert_eq!(assert_routes_agree(name, &png), OPTIONS.len());
        }
    }

    /// A little-endian EXIF block holding only `orientation`.
    fn orientation_exif(orientation: u16) -> Vec<u8> {
        let mut exif = b"II*\0".to_vec();
        exif.extend_from_slice(&8u32.to_le_bytes());
        exif.extend_from_slice(&1u16.to_le_bytes());
        exif.extend_from_slice(&0x0112u16.to_le_bytes());
        exif.extend_from_slice(&3u16.to_le_bytes());
        exif.extend_from_slice(&1u32.to_le_bytes());
        exif.extend_from_slice(&[orientation as u8, 0, 0, 0]);
        exif.extend_from_slice(&0u32.to_le_bytes());
        exif
    }

    #[test]
    fn scanned_rows_place_trims_and_crops_as_the_whole_image_does() {
        const PLACING: [&str; 5] = [
            "trim=border,width=40",
            "trim.border.color=%23ffffff,trim.border.tolerance=30,trim.border.keep=2",
            "width=30,height=60,fit=cover,gravity=auto",
            "trim=border,width=50,height=20,fit=cover,gravity=auto",
            "trim.border.tolerance=0,width=20,height=20,fit=crop,gravity=auto,rotate=90",
        ];
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let limits = Limits::default();
        let mut files = pngs_in(&root.join("fixtures/pngsuite"));
        files.extend(pngs_in(&root.join("fixtures")));
        let mut compared = 0;
        for (name, png) in files {
            let Ok(stored) = codec::probe(&png, &limits) else { continue };
            if stored.storage != (Storage::Png { interlaced: false }) {
                continue;
            }
            for orientation in 1..=8 {
                let probe = Probe { exif: Some(orientation_exif(orientation)), ..stored.clone() };
                for options in PLACING {
                    let options = TransformOptions::from_path_segment(options, &limits).unwrap();
                    let request =
                        Request { source: &png, probe: &probe, options: &options, accept: None, limits: &limits };
                    let trim = match options.trim {
                        Some(Trim::Border(settings)) => Some(settings),
                        _ => None,
                    };
                    let whole = place(&request, Backend::Scalar).map(|(placement, _)| placement);
                    let streamed = place_from_rows(&request, trim, options.gravity == Gravity::Auto, Backend::Scalar);
                    match (whole, streamed) {
                        (Ok(whole), Ok(streamed)) => {
                            assert_eq!(whole, streamed, "{name}, orientation {orientation}, {options:?}")
                        }
                        (whole, streamed) => {
                            assert_eq!(whole.err().map(|e| e.message), streamed.err().map(|e| e.message), "{name}")
                        }
                    }
                    compared += 1;
                }
            }
        }
        assert!(compared > 1000, "only {compared} comparisons");
    }
}
