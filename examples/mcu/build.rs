//! Build script of the MCU firmware: chooses the board's memory map from the target, and turns a
//! selection of the numpy fixture cases (`../../tests/fixtures/numpy_gradient.txt`) into Rust
//! statics for `selftest` (`$OUT_DIR/cases.rs`), with every float spelled by its exact bits.
//!
//! The selection fits the smallest board (the micro:bit: 256 KiB of flash, 16 KiB of RAM): only
//! the sample/float pairs listed in `PAIRS` (each pair instantiates the whole API once more),
//! views of at most `MAX_COUNT` elements whose outputs fit `MAX_OUT` values, and at most `CAP`
//! cases of each fixture family and pair, so every family (lengths, layouts, axes, spacings,
//! specials, ...) is represented without one of them taking all the room.

use std::collections::HashMap;
use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::PathBuf;

/// (input dtype, output dtype) pairs embedded, as the fixtures spell them, with the Rust types.
const PAIRS: [(&str, &str, &str, &str); 3] = [
    ("f64", "f64", "f64", "f64"),
    ("f32", "f32", "f32", "f32"),
    ("i16", "f32", "i16", "f32"),
];
/// Largest view (elements) embedded; `selftest` gathers 1-D inputs into a buffer this long.
const MAX_COUNT: usize = 48;
/// Largest total output (outputs × elements); `selftest`'s output buffer has this many values.
const MAX_OUT: usize = 192;
/// Most cases of one fixture family (the name's first word) and pair.
const CAP: usize = 12;

/// One fixture case, still as text.
#[derive(Default)]
struct Case {
    index: usize,
    name: String,
    dtype: String,
    out: String,
    base: Vec<String>,
    offset: usize,
    shape: Vec<usize>,
    strides: Vec<isize>,
    axes: Option<Vec<isize>>,
    spacing: Vec<String>,
    edge: u8,
    grads: Vec<Vec<String>>,
    error: Option<String>,
}

fn parse(text: &str) -> Vec<Case> {
    let mut cases = Vec::new();
    let mut case = Case::default();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let mut words = line.split(' ').filter(|w| !w.is_empty());
        let key = words.next().unwrap_or_default();
        let rest: Vec<String> = words.map(str::to_owned).collect();
        match key {
            "case" => {
                case = Case {
                    index: rest[0].parse().unwrap(),
                    name: rest[1].clone(),
                    ..Case::default()
                }
            }
            "dtype" => case.dtype = rest[0].clone(),
            "out" => case.out = rest[0].clone(),
            "base" => case.base = rest,
            "offset" => case.offset = rest[0].parse().unwrap(),
            "shape" => case.shape = rest.iter().map(|w| w.parse().unwrap()).collect(),
            "strides" => case.strides = rest.iter().map(|w| w.parse().unwrap()).collect(),
            "axes" if rest == ["all"] => case.axes = None,
            "axes" => case.axes = Some(rest.iter().map(|w| w.parse().unwrap()).collect()),
            "spacing" => case.spacing = rest,
            "edge" => case.edge = rest[0].parse().unwrap(),
            "grad" => case.grads.push(rest),
            "error" => case.error = Some(rest[0].clone()),
            "end" => cases.push(std::mem::take(&mut case)),
            other => panic!("unknown fixture line {other:?}"),
        }
    }
    cases
}

/// A float of type `ty` from its hex bits, as a const expression.
fn float(ty: &str, hex: &str) -> String {
    match ty {
        "f64" => format!("f64::from_bits(0x{hex})"),
        "f32" => format!("f32::from_bits(0x{hex})"),
        _ => panic!("float type {ty}"),
    }
}

/// A base value of the sample type `ty` (floats by their bits, integers in decimal).
fn sample(ty: &str, word: &str) -> String {
    match ty {
        "f64" | "f32" => float(ty, word),
        _ => word.to_owned(),
    }
}

/// The number of outputs numpy returned (or would have: the selected axes).
fn selected(case: &Case) -> usize {
    case.axes.as_ref().map_or(case.shape.len(), Vec::len)
}

