//! The resize fed with source rows in order, in bands of any height, as a streaming decoder
//! yields them. Either pass may come first, whichever does less work (`Order`): downscales
//! filter vertically first, as fast_image_resize does for bytes, since the vertical pass costs
//! less per tap and the horizontal one then runs on output rows only; upscales filter
//! horizontally first. Horizontal first, each band goes through the horizontal pass into a
//! window of intermediate rows; vertical first, the window holds the band's source rows (the
//! columns the horizontal windows read). Output rows are written once their vertical windows are
//! complete (vertical first, four at a time, as the horizontal pass takes them), and rows no
//! later output reads are dropped: only about two vertical windows of rows ever exist, where a
//! whole-image resize would hold one per source row.
//!
//! Window starts mostly grow from one output row to the next, but may step back a little where a
//! window was trimmed of a zero weight, so the rows kept are those from the lowest start of all
//! the output rows still to write. The output is bit for bit that of a whole-image resize in the
//! same order, whatever the bands (tested in `tests/resize.rs`): each intermediate row and each
//! sum is the same computation on the same values.

use core::ops::Range;

use super::{
    horizontal_last_pass, horizontal_pass, vertical_first_pass, vertical_pass, AxisWeights, OutputSample, Profile,
    Sample, SourceRegion, VerticalRows,
};
use crate::{Backend, Filter, ImageMut, ImageRef, KernelError, PixelLayout};

/// Fewest intermediate rows added between two compactions of the window, so that upscales
/// (whose windows are a few rows) still run the horizontal pass on several rows per call.
const MIN_BATCH_ROWS: usize = 16;

/// Most output rows whose intermediate rows are made at once when the vertical pass comes first.
const VERTICAL_FIRST_BATCH: usize = 8;

/// Vertical first, output rows are written in multiples of this many (but for the last ones, or
/// where the window is full): the horizontal pass takes rows four at a time, and bands of a few
/// source rows (a JPEG's MCU rows) would otherwise complete one or two output rows at a time.
const VERTICAL_FIRST_ROWS: usize = 4;

/// Which pass comes first, and what the window holds.
enum Order<S> {
    /// Intermediate rows of the output's width, each made as its source row arrives.
    HorizontalFirst { window: Vec<i16> },
    /// Source rows, only `columns` of them; the intermediate rows of up to
    /// `VERTICAL_FIRST_BATCH` output rows at a time go in `intermediate`, and the horizontal
    /// weights' starts count from `columns.start`.
    VerticalFirst { window: Vec<S>, columns: Range<usize>, intermediate: Vec<i16> },
}

/// A resize from `region` of a source image to a whole output image, fed source rows from
/// [`RowResizer::next_row`] on, and writing each output row as soon as its inputs have arrived.
/// It owns both axes' weights and its intermediate window, allocated once. It writes samples
/// like those it reads, or fine `i16` values ([`OutputSample`]).
pub struct RowResizer<S: Sample, O: OutputSample = S> {
    layout: PixelLayout,
    backend: Backend,
    source_width: usize,
    output: (usize, usize),
    horizontal: AxisWeights,
    vertical: AxisWeights,
    /// For each output row, the lowest window start of it and every later row: the rows before
    /// it are never read again once the rows before it are written.
    lowest_start: Vec<usize>,
    /// One past the last source row any window reads.
    end_row: usize,
    /// The source columns any horizontal window reads.
    columns: Range<usize>,
    /// Values per window row: output width × channels horizontal first, the source columns
    /// read × channels vertical first.
    row_len: usize,
    /// The window's rows are for source rows `first..first + held`, packed; room for `capacity`.
    order: Order<S>,
    capacity: usize,
    first: usize,
    held: usize,
    /// The next output row to write.
    next_output: usize,
    _samples: core::marker::PhantomData<(S, O)>,
}

