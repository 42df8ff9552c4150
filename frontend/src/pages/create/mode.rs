//! The five creation modes as the page shows them: `?type=` ids, tab labels, reference-image
//! limits, empty-thread titles and starter phrases, over the shared [`Mode`].
use miaojing_api_types::vocab::MediaType;

use crate::i18n::K;

/// The five modes (the shared [`Mode`]); the page names them in `?type=` by [`ModeView::id`].
pub use miaojing_api_types::vocab::Mode;

/// The mode named by `?type=` (or a draft): its id, or the shared word (`reverse-prompt`,
/// `reversePrompt`) for the reverse prompt.
pub fn mode_from_id(s: &str) -> Option<Mode> {
    if s == Mode::ReversePrompt.id() {
        return Some(Mode::ReversePrompt);
    }
    Mode::parse(s).ok()
}

/// What the create page shows and asks for each mode.
pub trait ModeView: Copy {
    /// The `?type=` id: the mode's word, `reverse` for the reverse prompt.
    fn id(self) -> &'static str;
    /// The tab label.
    fn label(self) -> K;
    /// The model type the mode runs on.
    fn media(self) -> MediaType;
    /// How many reference images the mode takes (none for the text modes).
    fn max_refs(self) -> usize;
    /// The title of the empty thread.
    fn empty_title(self) -> K;
    /// Starter phrases offered by the empty thread (added to the prompt).
    fn starters(self) -> &'static [K];
    /// The `videoUsageModes` value a video model must list (when it lists any).
    fn video_usage(self) -> Option<&'static str>;
}

impl ModeView for Mode {
    fn id(self) -> &'static str {
        match self {
            Mode::ReversePrompt => "reverse",
            m => m.as_str(),
        }
    }

    fn label(self) -> K {
        crate::i18n::mode_label(self)
    }

    fn media(self) -> MediaType {
        match self.kind() {
            Some(kind) => kind.media_type(),
            None => MediaType::Text,
        }
    }

    fn max_refs(self) -> usize {
        match self {
            Mode::Img2Img => 4,
            Mode::Img2Video | Mode::ReversePrompt => 1,
            Mode::Text2Img | Mode::Text2Video => 0,
        }
    }

    fn empty_title(self) -> K {
        match self {
            Mode::Text2Img => K::EmptyT2i,
            Mode::Img2Img => K::EmptyI2i,
            Mode::Text2Video => K::EmptyT2v,
            Mode::Img2Video => K::EmptyI2v,
            Mode::ReversePrompt => K::EmptyReverse,
        }
    }

    fn starters(self) -> &'static [K] {
        match self {
            Mode::Text2Img => &[K::StartPhoto, K::StartAnime, K::StartInk],
            Mode::Img2Img => &[K::StartRestyle, K::StartScene, K::StartKeepPerson],
            Mode::Text2Video => &[K::StartProduct, K::StartCinema, K::StartAction],
            Mode::Img2Video => &[K::StartPush, K::StartGentle, K::StartAnimate],
            Mode::ReversePrompt => &[],
        }
    }

    fn video_usage(self) -> Option<&'static str> {
        match self {
            Mode::Text2Video => Some("text-to-video"),
            Mode::Img2Video => Some("image-to-video"),
            _ => None,
        }
    }
}
