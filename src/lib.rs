//! `numpy.gradient`, bit for bit: second-order central differences inside, first- or
//! second-order one-sided differences at the edges, over strided views of caller buffers.
//!
//! `no_std`, no heap in the core, SIMD interior stencils (`wide` lanes), scalar edges, and a
//! scalar [`gradient_reference`] that every fast path equals bit for bit.
//!
//! "Bit for bit", here and throughout the crate, means: every result that is not a NaN has
//! exactly the bits of the result it is compared with (signed zeros and ±Inf included), and a
//! result is NaN exactly where the other is; the sign and payload of a NaN are unspecified
//! (they depend on the target, the vector path and, in numpy, the memory layout).
//!
//! Entry points:
//! - [`gradient_1d`]: a series into a slice (firmware);
//! - [`gradient`]: any view, any axes, outputs as caller views;
//! - `gradient_owned` and `gradient_values_owned` (feature `alloc`, opt-in): a C-order slice
//!   in, owned arrays out;
//! - `gradient_array_into` and `gradient_arrays` (feature `ndarray`, opt-in): any ndarray array
//!   or view, of any layout, with no copy, into caller `ArrayViewMut`s or new `Array`s;
//! - [`WholeArray::gradient_block`]: one block of a larger array from a window around it, for
//!   engines and thread pools (the stitched blocks of any partition equal the whole call);
//! - `gradient_parallel` (feature `rayon`, opt-in): [`gradient`] on rayon's thread pool;
//! - [`gradient_values`]: complex (feature `complex`), [`Datetime64`], [`Timedelta64`] and
//!   float16 (feature `half`) samples, each with numpy's arithmetic for its dtype; and for
//!   them, as for real samples, `gradient_values_owned`, `gradient_values_array_into` and
//!   `gradient_values_arrays`, [`WholeArray::gradient_values_block`] and
//!   `gradient_values_parallel`.
//!
//! Views come from slices, or from a pointer to their first element, a shape and strides
//! ([`StridedView::from_raw_parts`]): the door for other array libraries.
//!
//! Features: none by default, so a `no_std` binary links without a global allocator; `alloc`
//! adds `gradient_owned` and `gradient_values_owned`; `defmt` derives `defmt::Format` for
//! [`GradientError`], the public enums, [`Options`] and [`Emitted`], for firmware logging;
//! `compact` runs [`gradient`] and [`gradient_1d`] through one small scalar kernel instead of
//! the speed-tuned ones (same results to the bit, same errors; under 8 KB of a Cortex-M4F's
//! flash for `gradient`); `ndarray` (implies `alloc`) adds the ndarray adapter; `rayon` adds
//! `gradient_parallel` and `gradient_values_parallel` (and needs `std`, through rayon);
//! `complex` adds `num_complex::Complex` samples and `half` adds `half::f16` samples to
//! [`gradient_values`] (both no_std).
//!
//! See the README for the exact semantics and every deliberate difference from numpy.
#![no_std]
// docs.rs marks each feature-gated item with its feature.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]
// A `compact` build runs every automatic call through `compact` and leaves the fast kernels
// unused (the linker drops them). They stay compiled, so one source serves both builds; the
// default build still reports any code that is dead in both.
#![cfg_attr(all(feature = "compact", not(feature = "testing")), allow(dead_code))]

#[cfg(feature = "alloc")]
extern crate alloc;

#[cfg(feature = "ndarray")]
mod arrays;
mod axes;
mod block;
mod call;
#[cfg(feature = "complex")]
mod complex;
mod driver;
mod element;
mod error;
#[cfg(feature = "half")]
mod float16;
mod inplace;
mod isa;
mod kernels;
mod lanes;
mod options;
#[cfg(feature = "alloc")]
mod owned;
#[cfg(feature = "rayon")]
mod parallel;
mod pass;
mod reference;
mod scalar;
mod spacing;
mod stencil;
mod stream;
#[cfg(feature = "testing")]
pub mod testing;
mod timedelta;
mod value;
mod view;

#[cfg(feature = "ndarray")]
pub use arrays::{
    gradient_array_into, gradient_arrays, gradient_values_array_into, gradient_values_arrays,
};
pub use axes::Axes;
pub use block::WholeArray;
pub use driver::{gradient, gradient_1d, gradient_values};
pub use element::{Precision, Real, Sample};
pub use error::GradientError;
pub use inplace::gradient_1d_in_place;
pub use options::{EdgeOrder, Options};
#[cfg(feature = "alloc")]
pub use owned::{GradientArray, gradient_owned, gradient_values_owned};
#[cfg(feature = "rayon")]
pub use parallel::{PARALLEL_MIN_ELEMENTS, gradient_parallel, gradient_values_parallel};
pub use reference::gradient_reference;
pub use spacing::{AxisSpacing, Spacing};
pub use stream::{Emitted, GradientStream, TimedGradientStream, Timestamp};
pub use timedelta::{Datetime64, Timedelta64};
pub use value::Value;
pub use view::{StridedView, StridedViewMut};

// The README's examples run as doctests (they need the opt-in `alloc` and `ndarray` features,
// so they run under `cargo test --features alloc,complex,ndarray,rayon`, the README's test command).
#[cfg(all(doctest, feature = "alloc", feature = "ndarray"))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

/// The most axes a view may have: numpy's limit (`NPY_MAXDIMS`).
///
/// ```
/// use numgrad::{GradientError, StridedView, MAX_RANK};
/// let data = [0.0f64];
/// let ok = StridedView::new(&data, 0, &[1; MAX_RANK], &[0; MAX_RANK]);
/// assert!(ok.is_ok());
/// let shape = [1; MAX_RANK + 1];
/// let too_many = StridedView::new(&data, 0, &shape, &[0; MAX_RANK + 1]);
/// assert_eq!(too_many.unwrap_err(), GradientError::RankTooLarge { rank: 65 });
/// ```
pub const MAX_RANK: usize = 64;