impl<S: Sample, O: OutputSample> RowResizer<S, O> {
    /// A Lanczos, Mitchell, … resize of `region` of a `source_width` × `source_height` image to
    /// `output_width` × `output_height`, in `layout`. RGBA rows should come premultiplied.
    #[allow(clippy::too_many_arguments)] // The two sizes, the region and the how: all needed.
    pub fn new(
        source_width: usize,
        source_height: usize,
        layout: PixelLayout,
        region: SourceRegion,
        output_width: usize,
        output_height: usize,
        filter: Filter,
        backend: Backend,
    ) -> Result<Self, KernelError> {
        let profile = Profile::Filter(filter);
        Self::with_profiles(
            (source_width, source_height),
            layout,
            region,
            (output_width, output_height),
            profile,
            profile,
            backend,
        )
    }

    /// As [`RowResizer::new`], for a plane stored at half size along the axes `halved` says
    /// (across, down), as JPEG stores subsampled chroma, `source` samples of it standing for an
    /// `upsampled` image (to which `region` refers): the result is the resize of the plane
    /// doubled by libjpeg's "fancy" upsampling ([`AxisWeights::halved`]), without making it.
    /// The region may overhang the far edges by up to one output sample (a chroma grid for an
    /// odd-sized image, whose last sample stands for a pair of pixels of which only the first
    /// exists): the filter's taps stay inside the plane, weighted towards its edge.
    pub fn for_halved_plane(
        (source, upsampled): ((usize, usize), (usize, usize)),
        layout: PixelLayout,
        region: SourceRegion,
        output: (usize, usize),
        (filter, halved): (Filter, (bool, bool)),
        backend: Backend,
    ) -> Result<Self, KernelError> {
        let less_one_sample = |len: f64, samples: usize| len * (samples.max(2) - 1) as f64 / samples.max(2) as f64;
        let inner = SourceRegion {
            width: less_one_sample(region.width, output.0),
            height: less_one_sample(region.height, output.1),
            ..region
        };
        check_sizes(source, output, inner, upsampled)?;
        let profile = Profile::Filter(filter);
        let (horizontal_multiple, vertical_multiple) = tap_multiples(layout);
        let axis = |halved: bool, lengths: (usize, usize), start: f64, len: f64, out: usize, multiple: usize| {
            if halved {
                AxisWeights::halved(profile, lengths, start, len, out, multiple)
            } else {
                AxisWeights::new(profile, lengths.0, start, len, out, multiple)
            }
        };
        let (across, down) = ((source.0, upsampled.0), (source.1, upsampled.1));
        let horizontal = axis(halved.0, across, region.left, region.width, output.0, horizontal_multiple);
        let vertical = axis(halved.1, down, region.top, region.height, output.1, vertical_multiple);
        Self::with_weights(source, layout, output, horizontal, vertical, backend)
    }

    /// The resizer with each axis's weight profile given.
    pub(crate) fn with_profiles(
        source: (usize, usize),
        layout: PixelLayout,
        region: SourceRegion,
        output: (usize, usize),
        horizontal: Profile,
        vertical: Profile,
        backend: Backend,
    ) -> Result<Self, KernelError> {
        check_sizes(source, output, region, source)?;
        let (horizontal_multiple, vertical_multiple) = tap_multiples(layout);
        let horizontal =
            AxisWeights::new(horizontal, source.0, region.left, region.width, output.0, horizontal_multiple);
        let vertical = AxisWeights::new(vertical, source.1, region.top, region.height, output.1, vertical_multiple);
        Self::with_weights(source, layout, output, horizontal, vertical, backend)
    }