/// Whether `selftest` can run `case` within its buffers and the board's flash.
fn fits(case: &Case) -> bool {
    let count: usize = case.shape.iter().product();
    let outputs = selected(case);
    (1..=5).contains(&outputs)
        && count <= MAX_COUNT
        && outputs * count.max(1) <= MAX_OUT
        && case.base.len() <= 4 * MAX_COUNT
}

/// The `Spacing` of a case as a const expression (numpy reads one scalar argument as the
/// spacing of every selected axis, as `tests/suite/numpy_fixtures.rs` does).
fn spacing(case: &Case) -> String {
    let f = &case.out;
    let words: Vec<&str> = case.spacing.iter().map(String::as_str).collect();
    match words.as_slice() {
        ["none"] => "Spacing::Unit".into(),
        ["scalar", v] => format!("Spacing::Uniform({})", float(f, v)),
        ["axes", list @ ..] => {
            if let [single] = list
                && let Some(v) = single.strip_prefix("u:")
                && selected(case) != 1
            {
                return format!("Spacing::Uniform({})", float(f, v));
            }
            let mut out = String::from("Spacing::PerAxis(&[");
            for e in list {
                if let Some(v) = e.strip_prefix("u:") {
                    write!(out, "AxisSpacing::Uniform({}),", float(f, v)).unwrap();
                } else if let Some(c) = e.strip_prefix("c:") {
                    out.push_str("AxisSpacing::Coordinates(&[");
                    for v in c.split(',').filter(|w| !w.is_empty()) {
                        write!(out, "{},", float(f, v)).unwrap();
                    }
                    out.push_str("]),");
                } else {
                    panic!("case {}: bad spacing entry {e}", case.index);
                }
            }
            out.push_str("])");
            out
        }
        other => panic!("case {}: bad spacing {other:?}", case.index),
    }
}

/// One `Case { .. }` literal of `selftest`.
fn literal(case: &Case) -> String {
    let (t, f) = (&case.dtype, &case.out);
    let mut s = String::new();
    write!(s, "Case {{ index: {}, base: &[", case.index).unwrap();
    for w in &case.base {
        write!(s, "{},", sample(t, w)).unwrap();
    }
    write!(
        s,
        "], offset: {}, shape: &{:?}, strides: &{:?}, ",
        case.offset, case.shape, case.strides
    )
    .unwrap();
    match &case.axes {
        None => s.push_str("axes: Axes::All, "),
        Some(list) => write!(s, "axes: Axes::List(&{list:?}), ").unwrap(),
    }
    write!(
        s,
        "outputs: {}, spacing: {}, ",
        selected(case),
        spacing(case)
    )
    .unwrap();
    let edge = if case.edge == 1 { "First" } else { "Second" };
    write!(s, "edge: EdgeOrder::{edge}, ").unwrap();
    match &case.error {
        Some(class) => write!(s, "expect: Expect::Error(NumpyError::{class}) }}").unwrap(),
        None => {
            s.push_str("expect: Expect::Grad(&[");
            for g in &case.grads {
                for w in g {
                    write!(s, "{},", float(f, w)).unwrap();
                }
            }
            s.push_str("]) }");
        }
    }
    s
}

/// What the selected cases exercise, printed by `selftest`.
#[derive(Default)]
struct Coverage {
    ranks: [usize; 5],
    strided: usize,
    negative: usize,
    zero: usize,
    subsets: usize,
    unit: usize,
    scalar: usize,
    per_axis: usize,
    coords: usize,
    edge1: usize,
    edge2: usize,
    errors: usize,
}

