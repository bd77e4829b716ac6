//! Skipping rows and finishing: rows read after a skip are the whole decode's rows, and a file
//! damaged below the rows read is refused by `finish`, as a whole decode refuses it.

use std::path::Path;

use kernels::Backend;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures").join(name)).unwrap()
}

fn rocket() -> Vec<u8> {
    fixture("rocket.jpg")
}

/// rocket.jpg (4:4:4) and retina.jpg (4:2:0), each at every scale.
fn both_samplings_at_every_scale() -> impl Iterator<Item = (Vec<u8>, u8)> {
    [rocket(), fixture("retina.jpg")].into_iter().flat_map(|data| [1u8, 2, 4, 8].map(|scale| (data.clone(), scale)))
}

/// Rows skipped go without their IDCTs but for the MCU row above the first read (4:2:0's
/// upsampling reads a chroma row of it): 4:4:4 and 4:2:0, skips inside and across MCU rows.
#[test]
fn rows_after_a_skip_are_the_whole_decodes() {
    for (data, scale) in both_samplings_at_every_scale() {
        let whole = jpeg::decode(&data, scale, u64::MAX, Backend::best()).unwrap();
        let row_bytes = whole.width as usize * usize::from(whole.channels);
        for skip in [0, 1, 7, 15, 16, 17, 32, 33, 48, whole.height as usize / 2, whole.height as usize - 5] {
            let mut decoder = jpeg::Decoder::new(&data, scale, u64::MAX, Backend::best()).unwrap();
            decoder.skip_rows(skip).unwrap();
            let mut rows = vec![0; 5.min(whole.height as usize - skip) * row_bytes];
            decoder.read_rows(&mut rows).unwrap();
            assert!(rows == whole.pixels[skip * row_bytes..skip * row_bytes + rows.len()], "1/{scale}, skip {skip}");
            decoder.finish().unwrap();
        }
        let mut decoder = jpeg::Decoder::new(&data, scale, u64::MAX, Backend::best()).unwrap();
        assert!(decoder.skip_rows(whole.height as usize + 1).is_err());
    }
}

#[test]
fn finish_refuses_damage_below_the_rows_read() {
    let data = rocket();
    // Cut in the lower half of the scan: the first rows still decode.
    let cut = &data[..data.len() * 3 / 4];
    assert!(jpeg::decode(cut, 1, u64::MAX, Backend::best()).is_err());
    let mut decoder = jpeg::Decoder::new(cut, 1, u64::MAX, Backend::best()).unwrap();
    let mut row = vec![0; decoder.width() * usize::from(decoder.channels())];
    decoder.read_rows(&mut row).unwrap();
    assert!(decoder.finish().is_err());
}

/// What a progressive decode holds in coefficients shrinks with the scale (the DC alone at
/// 1/8); sequential files hold none. Progressive files come from the corpus when present.
#[test]
fn progressive_coefficients_shrink_with_the_scale() {
    assert_eq!(jpeg::read_info(&rocket()).unwrap().coefficient_bytes, [0; 4]);
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/jpeg/flower.png.im_q85_420_progr.jpg");
    let Ok(data) = std::fs::read(corpus) else { return };
    let info = jpeg::read_info(&data).unwrap();
    let [full, half, quarter, eighth] = info.coefficient_bytes;
    // 4:2:0: luma blocks are 4/6 of them, chroma 2/6 (at one scale larger: 8 samples at 1/2).
    let blocks = full / (2 * 64 + 8);
    assert!(full > half && half > quarter && quarter > eighth, "{:?}", info.coefficient_bytes);
    assert_eq!(eighth, blocks * 4 / 6 * (2 + 8) + blocks * 2 / 6 * (2 * 25 + 8));
}