    /// The resizer with both axes' weights made (for a `source` and `output` that are not empty).
    fn with_weights(
        source: (usize, usize),
        layout: PixelLayout,
        output: (usize, usize),
        mut horizontal: AxisWeights,
        vertical: AxisWeights,
        backend: Backend,
    ) -> Result<Self, KernelError> {
        let channels = layout.channels();
        let mut lowest_start = vertical.starts.clone();
        let mut lowest = usize::MAX;
        for start in lowest_start.iter_mut().rev() {
            lowest = lowest.min(*start);
            *start = lowest;
        }
        let taps = vertical.taps;
        let first = lowest_start.first().copied().unwrap_or(0);
        let end_row = vertical.starts.iter().map(|start| start + taps).max().unwrap_or(0);
        // Rows held while waiting for output rows: from the lowest start of the next on to the end
        // of the window of the `ahead`th row after it (vertical first, rows are written four at a
        // time).
        let capacity = |ahead: usize| {
            let starts = &vertical.starts;
            let last = starts.len().saturating_sub(1);
            let span = (0..starts.len())
                .map(|i| starts[i].max(starts[(i + ahead).min(last)]) + taps - lowest_start[i])
                .max()
                .unwrap_or(0);
            (span + taps.max(MIN_BATCH_ROWS)).min(end_row - first)
        };
        // The columns the horizontal windows read, and the taps each order runs (a horizontal
        // tap costing about one and a half vertical ones in simd128, in V8).
        let columns = horizontal.starts.iter().min().copied().unwrap_or(0)
            ..horizontal.starts.iter().map(|start| start + horizontal.taps).max().unwrap_or(0);
        let (horizontal_taps, vertical_taps) = (horizontal.taps as u64, taps as u64);
        let (rows_read, width, height) = ((end_row - first) as u64, output.0 as u64, output.1 as u64);
        let horizontal_first_cost = 3 * rows_read * width * horizontal_taps + 2 * height * width * vertical_taps;
        let vertical_first_cost =
            2 * height * columns.len() as u64 * vertical_taps + 3 * height * width * horizontal_taps;
        let order = if S::VERTICAL_FIRST && vertical_first_cost < horizontal_first_cost {
            let capacity = capacity(VERTICAL_FIRST_ROWS - 1);
            let row_len = columns.len().checked_mul(channels).ok_or(KernelError::TooLarge)?;
            for start in &mut horizontal.starts {
                *start -= columns.start;
            }
            // Its size checked now, the window is allocated when a band first leaves rows to
            // hold: a whole image in one band never does.
            capacity.checked_mul(row_len).ok_or(KernelError::TooLarge)?;
            let window = Vec::new();
            let intermediate = vec![0; VERTICAL_FIRST_BATCH.min(output.1) * row_len];
            (row_len, Order::VerticalFirst { window, columns: columns.clone(), intermediate }, capacity)
        } else {
            let capacity = capacity(0);
            let row_len = output.0.checked_mul(channels).ok_or(KernelError::TooLarge)?;
            let window = vec![0; capacity.checked_mul(row_len).ok_or(KernelError::TooLarge)?];
            (row_len, Order::HorizontalFirst { window }, capacity)
        };
        let (row_len, order, capacity) = order;
        Ok(RowResizer {
            layout,
            backend,
            source_width: source.0,
            output,
            horizontal,
            vertical,
            lowest_start,
            end_row,
            columns,
            row_len,
            order,
            capacity,
            first,
            held: 0,
            next_output: 0,
            _samples: core::marker::PhantomData,
        })
    }

    /// The source rows the output depends on: rows before and after are never read.
    pub fn source_rows(&self) -> Range<usize> {
        self.lowest_start.first().copied().unwrap_or(0)..self.end_row
    }

    /// The source columns the output depends on: the others are never read.
    pub fn source_columns(&self) -> Range<usize> {
        self.columns.clone()
    }

    /// The source row the next band must start with.
    pub fn next_row(&self) -> usize {
        self.first + self.held
    }

    /// Whether every output row has been written.
    pub fn is_done(&self) -> bool {
        self.next_output == self.output.1
    }