impl Coverage {
    fn add(&mut self, case: &Case) {
        self.ranks[case.shape.len() - 1] += 1;
        let mut contiguous = 1;
        let mut c_order = true;
        for (&n, &s) in case.shape.iter().zip(&case.strides).rev() {
            c_order &= n == 1 || s == contiguous;
            contiguous *= n as isize;
        }
        self.strided += usize::from(!c_order);
        self.negative += usize::from(case.strides.iter().any(|&s| s < 0));
        self.zero += usize::from(case.strides.contains(&0));
        self.subsets += usize::from(case.axes.is_some());
        match case.spacing[0].as_str() {
            "none" => self.unit += 1,
            "scalar" => self.scalar += 1,
            _ => self.per_axis += 1,
        }
        self.coords += usize::from(case.spacing.iter().any(|e| e.starts_with("c:")));
        self.edge1 += usize::from(case.edge == 1);
        self.edge2 += usize::from(case.edge == 2);
        self.errors += usize::from(case.error.is_some());
    }
}

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let out_dir = PathBuf::from(env::var("OUT_DIR").unwrap());

    // The board follows the target: the FPU-less thumbv6m build is for the micro:bit, the
    // hard-float one for the Cortex-M4F MPS2 board.
    let target = env::var("TARGET").unwrap();
    let board = if target.starts_with("thumbv6m") {
        "microbit"
    } else {
        "mps2-an386"
    };
    let memory = manifest.join("memory").join(format!("{board}.x"));
    fs::copy(&memory, out_dir.join("memory.x")).unwrap();
    println!("cargo:rerun-if-changed={}", memory.display());
    println!("cargo:rustc-link-search={}", out_dir.display());
    println!("cargo:rustc-link-arg-bins=-Tlink.x");
    println!("cargo:rustc-env=NUMGRAD_MCU_BOARD={board}");

    let fixtures = manifest.join("../../tests/fixtures/numpy_gradient.txt");
    println!("cargo:rerun-if-changed={}", fixtures.display());
    let text = fs::read_to_string(&fixtures).unwrap();
    let cases = parse(&text);

    let mut code = String::from(
        "// Generated by build.rs from tests/fixtures/numpy_gradient.txt; do not edit.\n",
    );
    let mut coverage = Coverage::default();
    let mut taken: HashMap<(String, usize), usize> = HashMap::new();
    for (p, &(dtype, out, t, f)) in PAIRS.iter().enumerate() {
        let mut list = String::new();
        let mut n = 0;
        for case in cases
            .iter()
            .filter(|c| c.dtype == dtype && c.out == out && fits(c))
        {
            let family = case.name.split('_').next().unwrap_or_default().to_owned();
            let k = taken.entry((family, p)).or_default();
            if *k >= CAP {
                continue;
            }
            *k += 1;
            n += 1;
            coverage.add(case);
            writeln!(list, "    {},", literal(case)).unwrap();
        }
        let name = format!("CASES_{}_{}", dtype.to_uppercase(), out.to_uppercase());
        writeln!(code, "/// {n} numpy cases, {dtype} samples, {out} outputs.").unwrap();
        writeln!(code, "static {name}: &[Case<{t}, {f}>] = &[\n{list}];").unwrap();
    }
    let c = &coverage;
    let summary = format!(
        "ranks 1..5: {:?}; strided {}, negative stride {}, zero stride {}; axis subsets {}; \
         spacing unit {}, scalar {}, per-axis {} (coordinates {}); edge 1: {}, edge 2: {}; \
         numpy errors {}",
        c.ranks,
        c.strided,
        c.negative,
        c.zero,
        c.subsets,
        c.unit,
        c.scalar,
        c.per_axis,
        c.coords,
        c.edge1,
        c.edge2,
        c.errors
    );
    writeln!(
        code,
        "/// What the embedded cases cover.\nconst COVERAGE: &str = {summary:?};"
    )
    .unwrap();
    writeln!(
        code,
        "/// Largest view of the embedded cases.\nconst MAX_COUNT: usize = {MAX_COUNT};"
    )
    .unwrap();
    writeln!(
        code,
        "/// Largest total output of the embedded cases.\nconst MAX_OUT: usize = {MAX_OUT};"
    )
    .unwrap();
    fs::write(out_dir.join("cases.rs"), code).unwrap();
    println!("cargo:rerun-if-changed=build.rs");
}
