//! A deliberately small Markdown subset for announcements and policy texts: `#` headings,
//! `-`/`*` bullet lists, `1.` numbered lists and paragraphs. Text is always rendered as
//! text (never as HTML), so stored content cannot inject markup.
use leptos::prelude::*;

/// One block of the subset.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Heading(usize, String),
    Para(String),
    Bullets(Vec<String>),
    Numbered(Vec<String>),
}

fn bullet(line: &str) -> Option<&str> {
    line.strip_prefix("- ").or_else(|| line.strip_prefix("* "))
}

fn numbered(line: &str) -> Option<&str> {
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    (digits > 0).then(|| line[digits..].strip_prefix(". ")).flatten()
}

/// Splits text into blocks; consecutive list lines form one list.
pub fn blocks(text: &str) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some(item) = bullet(line) {
            match out.last_mut() {
                Some(Block::Bullets(items)) => items.push(item.to_string()),
                _ => out.push(Block::Bullets(vec![item.to_string()])),
            }
        } else if let Some(item) = numbered(line) {
            match out.last_mut() {
                Some(Block::Numbered(items)) => items.push(item.to_string()),
                _ => out.push(Block::Numbered(vec![item.to_string()])),
            }
        } else if line.starts_with('#') {
            let level = line.chars().take_while(|c| *c == '#').count();
            out.push(Block::Heading(level, line.trim_start_matches('#').trim().to_string()));
        } else {
            out.push(Block::Para(line.to_string()));
        }
    }
    out
}

/// Renders blocks; headings are shifted down by `base` levels (h2 when `base` is 1).
pub fn render(blocks: Vec<Block>, base: usize) -> impl IntoView {
    blocks
        .into_iter()
        .map(|b| match b {
            Block::Heading(level, text) => match (level + base).min(4) {
                1 => view! { <h1 class="page-title">{text}</h1> }.into_any(),
                2 => view! { <h2>{text}</h2> }.into_any(),
                3 => view! { <h3>{text}</h3> }.into_any(),
                _ => view! { <h4>{text}</h4> }.into_any(),
            },
            Block::Para(p) => view! { <p>{p}</p> }.into_any(),
            Block::Bullets(items) => view! { <ul>{items.into_iter().map(|i| view! { <li>{i}</li> }).collect_view()}</ul> }.into_any(),
            Block::Numbered(items) => view! { <ol>{items.into_iter().map(|i| view! { <li>{i}</li> }).collect_view()}</ol> }.into_any(),
        })
        .collect_view()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_lists_and_keeps_heading_levels() {
        let b = blocks("# Title\n\nintro\n- a\n* b\n1. one\n2. two\n## Sub");
        assert_eq!(
            b,
            vec![
                Block::Heading(1, "Title".into()),
                Block::Para("intro".into()),
                Block::Bullets(vec!["a".into(), "b".into()]),
                Block::Numbered(vec!["one".into(), "two".into()]),
                Block::Heading(2, "Sub".into()),
            ]
        );
    }

    #[test]
    fn markup_stays_text() {
        assert_eq!(blocks("<img src=x onerror=alert(1)>"), vec![Block::Para("<img src=x onerror=alert(1)>".into())]);
    }
}
