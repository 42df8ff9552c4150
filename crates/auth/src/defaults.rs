//! Generated defaults for new accounts: a friendly display nickname, a cartoon avatar
//! and a personal invite code.
use rand::Rng;
use uuid::Uuid;

const ADJECTIVES: [&str; 16] =
    ["晨光", "星河", "松风", "月白", "晴川", "青柚", "琥珀", "小满", "竹影", "橘光", "海盐", "霁蓝", "云岫", "墨竹", "流萤", "春山"];
const NOUNS: [&str; 16] = [
    "画师",
    "旅人",
    "造梦家",
    "观察员",
    "收藏家",
    "调色师",
    "冒险家",
    "灵感师",
    "策展人",
    "摄影师",
    "小导演",
    "光影客",
    "诗人",
    "剪影师",
    "织梦人",
    "采风者",
];

/// A random display nickname such as `星河画师042`.
pub fn nickname(rng: &mut impl Rng) -> String {
    format!("{}{}{:03}", ADJECTIVES[rng.gen_range(0..ADJECTIVES.len())], NOUNS[rng.gen_range(0..NOUNS.len())], rng.gen_range(0..1000))
}

const PALETTES: [[&str; 3]; 6] = [
    ["#1b2a4a", "#c9a24a", "#f4e3b5"],
    ["#23395b", "#8fb8de", "#f2f5f9"],
    ["#3b1f3a", "#e07a5f", "#f7d9c4"],
    ["#12372a", "#7fb069", "#e6f2d8"],
    ["#2e294e", "#9a8fd6", "#efeafc"],
    ["#402218", "#d9a15b", "#f6e4c8"],
];

/// A 256×256 SVG avatar (a round creature with ears, eyes and a badge letter) as a UTF-8
/// data URL. `seed` chooses colours and shape; `initial` is drawn in the badge.
pub fn avatar(seed: Uuid, initial: &str) -> String {
    let b = seed.as_bytes();
    let [bg, accent, face] = PALETTES[b[0] as usize % PALETTES.len()];
    let ears = match b[1] % 3 {
        0 => format!(r#"<circle cx="78" cy="78" r="30" fill="{face}"/><circle cx="178" cy="78" r="30" fill="{face}"/>"#),
        1 => format!(r#"<path d="M62 112 L80 40 L118 92Z" fill="{face}"/><path d="M194 112 L176 40 L138 92Z" fill="{face}"/>"#),
        _ => {
            format!(r#"<ellipse cx="92" cy="60" rx="16" ry="44" fill="{face}"/><ellipse cx="164" cy="60" rx="16" ry="44" fill="{face}"/>"#)
        }
    };
    let eye_y = 128 + (b[2] % 8) as i32;
    let letter: String = initial.chars().next().map(|c| c.to_string()).unwrap_or_else(|| "妙".into());
    let letter = letter.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 256 256"><rect width="256" height="256" rx="48" fill="{bg}"/>{ears}<circle cx="128" cy="140" r="74" fill="{face}"/><circle cx="102" cy="{eye_y}" r="9" fill="{bg}"/><circle cx="154" cy="{eye_y}" r="9" fill="{bg}"/><path d="M110 170 Q128 186 146 170" stroke="{bg}" stroke-width="6" fill="none" stroke-linecap="round"/><circle cx="206" cy="206" r="34" fill="{accent}"/><text x="206" y="218" font-size="32" text-anchor="middle" fill="{bg}" font-family="sans-serif">{letter}</text></svg>"#
    );
    let mut out = String::from("data:image/svg+xml;charset=utf-8,");
    for ch in svg.chars() {
        match ch {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '-' | '_' | '.' | '~' | ' ' | '=' | '/' | ':' | ',' => {
                out.push(if ch == ' ' { ' ' } else { ch })
            }
            _ => {
                let mut buf = [0u8; 4];
                for byte in ch.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{byte:02X}"));
                }
            }
        }
    }
    out.replace(' ', "%20")
}

/// A personal invite code: `MJ` and 10 characters derived from the user id, so it is stable
/// and unique per account.
pub fn invite_code(user_id: Uuid) -> String {
    let hex = user_id.simple().to_string().to_ascii_uppercase();
    format!("MJ{}", &hex[..10])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_defaults_are_well_formed() {
        let n = nickname(&mut rand::thread_rng());
        assert!(n.chars().count() >= 5 && n.chars().rev().take(3).all(|c| c.is_ascii_digit()));
        let a = avatar(Uuid::new_v4(), "<星>");
        assert!(a.starts_with("data:image/svg+xml;charset=utf-8,%3Csvg"));
        assert!(!a.contains('<') && !a.contains('"') && !a.contains(' '));
        assert!(crate::validate::avatar(&a).is_ok());
        let id = Uuid::new_v4();
        assert_eq!(invite_code(id), invite_code(id));
        assert_eq!(invite_code(id).len(), 12);
    }
}
