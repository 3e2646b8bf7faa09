//! The options of a gradient call: numpy's `axis`, `*varargs` and `edge_order`.

use crate::{Axes, GradientError, Spacing};

/// The accuracy of the one-sided differences at the two ends of each axis (numpy's
/// `edge_order`).
///
/// numpy only rejects orders above 2 and silently computes order 2 for 0 or negative orders;
/// here an order is one of these two values, and [`EdgeOrder::try_from`] rejects anything else.
///
/// Not `#[non_exhaustive]`: numpy defines exactly these two orders, so a `match` on them may
/// stay exhaustive.
///
/// ```
/// use numgrad::{gradient_1d, AxisSpacing, EdgeOrder, GradientError};
/// let f = [1.0, 2.0, 4.0, 7.0, 11.0];
/// let mut d = [0.0; 5];
/// gradient_1d(&f, &mut d, AxisSpacing::Uniform(1.0), EdgeOrder::Second)?;
/// assert_eq!(d, [0.5, 1.5, 2.5, 3.5, 4.5]); // first order: 1.0 and 4.0 at the ends
/// assert_eq!(EdgeOrder::try_from(2), Ok(EdgeOrder::Second));
/// assert_eq!(EdgeOrder::try_from(0), Err(GradientError::InvalidEdgeOrder { order: 0 }));
/// # Ok::<(), numgrad::GradientError>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum EdgeOrder {
    /// First-order one-sided differences (numpy's default, `edge_order=1`).
    #[default]
    First,
    /// Second-order one-sided differences (`edge_order=2`).
    Second,
}

impl EdgeOrder {
    /// The fewest points an axis needs for this edge order: `edge_order + 1`.
    ///
    /// ```
    /// use numgrad::EdgeOrder;
    /// assert_eq!(EdgeOrder::First.min_len(), 2);
    /// assert_eq!(EdgeOrder::Second.min_len(), 3);
    /// ```
    pub const fn min_len(self) -> usize {
        match self {
            Self::First => 2,
            Self::Second => 3,
        }
    }
}

impl TryFrom<i64> for EdgeOrder {
    type Error = GradientError;

    /// `1` or `2`; anything else (including numpy's accidental `0`) is
    /// [`GradientError::InvalidEdgeOrder`].
    fn try_from(order: i64) -> Result<Self, GradientError> {
        match order {
            1 => Ok(Self::First),
            2 => Ok(Self::Second),
            _ => Err(GradientError::InvalidEdgeOrder { order }),
        }
    }
}

/// Options of a gradient call. The default is numpy's: every axis, unit spacing, first-order
/// edges.
///
/// ```
/// use numgrad::{Axes, EdgeOrder, Options, Spacing};
/// let opts = Options::<f64>::new()
///     .axes(Axes::One(-1))
///     .spacing(Spacing::Uniform(0.01))
///     .edge_order(EdgeOrder::Second);
/// assert_eq!(opts.edge_order, EdgeOrder::Second);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub struct Options<'a, F> {
    /// The axes to differentiate along, and the order of the results.
    pub axes: Axes<'a>,
    /// The sample spacing.
    pub spacing: Spacing<'a, F>,
    /// The accuracy of the edges.
    pub edge_order: EdgeOrder,
}

impl<'a, F> Options<'a, F> {
    /// numpy's defaults: every axis, unit spacing, first-order edges.
    ///
    /// ```
    /// use numgrad::{Axes, EdgeOrder, Options, Spacing};
    /// let options = Options::<f64>::new();
    /// assert_eq!(options.axes, Axes::All);
    /// assert_eq!(options.spacing, Spacing::Unit);
    /// assert_eq!(options.edge_order, EdgeOrder::First);
    /// ```
    pub const fn new() -> Self {
        Self {
            axes: Axes::All,
            spacing: Spacing::Unit,
            edge_order: EdgeOrder::First,
        }
    }

    /// Selects the axes.
    ///
    /// ```
    /// use numgrad::{Axes, Options};
    /// let options = Options::<f64>::new().axes(Axes::List(&[1, 0]));
    /// assert_eq!(options.axes, Axes::List(&[1, 0]));
    /// ```
    pub const fn axes(mut self, axes: Axes<'a>) -> Self {
        self.axes = axes;
        self
    }

    /// Sets the spacing.
    ///
    /// ```
    /// use numgrad::{Options, Spacing};
    /// let options = Options::new().spacing(Spacing::Uniform(0.25f32));
    /// assert_eq!(options.spacing, Spacing::Uniform(0.25));
    /// ```
    pub fn spacing(mut self, spacing: Spacing<'a, F>) -> Self {
        self.spacing = spacing;
        self
    }

    /// Sets the edge order.
    ///
    /// ```
    /// use numgrad::{EdgeOrder, Options};
    /// let options = Options::<f64>::new().edge_order(EdgeOrder::Second);
    /// assert_eq!(options.edge_order, EdgeOrder::Second);
    /// ```
    pub const fn edge_order(mut self, edge_order: EdgeOrder) -> Self {
        self.edge_order = edge_order;
        self
    }
}
