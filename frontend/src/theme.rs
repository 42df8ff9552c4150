//! Dark (default) and light themes, applied as a class on `<html>` and saved in
//! localStorage under [`THEME_KEY`]. `index.html` applies the saved class before the
//! WASM loads so the page does not flash.
use leptos::prelude::*;

use crate::storage;

pub const THEME_KEY: &str = "miaojing_theme";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    Dark,
    Light,
}

impl Theme {
    pub fn class(self) -> &'static str {
        match self {
            Theme::Dark => "dark",
            Theme::Light => "light",
        }
    }

    pub fn parse(s: &str) -> Option<Theme> {
        match s {
            "dark" => Some(Theme::Dark),
            "light" => Some(Theme::Light),
            _ => None,
        }
    }
}

#[derive(Clone, Copy)]
pub struct ThemeCtx {
    pub theme: RwSignal<Theme>,
}

impl ThemeCtx {
    pub fn set(self, theme: Theme) {
        apply(theme);
        storage::set(THEME_KEY, theme.class());
        self.theme.set(theme);
    }
}

fn apply(theme: Theme) {
    if let Some(el) = document().document_element() {
        let list = el.class_list();
        let _ = list.remove_2("dark", "light");
        let _ = list.add_1(theme.class());
        let _ = el.set_attribute("data-theme", theme.class());
    }
}

pub fn provide_theme() -> ThemeCtx {
    let theme = storage::get(THEME_KEY).and_then(|s| Theme::parse(&s)).unwrap_or(Theme::Dark);
    apply(theme);
    let ctx = ThemeCtx { theme: RwSignal::new(theme) };
    provide_context(ctx);
    ctx
}

pub fn use_theme() -> ThemeCtx {
    expect_context::<ThemeCtx>()
}
