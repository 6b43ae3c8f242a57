//! Numbers for drawing, without the browser: tested natively.

/// A drawing coordinate to a tenth, as SVG attributes take it. Written with integers: the page
/// formats no floating-point number, so the float-printing code and its tables stay out of the
/// download (7 KB gzipped).
pub fn tenths(x: f64) -> String {
    let t = (x * 10.0).round() as i64;
    let sign = if t < 0 { "-" } else { "" };
    format!("{sign}{}.{}", t.unsigned_abs() / 10, t.unsigned_abs() % 10)
}

/// A duration in seconds to a tenth, cut down as a countdown shows it: `3.2 s`.
pub fn seconds(ms: u64) -> String {
    format!("{}.{} s", ms / 1000, ms % 1000 / 100)
}

#[cfg(test)]
mod tests {
    use super::{seconds, tenths};

    #[test]
    fn seconds_to_a_tenth_cut_down() {
        assert_eq!([seconds(0), seconds(99), seconds(3_250), seconds(30_000)], ["0.0 s", "0.0 s", "3.2 s", "30.0 s"]);
    }

    #[test]
    fn tenths_print_as_the_standard_formatter_does_to_one_place() {
        for x in [0.0, 12.34, 12.36, 999.96, -3.21, -0.26, 500.0, 1000.0 / 3.0, 0.07] {
            assert_eq!(tenths(x), format!("{x:.1}"), "{x}");
        }
        // Exactly between two tenths in decimal (not in binary) it may round the other way: a
        // twentieth of a pixel.
        assert!(["12.3", "12.4"].contains(&tenths(12.35).as_str()));
        assert_eq!(tenths(-0.04), "0.0", "a coordinate that rounds to zero has no sign");
    }
}
