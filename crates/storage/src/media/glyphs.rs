//! The watermark's lettering, drawn as strokes: a tiny monoline capital alphabet covering the
//! letters of "MIAOJING AI". Coordinates are in cap-height units, y pointing down (0 = top of the
//! capitals, 1 = baseline); each glyph starts at x = 0.

use std::f32::consts::PI;

/// One glyph: its ink width (before stroke thickness) and its strokes as polylines.
pub(crate) struct Glyph {
    pub width: f32,
    pub strokes: Vec<Vec<(f32, f32)>>,
}

/// Points on an ellipse from `from_deg` to `to_deg` (y down, so increasing angles turn clockwise).
fn arc(cx: f32, cy: f32, rx: f32, ry: f32, from_deg: f32, to_deg: f32, steps: usize) -> Vec<(f32, f32)> {
    (0..=steps)
        .map(|i| {
            let a = (from_deg + (to_deg - from_deg) * i as f32 / steps as f32) * PI / 180.0;
            (cx + rx * a.cos(), cy + ry * a.sin())
        })
        .collect()
}

/// The glyph for `c`, or `None` for characters outside the watermark's alphabet.
pub(crate) fn glyph(c: char) -> Option<Glyph> {
    let g = |width: f32, strokes: Vec<Vec<(f32, f32)>>| Some(Glyph { width, strokes });
    match c {
        'M' => g(0.82, vec![vec![(0.0, 1.0), (0.0, 0.0), (0.41, 0.64), (0.82, 0.0), (0.82, 1.0)]]),
        'I' => g(0.0, vec![vec![(0.0, 0.0), (0.0, 1.0)]]),
        'A' => g(0.74, vec![vec![(0.0, 1.0), (0.37, 0.0), (0.74, 1.0)], vec![(0.14, 0.64), (0.60, 0.64)]]),
        'O' => g(0.8, vec![arc(0.4, 0.5, 0.4, 0.5, 0.0, 360.0, 40)]),
        'J' => {
            let mut s = vec![(0.6, 0.0), (0.6, 0.68)];
            s.extend(arc(0.32, 0.68, 0.28, 0.32, 0.0, 165.0, 18).into_iter().skip(1));
            g(0.6, vec![s])
        }
        'N' => g(0.7, vec![vec![(0.0, 1.0), (0.0, 0.0), (0.7, 1.0), (0.7, 0.0)]]),
        'G' => {
            // An open ring from the upper right, over the top, round to the right middle, then a
            // short bar towards the centre.
            let mut s = arc(0.4, 0.5, 0.4, 0.5, -40.0, -360.0, 40);
            s.push((0.44, 0.5));
            g(0.8, vec![s])
        }
        ' ' => g(0.3, Vec::new()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_letter_of_the_watermark_has_a_glyph_inside_its_box() {
        for c in "MIAOJING AI".chars() {
            let g = glyph(c).unwrap_or_else(|| panic!("no glyph for {c:?}"));
            for p in g.strokes.iter().flatten() {
                assert!(p.0 >= -0.01 && p.0 <= g.width + 0.01, "{c}: x {} outside 0..{}", p.0, g.width);
                assert!(p.1 >= -0.01 && p.1 <= 1.01, "{c}: y {} outside the cap height", p.1);
            }
        }
        assert!(glyph('Z').is_none());
    }
}