/// Columns outside those needed skip their IDCT: the needed ones are the whole decode's, in
/// 4:4:4 and 4:2:0 (whose upsampling reads a chroma sample either side), at every scale.
#[test]
fn needed_columns_are_the_whole_decodes() {
    for (data, scale) in both_samplings_at_every_scale() {
        let whole = jpeg::decode(&data, scale, u64::MAX, Backend::best()).unwrap();
        let (width, channels) = (whole.width as usize, usize::from(whole.channels));
        for columns in [0..1, 0..width / 3, 7..9, 15..17, width / 2..width / 2 + 1, width / 3..width, width - 1..width]
        {
            let mut decoder = jpeg::Decoder::new(&data, scale, u64::MAX, Backend::best()).unwrap();
            decoder.need_columns(columns.clone());
            let mut rows = vec![0; whole.pixels.len()];
            decoder.read_rows(&mut rows).unwrap();
            decoder.finish().unwrap();
            let needed = |pixels: &[u8]| -> Vec<u8> {
                pixels
                    .chunks(width * channels)
                    .flat_map(|row| row[columns.start * channels..columns.end * channels].to_vec())
                    .collect()
            };
            assert!(needed(&rows) == needed(&whole.pixels), "1/{scale}, columns {columns:?}");
        }
    }
}

/// Every component plane, read an MCU row at a time (`next_planes`): the planes' sampling, their
/// samples (rows skipped left zero) and each one's first band's first row.
fn read_planes(decoder: &mut jpeg::Decoder) -> (Vec<jpeg::PlaneSampling>, Vec<Vec<u8>>, Vec<usize>) {
    let sampling = decoder.plane_sampling();
    let mut planes: Vec<Vec<u8>> = sampling.iter().map(|plane| vec![0; plane.width * plane.height]).collect();
    let mut first_row = Vec::new();
    while let Some(bands) = decoder.next_planes().unwrap() {
        for ((band, plane), samples) in bands.iter().zip(&sampling).zip(&mut planes) {
            if first_row.len() < sampling.len() {
                first_row.push(band.first_row);
            }
            for row in 0..band.rows {
                let to = (band.first_row + row) * plane.width;
                samples[to..to + plane.width].copy_from_slice(&band.samples[row * band.stride..][..band.width]);
            }
        }
    }
    decoder.finish().unwrap();
    (sampling, planes, first_row)
}

/// A plane halved by the decoder (`halve_plane`: an 8 × 4 IDCT for its rows, 4 × 4 for both
/// sides) holds the means of the full plane's pairs of rows (2 × 2 samples), within one level
/// (the full plane's samples are rounded before they are averaged), where none is clamped; in
/// 4:4:4 and 4:2:0, for each component. Only at full scale, before decoding starts.
#[test]
fn halved_planes_are_the_means_of_the_full_ones() {
    for data in [rocket(), fixture("retina.jpg")] {
        let mut full = jpeg::Decoder::new(&data, 1, u64::MAX, Backend::best()).unwrap();
        let (full_sampling, full_planes, _) = read_planes(&mut full);
        for component in 0..3 {
            for columns in [false, true] {
                let mut decoder = jpeg::Decoder::new(&data, 1, u64::MAX, Backend::best()).unwrap();
                assert!(decoder.halve_plane(component, columns));
                let (sampling, planes, _) = read_planes(&mut decoder);
                let (plane, samples) = (sampling[component], &planes[component]);
                let (full_plane, full_samples) = (full_sampling[component], &full_planes[component]);
                let across = if columns { 2 } else { 1 };
                assert_eq!(
                    (plane.width, plane.height),
                    (full_plane.width.div_ceil(across), full_plane.height.div_ceil(2))
                );
                assert_eq!(plane.mcu_rows, full_plane.mcu_rows / 2);
                // A last row (column) of an odd-sized plane pairs with the block's padding, which
                // the full plane does not hold.
                let (whole_columns, whole_rows) = (full_plane.width / across, full_plane.height / 2);
                for y in 0..whole_rows {
                    for x in 0..whole_columns {
                        let covered: Vec<u8> = (0..2 * across)
                            .map(|i| {
                                (across * x + i % across).min(full_plane.width - 1)
                                    + (2 * y + i / across).min(full_plane.height - 1) * full_plane.width
                            })
                            .map(|at| full_samples[at])
                            .collect();
                        if covered.iter().any(|&s| matches!(s, 0 | 255)) {
                            continue;
                        }
                        let mean = covered.iter().map(|&s| f64::from(s)).sum::<f64>() / covered.len() as f64;
                        let sample = f64::from(samples[y * plane.width + x]);
                        assert!(
                            (sample - mean).abs() <= 1.0,
                            "component {component}, columns {columns}, ({x}, {y}): {sample} vs {mean}"
                        );
                    }
                }
                // The other planes are untouched.
                for other in (0..3).filter(|&other| other != component) {
                    assert!(planes[other] == full_planes[other], "component {other} beside a halved {component}");
                }
            }
        }
        // Not at a reduced scale, nor once decoding has begun.
        let mut scaled = jpeg::Decoder::new(&data, 2, u64::MAX, Backend::best()).unwrap();
        assert!(!scaled.halve_plane(0, false));
        let mut started = jpeg::Decoder::new(&data, 1, u64::MAX, Backend::best()).unwrap();
        started.next_planes().unwrap();
        assert!(!started.halve_plane(0, false));
    }
}

