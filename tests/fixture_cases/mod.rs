//! The fixture files' format, shared by `numpy_fixtures.rs` and `numpy_values.rs`: one case
//! as text, its spacing and options, and which of our errors each numpy exception stands for.
//! The format itself is described in `tests/fixtures/generate.py`.

use numgrad::{
    Axes, AxisSpacing, EdgeOrder, GradientError, Options, Precision, Spacing, StridedView,
};

/// A float type that fixtures spell as hex bit patterns.
pub trait Bits: Precision {
    fn parse(hex: &str) -> Self;
}

impl Bits for f64 {
    fn parse(hex: &str) -> Self {
        assert_eq!(hex.len(), 16, "f64 bits {hex}");
        f64::from_bits(u64::from_str_radix(hex, 16).expect("hex"))
    }
}

impl Bits for f32 {
    fn parse(hex: &str) -> Self {
        assert_eq!(hex.len(), 8, "f32 bits {hex}");
        f32::from_bits(u32::from_str_radix(hex, 16).expect("hex"))
    }
}

#[cfg(feature = "half")]
impl Bits for half::f16 {
    fn parse(hex: &str) -> Self {
        assert_eq!(hex.len(), 4, "f16 bits {hex}");
        half::f16::from_bits(u16::from_str_radix(hex, 16).expect("hex"))
    }
}

/// One fixture case, still as text.
#[derive(Default, Debug)]
pub struct Case<'a> {
    pub index: usize,
    pub name: &'a str,
    pub dtype: &'a str,
    pub out: &'a str,
    pub base: Vec<&'a str>,
    pub offset: usize,
    pub shape: Vec<usize>,
    pub strides: Vec<isize>,
    pub axes: Option<Vec<isize>>,
    pub spacing: Vec<&'a str>,
    pub edge: i64,
    pub grads: Vec<Vec<&'a str>>,
    pub error: Option<&'a str>,
}

pub fn parse_cases(text: &str) -> Vec<Case<'_>> {
    let mut cases = Vec::new();
    let mut case = Case::default();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let mut words = line.split(' ');
        let key = words.next().unwrap_or_default();
        let rest: Vec<&str> = words.filter(|w| !w.is_empty()).collect();
        match key {
            "case" => {
                case = Case {
                    index: rest[0].parse().unwrap(),
                    name: rest[1],
                    ..Case::default()
                }
            }
            "dtype" => case.dtype = rest[0],
            "out" => case.out = rest[0],
            "base" => case.base = rest,
            "offset" => case.offset = rest[0].parse().unwrap(),
            "shape" => case.shape = rest.iter().map(|w| w.parse().unwrap()).collect(),
            "strides" => case.strides = rest.iter().map(|w| w.parse().unwrap()).collect(),
            "axes" if rest == ["all"] => case.axes = None,
            "axes" => case.axes = Some(rest.iter().map(|w| w.parse().unwrap()).collect()),
            "spacing" => case.spacing = rest,
            "edge" => case.edge = rest[0].parse().unwrap(),
            "grad" => case.grads.push(rest),
            "error" => case.error = Some(rest[0]),
            "end" => cases.push(std::mem::take(&mut case)),
            other => panic!("unknown fixture line {other:?}"),
        }
    }
    cases
}

/// The spacing entries of a case, owned.
pub enum Entry<F> {
    Uniform(F),
    Coordinates(Vec<F>),
}

/// A case's spacing, owned: one scalar for every axis, or per-axis entries.
pub struct CaseSpacing<F> {
    uniform_all: Option<F>,
    entries: Vec<Entry<F>>,
}

impl<'a> Case<'a> {
    /// `"case <index> <name>"`, for messages.
    pub fn label(&self) -> String {
        format!("case {} {}", self.index, self.name)
    }

    /// The input view of `base` (the case's base values, parsed) the case describes.
    pub fn view<'s, T>(&'s self, base: &'s [T]) -> StridedView<'s, T> {
        StridedView::new(base, self.offset, &self.shape, &self.strides)
            .unwrap_or_else(|e| panic!("{}: input view rejected: {e}", self.label()))
    }