    /// Takes `band`, the source rows from [`Self::next_row`] on (rows past
    /// [`Self::source_rows`] are ignored), and writes the output rows they complete into `dst`,
    /// the whole output image (vertical first, a few may wait for the next band; the last band
    /// writes all that are left).
    pub fn push(&mut self, band: ImageRef<'_, S>, dst: &mut ImageMut<'_, O>) -> Result<(), KernelError> {
        band.validate()?;
        dst.validate()?;
        if band.layout != self.layout || dst.layout != self.layout || band.width != self.source_width {
            return Err(KernelError::LayoutMismatch);
        }
        if (dst.width, dst.height) != self.output {
            return Err(KernelError::LayoutMismatch);
        }
        let wanted = band.height.min(self.source_rows().end.saturating_sub(self.next_row()));
        let mut row = 0;
        // Vertical first with nothing held yet: the output rows whose windows lie in the band are
        // made from it in place, and only the rows after them that later outputs read are copied.
        let ready = if self.vertical_first() && self.held == 0 {
            self.batch(self.ready_before(self.first + wanted))
        } else {
            0
        };
        if ready > 0 {
            let rows = self.next_rows(dst, ready);
            if let Order::VerticalFirst { columns, intermediate, .. } = &mut self.order {
                let outputs = self.next_output..self.next_output + ready;
                let weights = VerticalRows { axis: &self.vertical, outputs: outputs.clone(), origin: self.first };
                let in_band = &band.pixels[columns.start * self.layout.channels()..];
                let passes = (self.backend, &self.horizontal, self.row_len);
                vertical_then_horizontal(passes, (in_band, band.stride), &weights, intermediate, rows);
                self.next_output = outputs.end;
                let keep_from = self.lowest_start.get(self.next_output).map_or(self.first + wanted, |&start| start);
                row = keep_from.min(self.first + wanted) - self.first;
                self.first += row;
            }
        }
        while row < wanted {
            if self.held == self.capacity {
                self.write_ready_rows(dst, true);
                self.drop_read_rows();
            }
            let mut take = (self.capacity - self.held).min(wanted - row);
            let into = self.held * self.row_len..(self.held + take) * self.row_len;
            match &mut self.order {
                Order::HorizontalFirst { window } => {
                    if take >= 4 {
                        // The horizontal pass takes rows four at a time.
                        take -= take % 4;
                    }
                    let into = into.start..into.start + take * self.row_len;
                    horizontal_pass(self.backend, band, row..row + take, &self.horizontal, &mut window[into]);
                }
                Order::VerticalFirst { window, columns, .. } => {
                    let channels = self.layout.channels();
                    window.resize(self.capacity * self.row_len, S::default());
                    for (y, held) in (row..row + take).zip(window[into].chunks_exact_mut(self.row_len)) {
                        let start = y * band.stride + columns.start * channels;
                        held.copy_from_slice(&band.pixels[start..start + self.row_len]);
                    }
                }
            }
            self.held += take;
            row += take;
            self.write_ready_rows(dst, false);
        }
        Ok(())
    }

    /// Checks that every output row was written: the source gave all the rows it needed.
    pub fn finish(self) -> Result<(), KernelError> {
        if self.is_done() {
            Ok(())
        } else {
            Err(KernelError::MissingRows { next: self.next_row(), needed: self.source_rows().end })
        }
    }

    /// How many output rows from the next on have their whole window before source row `end`.
    fn ready_before(&self, end: usize) -> usize {
        let taps = self.vertical.taps;
        let starts = &self.vertical.starts[self.next_output..];
        // Rows are written in order: the ready ones are those before the first that is not.
        starts.iter().position(|&start| start + taps > end).unwrap_or(starts.len())
    }

    /// Whether the vertical pass comes first (`S::VERTICAL_FIRST` lets the compiler drop the
    /// code for it where it never does).
    fn vertical_first(&self) -> bool {
        S::VERTICAL_FIRST && matches!(self.order, Order::VerticalFirst { .. })
    }

    /// How many of `ready` output rows to write now: vertical first, a multiple of
    /// [`VERTICAL_FIRST_ROWS`] unless they are the last.
    fn batch(&self, ready: usize) -> usize {
        if self.vertical_first() && self.next_output + ready < self.output.1 {
            ready - ready % VERTICAL_FIRST_ROWS
        } else {
            ready
        }
    }

    /// The output rows from the next on, `ready` of them, as an image to write.
    fn next_rows<'d>(&self, dst: &'d mut ImageMut<'_, O>, ready: usize) -> ImageMut<'d, O> {
        let stride = dst.stride;
        ImageMut {
            pixels: &mut dst.pixels[self.next_output * stride..],
            width: dst.width,
            height: ready,
            stride,
            layout: dst.layout,
        }
    }