/// Each component plane read an MCU row at a time (`next_planes`), upsampled and converted as
/// the decoder's own rows are, gives the whole decode's pixels, in 4:4:4 and 4:2:0 at every
/// scale; after `skip_mcu_rows` the planes start at that MCU row with the same samples.
#[test]
fn planes_read_by_mcu_rows_make_the_whole_decodes_rows() {
    for (data, scale) in both_samplings_at_every_scale() {
        let whole = jpeg::decode(&data, scale, u64::MAX, Backend::best()).unwrap();
        let (width, height) = (whole.width as usize, whole.height as usize);
        let read = |skip: usize| {
            let mut decoder = jpeg::Decoder::new(&data, scale, u64::MAX, Backend::best()).unwrap();
            assert!(decoder.is_ycbcr());
            decoder.skip_mcu_rows(skip);
            read_planes(&mut decoder)
        };
        let (sampling, planes, _) = read(0);
        let mut upsampled = vec![vec![0; 2 * width + 16]; 3];
        for y in 0..height {
            let rows: Vec<&[u8]> = sampling
                .iter()
                .zip(&planes)
                .zip(&mut upsampled)
                .map(|((plane, samples), buffer)| {
                    let row = |y: usize| &samples[y.min(plane.height - 1) * plane.width..][..plane.width];
                    match plane.upsampling {
                        (1, 1) => &row(y)[..width],
                        (2, 2) => {
                            let far = if y % 2 == 0 { (y / 2).saturating_sub(1) } else { y / 2 + 1 };
                            kernels::upsample_h2v2(row(y / 2), row(far), buffer, Backend::Scalar).unwrap();
                            &buffer[..width]
                        }
                        other => panic!("no fixture has upsampling {other:?}"),
                    }
                })
                .collect();
            let mut rgb = vec![0; 3 * width];
            kernels::ycbcr_to_rgb(rows[0], rows[1], rows[2], &mut rgb, Backend::Scalar).unwrap();
            assert!(rgb == whole.pixels[3 * width * y..3 * width * (y + 1)], "1/{scale}, row {y}");
        }
        let (_, skipped, first_rows) = read(1);
        for ((plane, samples), (skipped_samples, first)) in
            sampling.iter().zip(&planes).zip(skipped.iter().zip(first_rows))
        {
            assert_eq!(first, plane.mcu_rows, "1/{scale}: the first band after a skip");
            let from = first.min(plane.height) * plane.width;
            assert!(skipped_samples[from..] == samples[from..], "1/{scale}: samples after a skip");
        }
    }
}