    /// How many axes numpy was asked for.
    pub fn selected(&self) -> usize {
        match &self.axes {
            None => self.shape.len(),
            Some(list) => list.len(),
        }
    }

    /// The case's spacing, parsed.
    pub fn spacing<F: Bits>(&self) -> CaseSpacing<F> {
        let label = self.label();
        let (mut uniform_all, mut entries) = (None, Vec::new());
        match self.spacing.as_slice() {
            ["none"] => {}
            ["scalar", v] => uniform_all = Some(F::parse(v)),
            ["axes", list @ ..] => {
                for e in list {
                    if let Some(v) = e.strip_prefix("u:") {
                        entries.push(Entry::Uniform(F::parse(v)));
                    } else if let Some(c) = e.strip_prefix("c:") {
                        let coords = c
                            .split(',')
                            .filter(|w| !w.is_empty())
                            .map(F::parse)
                            .collect();
                        entries.push(Entry::Coordinates(coords));
                    } else {
                        panic!("{label}: bad spacing entry {e}");
                    }
                }
            }
            other => panic!("{label}: bad spacing {other:?}"),
        }
        CaseSpacing {
            uniform_all,
            entries,
        }
    }

    /// The options numpy's call stands for, with `spacing` (this case's) and `per_axis` (its
    /// entries as `AxisSpacing`s, from [`CaseSpacing::per_axis`]).
    pub fn options<'s, F: Bits>(
        &'s self,
        spacing: &CaseSpacing<F>,
        per_axis: &'s [AxisSpacing<'s, F>],
    ) -> Options<'s, F> {
        let spacing = match (spacing.uniform_all, self.spacing.first(), per_axis) {
            (Some(h), _, _) => Spacing::Uniform(h),
            // numpy reads one scalar argument as the spacing of every axis.
            (None, Some(&"axes"), &[AxisSpacing::Uniform(h)]) if self.selected() != 1 => {
                Spacing::Uniform(h)
            }
            (None, Some(&"axes"), _) => Spacing::PerAxis(per_axis),
            _ => Spacing::Unit,
        };
        let axes = match &self.axes {
            None => Axes::All,
            Some(list) => Axes::List(list),
        };
        let edge =
            EdgeOrder::try_from(self.edge).unwrap_or_else(|e| panic!("{}: {e}", self.label()));
        Options::new().axes(axes).spacing(spacing).edge_order(edge)
    }
}

impl<F: Precision> CaseSpacing<F> {
    /// The per-axis entries as the crate's spacing.
    pub fn per_axis(&self) -> Vec<AxisSpacing<'_, F>> {
        self.entries
            .iter()
            .map(|e| match e {
                Entry::Uniform(h) => AxisSpacing::Uniform(*h),
                Entry::Coordinates(x) => AxisSpacing::Coordinates(x),
            })
            .collect()
    }
}

/// Which of our errors numpy's exception class corresponds to.
pub fn error_matches(numpy: &str, ours: &GradientError) -> bool {
    use GradientError::*;
    match numpy {
        "AxisError" => matches!(ours, AxisOutOfRange { .. }),
        "ValueError" => matches!(
            ours,
            DuplicateAxis { .. } | CoordinateLength { .. } | AxisTooShort { .. }
        ),
        "TypeError" => matches!(ours, SpacingCount { .. }),
        "IndexError" => matches!(ours, AxisTooShort { .. }),
        _ => false,
    }
}

/// C-order strides in elements (an axis of length 0 counts as length 1).
pub fn c_strides(shape: &[usize]) -> Vec<isize> {
    let mut strides = vec![1isize; shape.len()];
    for k in (0..shape.len().saturating_sub(1)).rev() {
        strides[k] = strides[k + 1] * shape[k + 1].max(1) as isize;
    }
    strides
}