    /// Writes the output rows whose windows the held rows cover: all of them if `all` (the window
    /// is full), else a [`Self::batch`] of them.
    fn write_ready_rows(&mut self, dst: &mut ImageMut<'_, O>, all: bool) {
        let ready = self.ready_before(self.first + self.held);
        let ready = if all { ready } else { self.batch(ready) };
        if ready == 0 {
            return;
        }
        let outputs = self.next_output..self.next_output + ready;
        let rows = self.next_rows(dst, ready);
        let held = ..self.held * self.row_len;
        let weights = VerticalRows { axis: &self.vertical, outputs: outputs.clone(), origin: self.first };
        match &mut self.order {
            Order::HorizontalFirst { window } => {
                vertical_pass::<S, O>(self.backend, &window[held], self.row_len, &weights, rows)
            }
            // (`S::VERTICAL_FIRST` lets the compiler drop this for samples never filtered so.)
            Order::VerticalFirst { window, intermediate, .. } if S::VERTICAL_FIRST => {
                let passes = (self.backend, &self.horizontal, self.row_len);
                vertical_then_horizontal(passes, (&window[held], self.row_len), &weights, intermediate, rows);
            }
            Order::VerticalFirst { .. } => {}
        }
        self.next_output = outputs.end;
    }

    /// Drops the rows no output row still to write reads, moving the rest to the front. The next
    /// output row is not ready (its window is not all held), so fewer rows than the window's
    /// span stay, and the capacity leaves room after them.
    fn drop_read_rows(&mut self) {
        let keep_from = self.lowest_start.get(self.next_output).map_or(self.next_row(), |&start| start);
        let dropped = (keep_from - self.first).min(self.held);
        let kept = dropped * self.row_len..self.held * self.row_len;
        match &mut self.order {
            Order::HorizontalFirst { window } => window.copy_within(kept, 0),
            Order::VerticalFirst { window, .. } => window.copy_within(kept, 0),
        }
        self.first += dropped;
        self.held -= dropped;
    }
}

/// Refuses an empty source or output, and a region outside the `extent` it refers to.
fn check_sizes(
    source: (usize, usize),
    output: (usize, usize),
    region: SourceRegion,
    extent: (usize, usize),
) -> Result<(), KernelError> {
    if source.0 == 0 || source.1 == 0 || output.0 == 0 || output.1 == 0 {
        return Err(KernelError::EmptyImage);
    }
    if !region.is_inside(extent.0, extent.1) {
        return Err(KernelError::BadRegion);
    }
    Ok(())
}

/// Tap counts windows are padded to, across and down: 8 luma bytes, 2 RGB(A) pixels (the
/// colour loops take 4 a turn, then a pair: padding to 4 made a 2-tap window cost two pairs;
/// bilinear enlargements 0.90x the time, Lanczos3 ones 0.96x, reductions level), and 2 rows.
fn tap_multiples(layout: PixelLayout) -> (usize, usize) {
    (if layout.channels() == 1 { 8 } else { 2 }, 2)
}

/// Vertical pass first: the output rows of `weights` from sample rows (`src`, `stride` values
/// apart, counted from source row `weights.origin`) through the vertical pass into
/// `intermediate`, `VERTICAL_FIRST_BATCH` rows at a time, then the horizontal pass into `rows`.
#[inline(never)]
fn vertical_then_horizontal<S: Sample, O: OutputSample>(
    (backend, horizontal, row_len): (Backend, &AxisWeights, usize),
    (src, stride): (&[S], usize),
    weights: &VerticalRows<'_>,
    intermediate: &mut [i16],
    mut rows: ImageMut<'_, O>,
) {
    let outputs = weights.outputs.clone();
    for batch in outputs.clone().step_by(VERTICAL_FIRST_BATCH) {
        let batch = batch..(batch + VERTICAL_FIRST_BATCH).min(outputs.end);
        let made = &mut intermediate[..batch.len() * row_len];
        let these_weights = VerticalRows { outputs: batch.clone(), ..*weights };
        vertical_first_pass(backend, src, (stride, row_len), &these_weights, made);
        let (these, rest) = rows.pixels.split_at_mut((batch.len() * rows.stride).min(rows.pixels.len()));
        horizontal_last_pass::<S, O>(
            backend,
            made,
            row_len,
            horizontal,
            ImageMut { pixels: these, height: batch.len(), ..rows },
        );
        rows = ImageMut { pixels: rest, height: rows.height - batch.len(), ..rows };
    }
}
