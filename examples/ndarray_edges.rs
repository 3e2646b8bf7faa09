//! Edge strength of a small grey image held in an ndarray `Array2`: the gradient along both
//! axes (`gradient_arrays`), its magnitude, and the pixels where it peaks, printed as a text
//! picture. Then the same derivative of a view that is every other column of the image read
//! right to left, into the even columns of an output array whose odd columns another view
//! holds (`gradient_array_into`): no copy of either.
//!
//! Run: `cargo run --release --features ndarray --example ndarray_edges`

use ndarray::{Array2, Axis, ShapeBuilder, s};
use numgrad::{Axes, GradientError, Options, gradient_array_into, gradient_arrays};

fn main() -> Result<(), GradientError> {
    // A 14x28 image: a bright disc on a dark ramp, in F order (as a Fortran or column-major
    // library would hand it over); the outputs come back in F order too.
    let (rows, cols) = (14usize, 28usize);
    let image = Array2::from_shape_fn((rows, cols).f(), |(r, c)| {
        let (y, x) = (r as f64 - 6.5, (c as f64 - 13.5) / 2.0);
        let disc = if x * x + y * y <= 16.0 { 200.0 } else { 0.0 };
        disc + 2.0 * c as f64
    });

    let grads = gradient_arrays(&image, &Options::new())?;
    let (gy, gx) = (&grads[0], &grads[1]);
    let strength = Array2::from_shape_fn((rows, cols), |p| gy[p].hypot(gx[p]));
    println!(
        "image {rows}x{cols}, strides {:?}; gradient strides {:?} (the input's order)",
        image.strides(),
        gx.strides()
    );

    // The picture: ' ' flat, '.' the ramp alone (|g| = 2), then stronger edges.
    let shades = [' ', '.', ':', '+', '#'];
    for row in strength.axis_iter(Axis(0)) {
        let line: String = row
            .iter()
            .map(|&g| match g {
                g if g < 1.0 => shades[0],
                g if g <= 2.0 => shades[1],
                g if g < 60.0 => shades[2],
                g if g < 100.0 => shades[3],
                _ => shades[4],
            })
            .collect();
        println!("  |{line}|");
    }
    let (peak_at, peak) =
        strength.indexed_iter().fold(
            ((0, 0), 0.0f64),
            |best, (p, &g)| if g > best.1 { (p, g) } else { best },
        );
    let edge_pixels = strength.iter().filter(|&&g| g >= 60.0).count();
    println!(
        "strongest edge {peak:.2} at {peak_at:?} (gy {}, gx {}); {edge_pixels} pixels of \
         strength >= 60",
        gy[peak_at], gx[peak_at]
    );

    // Every other column read right to left: a view with stride -2 (in elements, F order:
    // -2 * rows) along axis 1, its gaps untouched. The results go into the even columns of a
    // 14x28 array while its odd columns stay lent to another view.
    let half = image.slice(s![.., ..;-2]);
    let mut out = Array2::<f64>::from_elem((rows, cols), f64::NAN);
    let (even, mut odd) = out.multi_slice_mut((s![.., ..;2], s![.., 1..;2]));
    gradient_array_into(&half, &mut [even], &Options::new().axes(Axes::One(1)))?;
    odd.fill(0.0);
    let row = 6;
    let values: Vec<String> = out
        .slice(s![row, ..;2])
        .iter()
        .map(|g| format!("{g:.0}"))
        .collect();
    println!(
        "row {row}, every other column right to left (input strides {:?}): d/dx = [{}]",
        half.strides(),
        values.join(", ")
    );
    Ok(())
}
